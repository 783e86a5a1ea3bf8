// Dependency arrows point inward (sdk ◀ evaluator ◀ reconciler, server): checked by reading every import.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Single files allowed one more import, and why: the `@tripwire/evaluator/vitest` entry registers the testing
 * matchers with vitest, an optional peer dependency that only test files importing that entry load.
 */
const FILE_EXCEPTIONS: Record<string, readonly string[]> = {
  "packages/evaluator/src/testing/vitest.ts": ["vitest"],
};

/** What each package's source may import besides its own files. `node:*` builtins are listed explicitly. */
const ALLOWED: Record<string, readonly string[]> = {
  sdk: ["zod"],
  // re2js: a pure-JavaScript RE2 (no native build, no I/O), so user regexes run in linear time (src/regex.ts).
  evaluator: ["@tripwire/sdk", "zod", "re2js", "node:crypto"],
  server: ["@tripwire/sdk", "@tripwire/evaluator", "graphql", "lru-cache", "better-sqlite3", "undici", "zod", "ipaddr.js", "node:*"],
  reconciler: ["@tripwire/sdk", "@tripwire/evaluator", "@tripwire/server", "undici", "dequal", "tinyglobby", "yargs", "diff", "ts-morph", "prettier", "jiti", "yaml", "zod", "fastest-levenshtein", "safe-regex2", "node:*"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function imports(file: string): string[] {
  // Drop comments first: TSDoc @examples show imports the module itself does not make.
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

function packageOf(specifier: string): string {
  if (specifier.startsWith("node:")) return specifier;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

const packages = readdirSync(join(root, "packages")).filter((p) => statSync(join(root, "packages", p)).isDirectory());

describe("architecture: dependency direction", () => {
  it("every package has a rule", () => {
    expect(packages.filter((p) => !(p in ALLOWED))).toEqual([]);
  });
  for (const pkg of packages) {
    it(`${pkg} imports only what it may`, () => {
      const allowed = ALLOWED[pkg] ?? [];
      const bad: string[] = [];
      for (const file of sourceFiles(join(root, "packages", pkg, "src"))) {
        for (const spec of imports(file)) {
          if (spec.startsWith(".")) continue;
          const name = packageOf(spec);
          const ok = allowed.includes(name) || (name.startsWith("node:") && allowed.includes("node:*")) || (FILE_EXCEPTIONS[relative(root, file)] ?? []).includes(name);
          if (!ok) bad.push(`${relative(root, file)} imports ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }
  it("only the reconciler's render stage imports diff", () => {
    const dir = join(root, "packages", "reconciler", "src");
    if (!packages.includes("reconciler")) return;
    const users = sourceFiles(dir).filter((f) => imports(f).some((s) => packageOf(s) === "diff"));
    expect(users.filter((f) => !relative(dir, f).startsWith("render/"))).toEqual([]);
  });
});

/** Relative value imports of a file (type-only imports are erased and cannot form a load cycle), resolved to files. */
function localImports(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
  const VALUE_IMPORT = /(?:^|[\s;])(?:import|export)\s(?!type\s)[^'"]*?from\s*["'](\.[^"']*)["']|import\(\s*["'](\.[^"']*)["']\s*\)/g;
  return [...text.matchAll(VALUE_IMPORT)].map((m) => join(dirname(file), ((m[1] ?? m[2]) as string).replace(/\.js$/, ".ts")));
}

/** Every import cycle among the files under `dir`, each as the files around it. */
function importCycles(dir: string): string[][] {
  const files = sourceFiles(dir);
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const dep of localImports(file)) {
      if (state.get(dep) === "open") cycles.push(stack.slice(stack.indexOf(dep)).map((f) => relative(dir, f)));
      else if (!state.has(dep) && files.includes(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

describe("architecture: no import cycles", () => {
  it("the server's modules import each other without a cycle", () => {
    expect(importCycles(join(root, "packages", "server", "src"))).toEqual([]);
  });
  it("the evaluator's modules import each other without a cycle", () => {
    expect(importCycles(join(root, "packages", "evaluator", "src"))).toEqual([]);
  });
});

/**
 * The evaluator's leaf folders: what each may import besides its own files (paths relative to packages/evaluator/src).
 * The three forms of a window (`windows/`: reference, streaming, columnar) share only the decisions' guard bands; the
 * action renderers (`actions/`) take only the firing's types from the engine. So neither reaches into the engine, and
 * the engine builds on them, never the other way round.
 */
const EVALUATOR_LEAVES: Record<string, { readonly values: readonly string[]; readonly types: readonly string[] }> = {
  windows: { values: ["decide.ts"], types: [] },
  actions: { values: [], types: ["engine/types.ts"] },
};
/** Most lines in one evaluator source file: issue 11 split the engine and the windows by job, none over ~400 lines. */
const EVALUATOR_MAX_LINES = 420;

describe("architecture: the evaluator's windows/ and actions/ stand apart from the engine", () => {
  const src = join(root, "packages", "evaluator", "src");
  const rel = (path: string) => relative(src, path).split(sep).join("/");
  const targetOf = (file: string, spec: string) => rel(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
  for (const [folder, rule] of Object.entries(EVALUATOR_LEAVES)) {
    it(`${folder}/ imports only its own files${rule.values.length > 0 ? `, ${rule.values.join(", ")}` : ""}${rule.types.length > 0 ? ` and the types of ${rule.types.join(", ")}` : ""}`, () => {
      const bad: string[] = [];
      for (const file of sourceFiles(join(src, folder))) {
        const values = new Set(localImports(file).map(rel));
        for (const spec of imports(file)) {
          if (!spec.startsWith(".")) continue;
          const target = targetOf(file, spec);
          if (target.startsWith(`${folder}/`) || rule.values.includes(target)) continue;
          if (rule.types.includes(target) && !values.has(target)) continue;
          bad.push(`${rel(file)} imports ${values.has(target) ? "" : "types of "}${target}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }
  it("the engine renders no action: engine/ imports nothing from actions/", () => {
    const bad = sourceFiles(join(src, "engine")).flatMap((file) =>
      imports(file)
        .filter((spec) => spec.startsWith(".") && targetOf(file, spec).startsWith("actions/"))
        .map((spec) => `${rel(file)} imports ${targetOf(file, spec)}`),
    );
    expect(bad).toEqual([]);
  });
  it(`no evaluator source file is over ${EVALUATOR_MAX_LINES} lines`, () => {
    const long = sourceFiles(src)
      .map((file) => ({ file: rel(file), lines: readFileSync(file, "utf8").split("\n").length }))
      .filter((f) => f.lines > EVALUATOR_MAX_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});

/**
 * The reconciler's folders. A stage does one job and imports only `model/` (the plan, catalog, ownership, config and
 * diagnostic types and keys every stage shares) and its own files; `model/` imports only itself. The compositions
 * (`api/`, `cli/`, and the top-level `api.ts`, `index.ts`) join the stages together.
 */
const RECONCILER_STAGES = ["apply", "backtest", "github", "import", "lint", "load", "plan", "policy", "remote", "render", "resolve", "testing"];
const RECONCILER_COMPOSITIONS = ["api", "cli"];

/** Imports across the rule, and why each is allowed (file → imported file, relative to packages/reconciler/src). */
const STAGE_EXCEPTIONS: Record<string, readonly string[]> = {
  // Definitions and configs import `@tripwire/reconciler`; the loader hands them this very package, not a second copy.
  "load/load.ts": ["index.ts"],
  // A type only: every stage talks to the backend through remote/'s GraphQL client, whose class is the type.
  "model/backend.ts": ["remote/client.ts"],
};

describe("architecture: the reconciler's stage folders import only model/", () => {
  const src = join(root, "packages", "reconciler", "src");
  const folderOf = (path: string) => (path.includes(sep) ? (path.split(sep)[0] as string) : "");
  it("every folder is a stage, model/ or a composition", () => {
    const folders = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
    expect(folders.filter((f) => f !== "model" && !RECONCILER_STAGES.includes(f) && !RECONCILER_COMPOSITIONS.includes(f))).toEqual([]);
  });
  it("stages import only model/ and their own files; model/ only itself", () => {
    const bad: string[] = [];
    for (const file of sourceFiles(src)) {
      const from = relative(src, file);
      const folder = folderOf(from);
      if (folder === "" || RECONCILER_COMPOSITIONS.includes(folder)) continue;
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) continue;
        const target = relative(src, resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
        const to = folderOf(target);
        if (to === folder || to === "model") continue;
        if ((STAGE_EXCEPTIONS[from.split(sep).join("/")] ?? []).includes(target.split(sep).join("/"))) continue;
        bad.push(`${from} imports ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });
  it("each exception is still needed", () => {
    const unused = Object.entries(STAGE_EXCEPTIONS).flatMap(([from, targets]) =>
      targets.filter((t) => !imports(join(src, from)).some((spec) => relative(src, resolve(dirname(join(src, from)), spec.replace(/\.js$/, ".ts"))).split(sep).join("/") === t)).map((t) => `${from} → ${t}`),
    );
    expect(unused).toEqual([]);
  });
});
