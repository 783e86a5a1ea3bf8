// What a team installs: every package packed with `npm pack`, the tarballs installed into a new project outside the
// checkout, and the CLI run there through `npx`, as the team would. Child processes are the point here.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, cleanEnv, installProject, packAll, writeFiles, type Packed } from "./packed.js";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const tripwire = (args: readonly string[], cwd: string) => run("npx", ["tripwire", ...args], cwd);

const CONFIG = `import { defineConfig } from "@tripwire/reconciler";

export default defineConfig({
  automations: ["automations"],
  embedded: { integrations: [{ kind: "slack", entity: "acme-ml", channelName: "ml-alerts", webhookUrl: "http://127.0.0.1:9/slack" }] },
});
`;

const AUTOMATION = `import { automation, project, metric, onRunMetric, sendNotification, slack } from "@tripwire/sdk";

export const lossSpike = automation("loss-spike")
  .in(project("acme-ml/llm-pretrain"))
  .on(onRunMetric(metric("loss").mean(5).gt(0.6)))
  .do(sendNotification(slack("ml-alerts"), { title: "Loss spiked", severity: "WARN" }));
`;

let work: string;
let packed: Packed;
let dir: string;

beforeAll(() => {
  build();
  work = mkdtempSync(join(tmpdir(), "tripwire-pack-"));
  packed = packAll(join(work, "tarballs"));
  dir = installProject(packed);
  writeFiles(dir, { "tripwire.config.ts": CONFIG, "automations/training.ts": AUTOMATION });
}, 240_000);

afterAll(() => {
  for (const d of [work, dir]) if (d) rmSync(d, { recursive: true, force: true });
}, 60_000);

describe("the packages as a team installs them", () => {
  it("ship built JavaScript with declarations, and no sources, tests, benches or fixtures", () => {
    const allowed = /^(package\.json|README\.md|JSON_CONTRACT\.md|bin\/[\w-]+\.js|templates\/[\w-]+\.yml|examples\/seed\.json|dist\/.+\.(js|d\.ts))$/;
    expect(Object.keys(packed.files).sort()).toEqual(["@tripwire/evaluator", "@tripwire/reconciler", "@tripwire/sdk", "@tripwire/server"]);
    for (const [name, files] of Object.entries(packed.files)) {
      expect({ name, unexpected: files.filter((f) => !allowed.test(f)) }).toEqual({ name, unexpected: [] });
      expect(files).toContain("dist/index.js");
      expect(files).toContain("dist/index.d.ts");
    }
    expect(packed.files["@tripwire/reconciler"]).toContain("bin/tripwire.js");
  });

  it("without @tripwire/server: --version and validate work, and the embedded default names the package to install", async () => {
    const server = join(dir, "node_modules", "@tripwire", "server");
    const hidden = join(dir, "node_modules", "@tripwire", ".server-hidden");
    renameSync(server, hidden);
    try {
      const version = await tripwire(["--version"], dir);
      expect(version).toEqual({ code: 0, stdout: "0.1.0\n", stderr: "" });
      const validate = await tripwire(["validate", "--json"], dir);
      expect(validate.code).toBe(0);
      expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, error_count: 0, automations: [{ address: "project:acme-ml/llm-pretrain/loss-spike", source: { file: "automations/training.ts", line: 3 } }] });
      const plan = await tripwire(["plan", "--no-typecheck"], dir);
      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain(
        "error TW6100: the embedded default (WANDB_BASE_URL is not set) needs the package @tripwire/server, which is not installed: npm install --save-dev @tripwire/server",
      );
      expect(plan.stderr).not.toContain("Tripwire bug");
    } finally {
      renameSync(hidden, server);
    }
  }, 120_000);

  it("validate, plan (exit 2 with --detailed-exitcode), apply --yes, plan (exit 0) through npx", async () => {
    const validate = await tripwire(["validate"], dir);
    expect(validate.code).toBe(0);
    const first = await tripwire(["plan", "--detailed-exitcode"], dir);
    expect(first.code).toBe(2);
    expect(first.stdout).toContain("+ create  project:acme-ml/llm-pretrain/loss-spike");
    const apply = await tripwire(["apply", "--yes"], dir);
    expect(apply.code).toBe(0);
    expect(existsSync(join(dir, ".tripwire", "local.db"))).toBe(true);
    const again = await tripwire(["plan", "--detailed-exitcode"], dir);
    expect({ code: again.code, stdout: again.stdout }).toEqual({ code: 0, stdout: expect.stringContaining("No changes") });
  }, 180_000);

  it("type-checks the definitions against the installed declarations, with an incremental cache under .tripwire/", async () => {
    writeFiles(dir, {
      "automations/typo.ts": `import { automation, project, onRunState, doNothing } from "@tripwire/sdk";\n\nexport const typo = automation("typo").in(project("acme-ml/llm-pretrain")).on(onRunState(["faild"])).do(doNothing());\n`,
    });
    try {
      const r = await tripwire(["validate"], dir);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`automations/typo.ts:3:90 - error TS2345: Argument of type '"faild"[]' is not assignable to parameter of type 'readonly RunStateInput[] | RunStateInput'.`);
      expect(r.stderr).toContain(`Type '"faild"' is not assignable to type 'RunStateInput'. Did you mean '"failed"'?`);
      const caches = readdirSync(join(dir, ".tripwire", "typecheck"));
      expect(caches.length).toBeGreaterThan(0);
      expect(caches.every((c) => existsSync(join(dir, ".tripwire", "typecheck", c, "tsbuildinfo")))).toBe(true);
    } finally {
      rmSync(join(dir, "automations", "typo.ts"));
    }
    expect((await tripwire(["validate"], dir)).code).toBe(0);
  }, 120_000);

  it("a plain JavaScript file imports @tripwire/sdk with node", async () => {
    writeFiles(dir, {
      "plain.mjs": `import { automation, project, onRunState, doNothing, validate } from "@tripwire/sdk";
const a = automation("failed-runs").in(project("acme-ml/llm-pretrain")).on(onRunState(["failed"])).do(doNothing());
console.log(JSON.stringify({ spec: a.toSpec(), ok: validate(a.toSpec()).ok }));
`,
    });
    const r = await run(process.execPath, ["plain.mjs"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, spec: { name: "failed-runs", scope: { type: "project", entity: "acme-ml", project: "llm-pretrain" }, event: { type: "runState", states: ["failed"] }, action: { type: "noop" } } });
  }, 60_000);
});
