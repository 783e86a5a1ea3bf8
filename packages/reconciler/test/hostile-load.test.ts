// Loading definitions when a file, or someone else on the machine, is hostile (issue 10, item 9).
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { guardedLoad } from "../src/load/guard.js";
import { loadDefinitions } from "../src/load/load.js";
import { WATCHDOG_GRACE_MS } from "../src/load/guard.js";
import { cachedTransform, entryKey, privateDir, transpileCacheDir } from "../src/load/cache.js";
import { makeProject } from "./project.js";
import { runMain } from "./io.js";

const def = (name: string) => `import { automation, project, onRunState, doNothing } from "@tripwire/sdk";
export const a = automation("${name}").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing());
`;

describe("the transpile cache", () => {
  let cache: string;
  const saved = process.env.TRIPWIRE_CACHE_DIR;
  beforeEach(() => {
    cache = join(mkdtempSync(join(tmpdir(), "tripwire-cache-")), "transpile");
    process.env.TRIPWIRE_CACHE_DIR = cache;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TRIPWIRE_CACHE_DIR;
    else process.env.TRIPWIRE_CACHE_DIR = saved;
  });

  it("lives in the user's own cache folder by default, not the shared temp folder", () => {
    expect(transpileCacheDir({ XDG_CACHE_HOME: "/home/u/.cache" })).toBe("/home/u/.cache/tripwire/transpile");
    expect(transpileCacheDir({ TRIPWIRE_CACHE_DIR: "/x/y" })).toBe("/x/y");
    expect(transpileCacheDir({})).not.toContain(tmpdir());
  });

  it("is private (0700, entries 0600) and holds definitions by content hash", async () => {
    const dir = makeProject({ "automations/a.ts": def("cached-one") });
    const first = await loadDefinitions({ cwd: dir });
    expect(first.automations.map((a) => a.spec.name)).toEqual(["cached-one"]);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    const entries = readdirSync(cache);
    const mine = entries.filter((e) => readFileSync(join(cache, e), "utf8").includes("cached-one"));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/^[0-9a-f]{64}\.js$/);
    expect(statSync(join(cache, mine[0] as string)).mode & 0o777).toBe(0o600);
  });

  it("a tampered entry is not run: the file is transpiled again", async () => {
    const dir = makeProject({ "automations/a.ts": def("honest") });
    await loadDefinitions({ cwd: dir });
    const entry = readdirSync(cache).find((e) => readFileSync(join(cache, e), "utf8").includes('"honest"')) as string;
    const path = join(cache, entry);
    const text = readFileSync(path, "utf8");
    // Forged body under the old header, as someone who can write the folder (but does not recompute the hash) would.
    writeFileSync(path, text.replace('"honest"', '"forged"'));
    const again = await loadDefinitions({ cwd: dir });
    expect(again.automations.map((a) => a.spec.name)).toEqual(["honest"]);
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("entries are keyed by everything that goes in: an edited file is a new entry", () => {
    const base = { source: "export const x = 1", filename: "/p/a.ts", async: true };
    expect(entryKey(base)).toBe(entryKey({ ...base }));
    expect(entryKey(base)).not.toBe(entryKey({ ...base, source: "export const x = 2" }));
    expect(entryKey(base)).not.toBe(entryKey({ ...base, filename: "/p/b.ts" }));
    expect(entryKey(base)).not.toBe(entryKey({ ...base, async: false }));
    let calls = 0;
    expect(privateDir(cache)).toBe(true);
    const t = cachedTransform(cache, (o) => ({ code: `/*${++calls}*/${o.source}` }));
    expect(t(base).code).toBe("/*1*/export const x = 1");
    expect(t(base).code).toBe("/*1*/export const x = 1");
    expect(calls).toBe(1);
  });

  it("a folder others can write is made private; one owned by someone else is not used", () => {
    const open = join(mkdtempSync(join(tmpdir(), "tripwire-open-")), "c");
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(privateDir(open)).toBe(true);
    expect(statSync(open).mode & 0o777).toBe(0o700);
    if (process.getuid?.() === 0) {
      const theirs = join(mkdtempSync(join(tmpdir(), "tripwire-theirs-")), "c");
      mkdirSync(theirs, { mode: 0o700 });
      chownSync(theirs, 65534, 65534);
      expect(privateDir(theirs)).toBe(false);
    }
  });

  it("with a cache folder it cannot use, definitions still load (transpiled each time)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "tripwire-file-")), "not-a-dir");
    writeFileSync(file, "");
    process.env.TRIPWIRE_CACHE_DIR = file;
    const dir = makeProject({ "automations/a.ts": def("uncached") });
    expect((await loadDefinitions({ cwd: dir })).automations.map((a) => a.spec.name)).toEqual(["uncached"]);
  });
});

describe("definition files that misbehave", () => {
  it("a file that exports a Promise is reported at that file, not counted as zero automations", async () => {
    const dir = makeProject({
      "automations/a.ts": `import { automation, project, onRunState, doNothing } from "@tripwire/sdk";
export default (async () => [automation("late").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing())])();
`,
    });
    const r = await loadDefinitions({ cwd: dir });
    expect(r.diagnostics).toEqual([
      {
        code: "TW6208",
        severity: "error",
        message: "automations/a.ts exports a Promise (its default export): export the automations themselves; to build them with await, await at the top level (export default await …)",
        source: { file: "automations/a.ts", line: 1, column: 1 },
      },
    ]);
    const cli = await runMain(["validate", "--no-typecheck"], dir);
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain("automations/a.ts:1:1 - error TW6208:");
  });

  it("process.exit during load is an error at that file, and the CLI goes on", async () => {
    const dir = makeProject({ "automations/a.ts": def("kept"), "automations/b.ts": "process.exit(0);\n" });
    const cli = await runMain(["validate", "--no-typecheck"], dir);
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain("error TW6209: automations/b.ts called process.exit(0) while it was loaded: a definition file must not end the process");
    expect(process.exitCode ?? 0).toBe(0);
  });

  it("loads that overlap in one process (the API called concurrently) give process.exit back as it was", async () => {
    const original = process.exit;
    let releaseFirst: () => void = () => {};
    const first = guardedLoad(() => new Promise<void>((r) => (releaseFirst = r)), 10_000, () => "first stuck\n");
    let releaseSecond: () => void = () => {};
    const second = guardedLoad(() => new Promise<void>((r) => (releaseSecond = r)), 10_000, () => "second stuck\n");
    expect(process.exit).not.toBe(original);
    // The first one started finishes first: the second is still loading, so exit stays guarded for it.
    releaseFirst();
    await first;
    expect(() => process.exit(7)).toThrow("called process.exit(7) while it was loaded");
    releaseSecond();
    await second;
    expect(process.exit).toBe(original);
  });

  it("a load that does not finish in time stops with a clear error", async () => {
    const dir = makeProject({ "automations/a.ts": def("fine"), "automations/hang.ts": "await new Promise(() => {});\nexport {};\n" });
    const r = await loadDefinitions({ cwd: dir, loadTimeoutMs: 300 });
    expect(r.automations.map((a) => a.spec.name)).toEqual(["fine"]);
    expect(r.diagnostics).toEqual([
      {
        code: "TW6210",
        severity: "error",
        message: "automations/hang.ts did not finish loading within 0.3 s (a top-level await that never settles?); fix it, or allow longer with TRIPWIRE_LOAD_TIMEOUT_MS",
        source: { file: "automations/hang.ts", line: 1, column: 1 },
      },
    ]);
    process.env.TRIPWIRE_LOAD_TIMEOUT_MS = "300";
    try {
      const cli = await runMain(["validate", "--no-typecheck"], dir);
      expect(cli.code).toBe(3);
      expect(cli.stderr).toContain("automations/hang.ts:1:1 - error TW6210: automations/hang.ts did not finish loading within 0.3 s");
    } finally {
      delete process.env.TRIPWIRE_LOAD_TIMEOUT_MS;
    }
  }, 60_000);

  it("a synchronous endless loop in a definition is stopped by the watchdog, with the diagnostic (a child process: it is killed)", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("./e2e/cli.js");
    const dir = makeProject({ "automations/a.ts": def("fine"), "automations/spin.ts": "for (;;) {}\nexport {};\n" });
    const started = Date.now();
    const r = await new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, "validate", "--no-typecheck"], { cwd: dir, env: { ...process.env, TRIPWIRE_LOAD_TIMEOUT_MS: "300", NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (c) => (stderr += c));
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code, signal, stderr }));
    });
    expect(r).toEqual({
      code: null,
      signal: "SIGKILL",
      stderr:
        "automations/spin.ts:1:1 - error TW6210: automations/spin.ts did not finish loading within 0.3 s and never yielded (a synchronous endless loop?): Tripwire stopped the process; fix it, or allow longer with TRIPWIRE_LOAD_TIMEOUT_MS\n",
    });
    // Not before the load timeout and its grace period: a slow load that does yield is reported the normal way.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300 + WATCHDOG_GRACE_MS);
  }, 60_000);
});
