import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import type { Io } from "../src/cli/io.js";
import { makeProject } from "./project.js";

/** The CLI in-process with a terminal attached: what a person typing at a prompt sees. */
function terminal(cwd: string, answer: string | undefined, tty = true) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (t: string) => out.push(t), isTTY: tty },
    stderr: { write: (t: string) => err.push(t), isTTY: tty },
    stdin: Object.assign(Readable.from(answer === undefined ? [] : [answer]), { isTTY: tty }),
    env: { NO_COLOR: "1" },
    cwd,
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

const defs = {
  "automations/a.ts": `import { automation, project, onRunState, doNothing } from "@tripwire/sdk";
export const a = automation("a").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing());
`,
};

describe("the CLI on a terminal", () => {
  it("asks before applying; only 'yes' approves", async () => {
    const dir = makeProject(defs);
    const no = terminal(dir, "y\n");
    expect(await main(["apply", "--no-typecheck"], no.io)).toBe(1);
    expect(no.stderr()).toContain("Do you want to apply these changes?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    expect(no.stderr()).toContain("error: apply cancelled");

    const yes = terminal(dir, "yes\n");
    expect(await main(["apply", "--no-typecheck"], yes.io)).toBe(0);
    expect(yes.stderr()).toContain("Apply complete: 1 added, 0 changed, 0 destroyed, 2 prerequisites created.");
  }, 60_000);

  it("a deletion is named in the question, and a yes on the terminal approves it", async () => {
    const dir = makeProject(defs);
    expect(await main(["apply", "--no-typecheck", "--yes"], terminal(dir, undefined).io)).toBe(0);
    // `a` leaves the code; `b` arrives.
    rmSync(join(dir, "automations", "a.ts"));
    writeFileSync(join(dir, "automations", "b.ts"), defs["automations/a.ts"].replace(/"a"/g, '"b"').replace("const a", "const b"));
    const asked = terminal(dir, "yes\n");
    expect(await main(["apply", "--no-typecheck"], asked.io)).toBe(0);
    expect(asked.stderr()).toContain("Do you want to apply these changes?\nThis destroys 1 automation.");
    expect(asked.stderr()).toMatch(/project:acme\/llm\/a: destroyed/);
    expect(asked.stderr()).toMatch(/project:acme\/llm\/b: created/);
  }, 60_000);

  it("usage mistakes print the help and exit 1, and never run the command", async () => {
    const dir = makeProject(defs);
    const t = terminal(dir, undefined);
    expect(await main(["apply", "--yse"], t.io)).toBe(1);
    expect(t.stderr()).toBe("error: unknown option --yse for tripwire apply: did you mean --yes? (tripwire apply --help lists the options)\n");
    expect(t.stderr()).not.toContain("reading the live state");
    expect(existsSync(join(dir, ".tripwire"))).toBe(false); // nothing was opened, planned or applied
    const typo = terminal(dir, undefined);
    expect(await main(["plan", "--jsonn"], typo.io)).toBe(1);
    expect(typo.stderr()).toBe("error: unknown option --jsonn for tripwire plan: did you mean --json? (tripwire plan --help lists the options)\n");
    expect(typo.stdout()).toBe("");
    const both = terminal(makeProject(defs), undefined);
    expect(await main(["plan", "--json", "--markdown"], both.io)).toBe(1);
    expect(both.stderr()).toContain("choose one output: --json or --markdown");
    const none = terminal(makeProject(defs), undefined);
    expect(await main([], none.io)).toBe(1);
    expect(none.stderr()).toContain("name a command: init, validate, lint, plan, apply, import, backtest, test, comment, server, history, version");
  });
});
