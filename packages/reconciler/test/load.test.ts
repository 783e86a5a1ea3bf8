import { appendFileSync, cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { plan, validate } from "../src/api.js";
import { loadDefinitions } from "../src/load/load.js";
import { sourceOf } from "../src/model/types.js";
import { typecheckFiles } from "../src/load/typecheck.js";
import { formatDiagnostic } from "../src/model/diagnostics.js";
import { makeProject, REPO } from "./project.js";

const header = `import { automation, project, metric, onRunMetric, onRunState, onCreateArtifact, doNothing } from "@tripwire/sdk";\nconst llm = project("acme/llm");\n`;

describe("load", () => {
  it("collects default and named exports, arrays and nested arrays, each automation once, with its location", async () => {
    const dir = makeProject({
      "automations/a.ts": `${header}export const one = automation("one").in(llm).on(onRunState("failed")).do(doNothing());
export default [one, [automation("two").in(llm).on(onRunState("running")).do(doNothing())]];
`,
      "automations/nested/b.ts": `${header}export const three = automation("three").in(llm).on(onRunState("finished")).do(doNothing());\n`,
      "automations/b.test.ts": `throw new Error("tests are not definitions");\n`,
    });
    const r = await loadDefinitions({ cwd: dir });
    expect(r.diagnostics).toEqual([]);
    expect(r.files).toEqual(["automations/a.ts", "automations/nested/b.ts"]);
    expect(r.automations.map((a) => [a.address, `${sourceOf(a)?.file}:${sourceOf(a)?.line}:${sourceOf(a)?.column}`])).toEqual([
      ["project:acme/llm/one", "automations/a.ts:3:20"],
      ["project:acme/llm/two", "automations/a.ts:4:23"],
      ["project:acme/llm/three", "automations/nested/b.ts:3:22"],
    ]);
  });

  it("reads tripwire.config.ts for the definition folders", async () => {
    const dir = makeProject({
      "tripwire.config.ts": `import { defineConfig } from "@tripwire/reconciler";\nexport default defineConfig({ automations: ["defs"], entities: ["acme"] });\n`,
      "defs/x.ts": `${header}export default automation("x").in(llm).on(onRunState("failed")).do(doNothing());\n`,
    });
    const r = await loadDefinitions({ cwd: dir });
    expect(r.diagnostics).toEqual([]);
    expect(r.config).toEqual({ automations: ["defs"], entities: ["acme"] });
    expect(r.configFile).toBe("tripwire.config.ts");
    expect(r.automations.map((a) => a.spec.name)).toEqual(["x"]);
  });

  it("reports every mistake as a diagnostic at file:line:col, like tsc, in file order", async () => {
    const dir = makeProject({
      "automations/bad.ts": `${header}export const w = automation("w").in(llm).on(onRunMetric(metric("loss").mean(0).gt(1))).do(doNothing());
export const dup1 = automation("dup").in(llm).on(onRunState("failed")).do(doNothing());
export const dup2 = automation("dup").in(llm).on(onRunState("running")).do(doNothing());
export const half = automation("half").in(llm);
`,
      "automations/throws.ts": `${header}
export const x = automation("x").in(llm).on(onCreateArtifact() as never);
`,
      "tripwire.config.ts": `export default { automations: ["automations", "missing"] };\n`,
    });
    const r = await loadDefinitions({ cwd: dir });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'error TW2003: missing does not exist (pass definition files or folders, or set "automations" in tripwire.config.ts)',
      'automations/bad.ts:3:18 - error TW1003: window must be at least 1 (a whole number of logged values), got 0 (in "w" at event.window)',
      'automations/bad.ts:5:21 - error TW1014: another automation in this scope is already named "dup" at automations/bad.ts:4:21; names are unique per scope (in "dup" at name)',
      'automations/bad.ts:6:21 - error TW1000: automation "half" is incomplete: it needs .on(event)',
      'automations/throws.ts:4:57 - error TW1002: automation "x": a new artifact version is only created inside a collection: use project(...).collection(name), registry(...).collection(name) or project(...).collections(filter), not a project scope',
    ]);
  });

  it("a config with a mistake is a diagnostic, and the definitions still load", async () => {
    const dir = makeProject({
      "tripwire.config.ts": `export default { paralelism: 2 };\n`,
      "automations/x.ts": `${header}export default automation("x").in(llm).on(onRunState("failed")).do(doNothing());\n`,
    });
    const r = await loadDefinitions({ cwd: dir });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual(['tripwire.config.ts:1:1 - error TW2001: Unrecognized key: "paralelism"']);
    expect(r.automations.map((a) => a.spec.name)).toEqual(["x"]);
  });

  it("type errors in definition files are diagnostics too (only the user's files)", async () => {
    const dir = makeProject({
      "automations/typed.ts": `${header}export const bad = automation("b").in(llm.collection("c")).on(onRunState(["failed"])).do(doNothing());\n`,
    });
    const diagnostics = await typecheckFiles(["automations/typed.ts"], dir);
    expect(diagnostics.map((d) => `${d.source?.file}:${d.source?.line}:${d.source?.column} ${d.code}`)).toEqual(["automations/typed.ts:3:63 TS2345"]);
    expect(diagnostics[0]?.message).toContain("run events (onRunMetric, onRunState) need a project, registry, team or org scope, not a collection");
  }, 60_000);

  it("plan with a type error reports it and opens no backend (the backend's code loads beside the type-check; nothing is opened)", async () => {
    // Valid definitions at run time, with a type error TypeScript alone finds.
    const good = `export const good = automation("b").in(llm).on(onRunState(["failed"])).do(doNothing());\n`;
    const dir = makeProject({ "automations/typed.ts": `${header}const count: number = "1";\n${good}` });
    const outcome = await plan({ cwd: dir, env: {} });
    expect(outcome.exitCode).toBe(3);
    expect(outcome.plan).toBeUndefined();
    expect(outcome.diagnostics.map((d) => `${d.source?.file}:${d.source?.line}:${d.source?.column} ${d.code}`)).toEqual(["automations/typed.ts:3:7 TS2322"]);
    expect(existsSync(join(dir, ".tripwire", "local.db"))).toBe(false);
    // Fixed, the same command plans against the embedded default, which it then creates.
    writeFileSync(join(dir, "automations/typed.ts"), `${header}${good}`);
    const fixed = await plan({ cwd: dir, env: {} });
    expect(fixed.exitCode).toBe(0);
    expect(fixed.plan?.operations.map((o) => o.address)).toEqual(["project:acme/llm/b"]);
    expect(existsSync(join(dir, ".tripwire", "local.db"))).toBe(true);
  }, 60_000);

  it("type-checking is incremental (a cache under .tripwire/typecheck): a warm run reports the same errors and sees an edit", async () => {
    const bad = `${header}export const bad = automation("b").in(llm.collection("c")).on(onRunState(["failed"])).do(doNothing());\n`;
    const dir = makeProject({ "automations/typed.ts": bad });
    const cold = await typecheckFiles(["automations/typed.ts"], dir);
    expect(cold.map((d) => `${d.source?.file}:${d.source?.line}:${d.source?.column} ${d.code}`)).toEqual(["automations/typed.ts:3:63 TS2345"]);
    const [key, ...others] = readdirSync(join(dir, ".tripwire", "typecheck"));
    expect(others).toEqual([]);
    expect(existsSync(join(dir, ".tripwire", "typecheck", key as string, "tsbuildinfo"))).toBe(true);
    expect(await typecheckFiles(["automations/typed.ts"], dir)).toEqual(cold);
    writeFileSync(join(dir, "automations", "typed.ts"), bad.replace('llm.collection("c")', "llm"));
    expect(await typecheckFiles(["automations/typed.ts"], dir)).toEqual([]);
  }, 60_000);

  it("the type-check starts once the files are known, before any definition runs (its process works beside the loading)", async () => {
    const marker = `tripwireTypecheckStarted${Date.now()}`;
    const dir = makeProject({
      "automations/a.ts": `// @ts-nocheck
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
${header}globalThis.${marker} = existsSync(fileURLToPath(new URL("../.tripwire/typecheck", import.meta.url)));
export const a = automation("a").in(llm).on(onRunState("failed")).do(doNothing());
`,
    });
    const outcome = await validate({ cwd: dir });
    expect(outcome.diagnostics).toEqual([]);
    expect((globalThis as Record<string, unknown>)[marker]).toBe(true);
  }, 60_000);

  it("a warm type-check where nothing changed builds nothing, and one sees an edit of a file the definitions import", async () => {
    const dir = makeProject({
      "automations/scope.ts": `import { project } from "@tripwire/sdk";\nexport const llm = project("acme/llm");\n`,
      "automations/typed.ts": `import { automation, onRunState, doNothing } from "@tripwire/sdk";\nimport { llm } from "./scope.js";\nexport const b = automation("b").in(llm).on(onRunState(["failed"])).do(doNothing());\n`,
    });
    expect(await typecheckFiles(["automations/typed.ts"], dir)).toEqual([]);
    const [key] = readdirSync(join(dir, ".tripwire", "typecheck"));
    const cache = join(dir, ".tripwire", "typecheck", key as string);
    const built = { info: statSync(join(cache, "tsbuildinfo")).mtimeMs, config: statSync(join(cache, "tsconfig.json")).mtimeMs };
    // Up to date: tsc neither rebuilds (the build info is not rewritten) nor is its generated tsconfig rewritten.
    expect(await typecheckFiles(["automations/typed.ts"], dir)).toEqual([]);
    expect({ info: statSync(join(cache, "tsbuildinfo")).mtimeMs, config: statSync(join(cache, "tsconfig.json")).mtimeMs }).toEqual(built);
    // scope.ts is not one of the files checked, but the program imports it: a run after its edit sees the error it causes.
    writeFileSync(join(dir, "automations", "scope.ts"), `import { project } from "@tripwire/sdk";\nexport const llm = project("acme/llm").collection("c");\n`);
    const edited = await typecheckFiles(["automations/typed.ts"], dir);
    expect(edited.map((d) => `${d.source?.file}:${d.source?.line}:${d.source?.column} ${d.code}`)).toEqual(["automations/typed.ts:3:45 TS2345"]);
    // An error is reported again by the next run, not lost to the up-to-date check.
    expect(await typecheckFiles(["automations/typed.ts"], dir)).toEqual(edited);
  }, 60_000);

  it("a project with its own copy of the SDK (not the CLI's file) loads through that copy", async () => {
    const dir = makeProject({ "automations/a.ts": `${header}export const one = automation("one").in(llm).on(onRunState("failed")).do(doNothing());\n` });
    const sdk = join(dir, "node_modules", "@tripwire", "sdk");
    rmSync(sdk);
    // Not the SDK's own tests (matched below the package folder: the checkout's path may itself contain "/test").
    const source = join(REPO, "packages", "sdk");
    cpSync(source, sdk, { recursive: true, filter: (f) => !relative(source, f).split(sep).includes("test") });
    // The copy is the built package (what npm installs): its entry marks that it ran.
    const marker = `tripwireSdkCopy${Date.now()}`;
    appendFileSync(join(sdk, "dist", "index.js"), `\nglobalThis.${marker} = (globalThis.${marker} ?? 0) + 1;\n`);
    const r = await loadDefinitions({ cwd: dir });
    expect(r.diagnostics).toEqual([]);
    expect(r.automations.map((a) => [a.address, `${sourceOf(a)?.file}:${sourceOf(a)?.line}:${sourceOf(a)?.column}`])).toEqual([["project:acme/llm/one", "automations/a.ts:3:20"]]);
    expect((globalThis as Record<string, unknown>)[marker]).toBe(1);
  });
});
