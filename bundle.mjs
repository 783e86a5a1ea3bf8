// `npm run build`'s second step, after `tsc -b` (which type-checks and writes the declarations): the CLI and the
// server as a few ES modules each, bundled by esbuild. Loading ~150 small files (graphql-js alone is 40, zod, yargs,
// the SDK, the evaluator, the packages' own) was most of a `tripwire plan`'s time; one file is read and compiled once.
// `npm run bench cli` measures the installed result. The SDK and the evaluator stay per-file builds: they are
// libraries a user imports.
//
// Usage: node bundle.mjs [package…] (default: every package below).
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = dirname(fileURLToPath(import.meta.url));

/**
 * What each package bundles. `external` is what must stay a real package at run time: loaded from the user's
 * installation (`@tripwire/server`, an optional peer; `typescript`, `ts-morph` and `jiti`, which load or check the
 * user's files; `prettier`, which lays out generated code and loads its plugins itself), native (`better-sqlite3`), read as files (`uplot`'s dist goes into the HTML report, `preact`'s and
 * `htm`'s are served to the browser), or loaded only on a path that needs it (`undici`, required by name).
 */
const PACKAGES = {
  server: {
    entryPoints: ["src/index.ts", "src/seed.ts", "src/embedded.ts", "src/cli.ts"],
    external: ["better-sqlite3", "undici", "preact", "htm"],
    // Beside the entries, one level below the package root, where ui.ts finds `../ui/`. Every entry shares the
    // chunks, so a process that loads `@tripwire/server` and `@tripwire/server/embedded` has one copy of the store
    // and of graphql-js (bundled: nothing outside the package receives its schema objects but the package itself).
    chunkNames: "[name]-[hash]",
    forbidden: [],
  },
  reconciler: {
    entryPoints: ["src/cli/main.ts", "src/index.ts"],
    external: ["@tripwire/server", "typescript", "ts-morph", "prettier", "jiti", "undici", "uplot"],
    // Two levels below the package root, like src/cli/ and dist/cli/main.js: version.ts reads `../../package.json`,
    // init.ts `../../templates/`, and the SDK's captureSource skips frames under `../` (this dist/).
    chunkNames: "chunks/[name]-[hash]",
    // The CLI talks to the server in strings and JSON only (GraphQL documents in, response bodies out), so no
    // graphql-js object can cross between two copies: neither graphql-js nor the server may be inside this bundle.
    forbidden: ["node_modules/graphql/", "packages/server/"],
  },
};

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

async function bundle(name) {
  const spec = PACKAGES[name];
  const dir = join(ROOT, "packages", name);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const outdir = join(dir, "dist");
  const result = await build({
    absWorkingDir: dir,
    entryPoints: spec.entryPoints,
    outdir,
    outbase: "src",
    entryNames: "[dir]/[name]",
    chunkNames: spec.chunkNames,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // The workspace's packages from their sources (the same code their own builds compile), so the source maps
    // name the TypeScript files.
    conditions: ["@tripwire/source"],
    // ES module builds first (graphql-js ships both, and only its ES modules let the unused parts be left out).
    mainFields: ["module", "main"],
    external: spec.external,
    // CommonJS dependencies inside the bundle (yaml) require Node's built-ins: esbuild's shim calls this `require`.
    banner: { js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);' },
    // Linked maps (not loaded unless Node runs with --enable-source-maps): a stack trace from a bug report maps back
    // to src/…ts:line with the tarball's .map files. Without the sources' text, which the repository has.
    sourcemap: "linked",
    sourcesContent: false,
    // A fifth less for Node to decode and compile on every start; names are kept, so a trace still reads as code.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: "warning",
  });
  const outputs = new Set(Object.keys(result.metafile.outputs).map((o) => join(dir, o)));
  // What a previous build left (the per-file tree tsc wrote before the bundle replaced it, chunks of older hashes).
  for (const file of walk(outdir)) if (/\.js(\.map)?$/.test(file) && !outputs.has(file)) rmSync(file);
  check(name, spec, manifest, result.metafile);
}

/**
 * A bundle that imports a package its package.json does not declare would work here (the workspace has it) and fail
 * where it is installed; one that took in code meant to stay outside (graphql-js in the CLI) would duplicate it.
 */
function check(name, spec, manifest, metafile) {
  const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const i of output.imports) {
      if (!i.external || builtins.has(i.path)) continue;
      const pkg = i.path.startsWith("@") ? i.path.split("/").slice(0, 2).join("/") : i.path.split("/")[0];
      if (!declared.has(pkg)) throw new Error(`bundle ${name}: ${file} imports ${i.path}, which packages/${name}/package.json does not declare`);
    }
  }
  for (const input of Object.keys(metafile.inputs)) {
    const path = relative(ROOT, join(ROOT, "packages", name, input));
    const hit = spec.forbidden.find((f) => path.includes(f));
    if (hit) throw new Error(`bundle ${name}: ${path} is inside the bundle; ${hit} must stay outside it`);
  }
}

function* walk(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

const selected = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(PACKAGES);
for (const name of selected) {
  if (!(name in PACKAGES)) throw new Error(`bundle: no package "${name}" (one of ${Object.keys(PACKAGES).join(", ")})`);
}
await Promise.all(selected.map(bundle));
