// Issue 10, items 1 and 2, at the CLI: a window of 1e15 or a regex RE2 cannot run is a diagnostic at its line,
// for `tripwire validate` and `tripwire test` alike, never a crash.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import type { Io } from "../src/cli/io.js";
import { makeProject } from "./project.js";

function capture(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (t: string) => out.push(t), isTTY: false },
    stderr: { write: (t: string) => err.push(t), isTTY: false },
    stdin: Object.assign(Readable.from([]), { isTTY: false }),
    env: { NO_COLOR: "1" },
    cwd,
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

const huge = `import { automation, project, metric, onRunMetric, doNothing } from "@tripwire/sdk";
export const ok = automation("ok").in(project("acme/llm")).on(onRunMetric(metric("acc").mean(3).gt(0.9))).do(doNothing());
export const huge = automation("huge").in(project("acme/llm")).on(onRunMetric(metric("loss").mean(1e15).gt(0.6))).do(doNothing());
`;
const lookahead = `import { automation, project, onRunState, runName, doNothing } from "@tripwire/sdk";
export const la = automation("lookahead").in(project("acme/llm")).on(onRunState(["failed"]).where(runName.regex("^(?!debug)"))).do(doNothing());
`;
const tests = `tests:
  - name: a loss spike
    runs:
      - id: r1
        metrics:
          loss: "0.9x3"
    expect:
      - { automation: huge, fires: false }
`;

describe("hostile definitions at the CLI", () => {
  it("tripwire test reports a window of 1e15 as TW1030 at its line and exits 3 (invalid definitions)", async () => {
    const dir = makeProject({ "automations/a.ts": huge, "tests/a.test.yaml": tests });
    const t = capture(dir);
    expect(await main(["test", "--no-typecheck"], t.io)).toBe(3); // invalid definitions
    expect(t.stdout()).toContain("tests/a.test.yaml\n  automations/a.ts:3:142 - error TW1030: loss: a window of 1000000000000000 values is larger than the maximum of 1000\n");
    expect(t.stdout()).toContain("Tests: 1 file with errors (0 in 1 file)");
    expect(t.stdout() + t.stderr()).not.toMatch(/RangeError|Tripwire bug|internal error/i);
  }, 60_000);

  it("tripwire validate refuses a lookahead regex with RE2's reason (TW1007)", async () => {
    const dir = makeProject({ "automations/a.ts": lookahead });
    const t = capture(dir);
    expect(await main(["validate", "--no-typecheck"], t.io)).toBe(3);
    expect(t.stdout() + t.stderr()).toContain("error TW1007: runName regex /^(?!debug)/ does not compile: invalid or unsupported Perl syntax: `(?!` (patterns use RE2 syntax: no lookaround or backreferences)");
  }, 60_000);
});
