import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { InstallCode } from "../model/codes.js";
import type { Diagnostic } from "../model/types.js";

function findUp(name: string, from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return join(dir, name);
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where the type-check keeps its generated tsconfigs and TypeScript's incremental state, under the project. */
export const TYPECHECK_CACHE = join(".tripwire", "typecheck");

/** The options used when the project has no tsconfig.json: what a new TypeScript project on Node.js would pick. */
const DEFAULT_OPTIONS = { strict: true, skipLibCheck: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022" };

/**
 * The native TypeScript compiler (TypeScript 7) this package depends on: its platform executable when it is
 * installed (no Node.js start in between), else its Node.js launcher. It replaced ts-morph's JavaScript API (its
 * bundled TypeScript), which `npm run bench cli` measures beside it on the same files: several times slower, and
 * with no build info to make a second run cheaper.
 */
function compiler(): { file: string; args: string[] } {
  const own = createRequire(import.meta.url);
  const manifest = own.resolve("typescript/package.json");
  const root = dirname(manifest);
  try {
    const platform = createRequire(manifest).resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
    const exe = join(dirname(platform), "lib", process.platform === "win32" ? "tsc.exe" : "tsc");
    if (existsSync(exe)) return { file: exe, args: [] };
  } catch {
    // No platform package: the launcher below says what is missing.
  }
  return { file: process.execPath, args: [join(root, "bin", "tsc")] };
}

/** `path(line,col): error TS1234: message` as `tsc --pretty false` prints it; continuation lines are indented. */
const LINE = /^(.+)\((\d+),(\d+)\): (error|warning) TS(\d+): (.*)$/;
const GLOBAL = /^(error|warning) TS(\d+): (.*)$/;

/** Parses `tsc --pretty false` output into diagnostics, keeping only those in `roots` (and those without a file). */
export function parseTscOutput(output: string, cwd: string, roots: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  let last: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (line.startsWith(" ") && last) {
      last.message += `\n${line}`;
      continue;
    }
    last = undefined;
    const m = LINE.exec(line);
    if (m) {
      const file = resolve(cwd, m[1] as string);
      if (!roots.has(file)) continue;
      last = { code: `TS${m[5]}`, severity: m[4] as "error" | "warning", message: m[6] as string, source: { file: relative(cwd, file), line: Number(m[2]), column: Number(m[3]) } };
      out.push(last);
      continue;
    }
    const g = GLOBAL.exec(line);
    if (g) {
      last = { code: `TS${g[2]}`, severity: g[1] as "error" | "warning", message: g[3] as string };
      out.push(last);
    }
  }
  return out;
}

/**
 * Type-checks the definition files (with the project's nearest tsconfig.json, or strict NodeNext defaults) and
 * returns their TypeScript errors as diagnostics with file:line:col — errors in dependencies are not reported.
 *
 * The compiler is TypeScript's native `tsc`, run on a tsconfig generated under `.tripwire/typecheck/<key>/` (one
 * per set of files) that extends the project's and lists only the definition files. It is incremental: TypeScript's
 * build info, kept beside it, records every file of the program (helpers and declarations too) with its content
 * hash. It runs in build mode (`tsc -b`), whose up-to-date check compares those files with the build info before
 * building a program: when nothing changed since a run without errors, tsc answers after a few stats (`-p` parsed
 * the whole program, some 500 files with the SDK's and Node's declarations, even when nothing was re-checked). A run
 * whose last build had errors is rebuilt, so the errors are always reported. Packages are checked through their
 * declarations (the `types` of their `exports`), as any TypeScript project consumes them.
 */
export async function typecheckFiles(files: readonly string[], cwd: string): Promise<Diagnostic[]> {
  if (files.length === 0) return [];
  const root = resolve(cwd);
  const roots = new Set(files.map((f) => resolve(root, f)));
  const tsconfig = findUp("tsconfig.json", root);
  // One cache per set of files: runs on different files (parallel ones too) never share a tsconfig or build info.
  const key = createHash("sha256").update(JSON.stringify([tsconfig ?? null, [...roots].sort()])).digest("hex").slice(0, 16);
  const cacheDir = join(root, TYPECHECK_CACHE, key);
  mkdirSync(cacheDir, { recursive: true });
  const generated = join(cacheDir, "tsconfig.json");
  const fromCache = (p: string) => {
    const r = relative(cacheDir, p).split("\\").join("/");
    return isAbsolute(r) ? r : r.startsWith(".") ? r : `./${r}`;
  };
  const text = `${JSON.stringify(
    {
      ...(tsconfig ? { extends: fromCache(tsconfig) } : {}),
      compilerOptions: { ...(tsconfig ? {} : DEFAULT_OPTIONS), noEmit: true, incremental: true, tsBuildInfoFile: "./tsbuildinfo", composite: false, declaration: false, declarationMap: false, emitDeclarationOnly: false },
      files: [...roots].map(fromCache),
      include: [],
      references: [],
    },
    null,
    2,
  )}\n`;
  // Written only when it changed: build mode counts the tsconfig among its inputs, so a rewrite would rebuild.
  if (!existsSync(generated) || readFileSync(generated, "utf8") !== text) writeFileSync(generated, text);
  let output: string;
  try {
    const { file, args } = compiler();
    output = await new Promise<string>((done, fail) => {
      execFile(file, [...args, "-b", generated, "--pretty", "false"], { cwd: root, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
        // tsc exits 1 or 2 when it reports errors; anything else means it could not run.
        if (error && (typeof error.code !== "number" || error.code > 2)) fail(new Error(`${stderr || stdout || error.message}`.trim().split("\n")[0]));
        else done(`${stdout}${stderr}`);
      });
    });
  } catch (error) {
    const message = `cannot run the TypeScript compiler (the "typescript" package @tripwire/reconciler depends on; reinstall it, or pass --no-typecheck): ${(error as Error).message}`;
    return [{ code: "TW6101" satisfies InstallCode, severity: "error", message }];
  }
  return parseTscOutput(output, root, roots).sort(
    (a, b) => (a.source?.file ?? "").localeCompare(b.source?.file ?? "") || (a.source?.line ?? 0) - (b.source?.line ?? 0),
  );
}
