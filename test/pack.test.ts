// What a team installs: every package packed with `npm pack`, the tarballs installed into a new project outside the
// checkout, and the CLI run there through `npx`, as the team would. Child processes are the point here.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../packages/reconciler/test/e2e/cli.js";
import { build, cleanEnv, installProject, packAll, writeFiles, type Packed } from "./packed.js";

const run = (command: string, args: readonly string[], cwd: string) => runProcess(command, args, { cwd, env: cleanEnv() });

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
    const allowed = /^(package\.json|README\.md|JSON_CONTRACT\.md|bin\/[\w-]+\.js|ui\/[\w-]+\.(js|css|svg)|templates\/[\w-]+\.yml|examples\/seed\.json|dist\/.+\.(js|js\.map|d\.ts))$/;
    expect(Object.keys(packed.files).sort()).toEqual(["@tripwire/evaluator", "@tripwire/reconciler", "@tripwire/sdk", "@tripwire/server"]);
    for (const [name, files] of Object.entries(packed.files)) {
      expect({ name, unexpected: files.filter((f) => !allowed.test(f)) }).toEqual({ name, unexpected: [] });
      expect(files).toContain("dist/index.js");
      expect(files).toContain("dist/index.d.ts");
    }
    expect(packed.files["@tripwire/reconciler"]).toContain("bin/tripwire.js");
  });

  it("ship the CLI and the server as bundles (entries and shared chunks, each with its source map), not a file per module", () => {
    const js = (name: string) => (packed.files[name] ?? []).filter((f) => f.startsWith("dist/") && f.endsWith(".js"));
    const reconciler = js("@tripwire/reconciler");
    expect(reconciler.filter((f) => !/^dist\/chunks\/[\w-]+\.js$/.test(f))).toEqual(["dist/cli/main.js", "dist/index.js"]);
    const server = js("@tripwire/server");
    expect(server.filter((f) => !/^dist\/chunk-\w+\.js$/.test(f))).toEqual(["dist/cli.js", "dist/embedded.js", "dist/index.js", "dist/seed.js"]);
    for (const [name, files] of [["@tripwire/reconciler", reconciler], ["@tripwire/server", server]] as const) {
      expect(files.filter((f) => !packed.files[name]?.includes(`${f}.map`))).toEqual([]);
    }
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

  it("what runs is the bundle: with yargs, zod and graphql-js hidden from node_modules, the CLI still plans against the embedded default", async () => {
    const hidden = ["yargs", "zod", "graphql"].map((name) => [join(dir, "node_modules", name), join(dir, "node_modules", `.${name}-hidden`)] as const);
    for (const [from, to] of hidden) renameSync(from, to);
    try {
      const plan = await tripwire(["plan", "--no-typecheck", "--detailed-exitcode"], dir);
      expect({ code: plan.code, stdout: plan.stdout }).toEqual({ code: 0, stdout: expect.stringContaining("No changes") });
    } finally {
      for (const [from, to] of hidden) renameSync(to, from);
    }
  }, 120_000);

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

  it("npx tripwire init in a new folder of the project: the files it writes validate and plan against the installed packages", async () => {
    // A folder below the install, as a monorepo's package would be: npx and node find the packages up the tree.
    const fresh = join(dir, "team");
    mkdirSync(fresh);
    const init = await tripwire(["init"], fresh);
    expect({ code: init.code, stderr: init.stderr }).toEqual({ code: 0, stderr: "" });
    for (const f of ["tripwire.config.ts", "automations/training.ts", "tsconfig.json", ".gitignore", ".github/workflows/tripwire.yml"]) expect(existsSync(join(fresh, f)), f).toBe(true);
    const validate = await tripwire(["validate"], fresh);
    expect({ code: validate.code, stdout: validate.stdout, stderr: validate.stderr }).toEqual({ code: 0, stdout: "2 automations in 1 file are valid\n", stderr: "" });
    const plan = await tripwire(["plan", "--no-typecheck", "--detailed-exitcode"], fresh);
    expect(plan.stdout.split("\n")[0]).toBe("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(plan.code).toBe(2);
  }, 180_000);

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

  it("the installed server serves its web page: its own files and Preact and htm from its dependencies", async () => {
    writeFiles(dir, {
      "page.mjs": `import { startServer } from "@tripwire/server";
const server = await startServer({ db: "page.db", port: 0, seed: { users: [{ username: "u", apiKeys: ["page-key-0001"] }] } });
const out = {};
for (const path of ["/", "/ui/app.js", "/ui/format.js", "/ui/style.css", "/ui/icon.svg", "/ui/vendor/preact.mjs", "/ui/vendor/hooks.mjs", "/ui/vendor/htm.mjs"]) {
  const res = await fetch(server.url + path);
  out[path] = [res.status, (await res.text()).length > 100];
}
await server.close();
console.log(JSON.stringify(out));
`,
    });
    const r = await run(process.execPath, ["page.mjs"], dir);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(Object.fromEntries(["/", "/ui/app.js", "/ui/format.js", "/ui/style.css", "/ui/icon.svg", "/ui/vendor/preact.mjs", "/ui/vendor/hooks.mjs", "/ui/vendor/htm.mjs"].map((p) => [p, [200, true]])));
  }, 60_000);
});
