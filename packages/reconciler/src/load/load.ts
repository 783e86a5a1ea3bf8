import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Jiti } from "jiti";
import * as sdk from "@tripwire/sdk";
import { formatPath, isTripwireError, scopeKey, validateAll, type AnyAutomation, type AutomationSpec, type SourceLocation } from "@tripwire/sdk";
import { regexError } from "@tripwire/evaluator";
import * as sdkWire from "@tripwire/sdk/wire";
import { CONFIG_FILES, ConfigSchema, type TripwireConfig } from "../model/config.js";
import type { Diagnostic, DesiredAutomation } from "../model/types.js";
import type { DiagnosticCode } from "../model/codes.js";
import { cachedTransform, privateDir, transpileCacheDir } from "./cache.js";
import { collectAutomations } from "./collect.js";
import { discoverFiles } from "./files.js";
import { formatDiagnostic, sortDiagnostics } from "../model/diagnostics.js";
import { ExitDuringLoad, guardedLoad, LoadTimeout, loadTimeoutMs, promiseExports } from "./guard.js";
import { interopDiagnostics } from "./interop.js";

export interface LoadOptions {
  /** Working directory: paths and diagnostics are relative to it. */
  readonly cwd: string;
  /** Files or folders given on the command line (default: the config's `automations`, else `automations/`). */
  readonly paths?: readonly string[];
  /** An explicit config file (default: `tripwire.config.ts` in `cwd`, if present). */
  readonly configFile?: string;
  /** How long one definition file may take to load (default `TRIPWIRE_LOAD_TIMEOUT_MS`, else 30 s). */
  readonly loadTimeoutMs?: number;
  /**
   * Called once the definition files (relative to `cwd`, as the result's `files`) and the config file are known,
   * before any definition runs: the type-check starts there, in its own process, while the definitions load.
   */
  readonly discovered?: (files: readonly string[], configFile: string | undefined) => void;
}

export interface LoadResult {
  readonly config: TripwireConfig;
  readonly configFile?: string | undefined;
  readonly files: readonly string[];
  readonly automations: readonly DesiredAutomation[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Packages a definition may import that the CLI can provide when the user's project does not install them. */
const PROVIDED = ["@tripwire/sdk", "@tripwire/reconciler"] as const;

/**
 * The CLI's own instances of the SDK's entry points. A definition that imports one of them from the very file the CLI
 * runs (an npm install dedupes `@tripwire/sdk`; a workspace links it) is handed this instance instead of a second
 * copy: the SDK is stateless, so the copy would behave the same, but jiti would resolve, transpile and evaluate all
 * of its modules on every load.
 */
const OWN_MODULES: Readonly<Record<string, object>> = { "@tripwire/sdk": sdk, "@tripwire/sdk/wire": sdkWire };

/**
 * The same for this package: a `tripwire.config.ts` imports `defineConfig` from it, and a second copy evaluated by
 * jiti would transform and run the package's modules (and the SDK and zod beneath them) once more on every run.
 * Imported when a load starts, not at module load (the package's index imports this module).
 */
async function ownModules(): Promise<Readonly<Record<string, object>>> {
  return { ...OWN_MODULES, "@tripwire/reconciler": await import("../index.js") };
}

/**
 * jiti, required rather than imported: its ES entry imports its 190 KB CommonJS build, which Node then scans for export
 * names (cjs-module-lexer, some 50 ms of every `tripwire plan`); its CommonJS entry loads the same build without the scan.
 */
const loadJiti = (): typeof import("jiti") => ownRequire("jiti") as typeof import("jiti");

async function makeJiti(cwd: string): Promise<Jiti> {
  const { createJiti } = loadJiti();
  // Resolve our own packages from the user's project when it installs them; otherwise lend the CLI's copies
  // (values are recognised by brand, so two copies of the SDK interoperate).
  const fromUser = createRequire(resolve(cwd, "noop.js"));
  const alias: Record<string, string> = {};
  for (const name of PROVIDED) {
    try {
      fromUser.resolve(name);
    } catch {
      Object.assign(alias, subpathAliases(name));
    }
  }
  const virtualModules: Record<string, unknown> = {};
  for (const [specifier, namespace] of Object.entries(await ownModules())) {
    if (specifier in alias || sameFile(fromUser, specifier)) virtualModules[specifier] = asCommonJs(namespace);
  }
  forgetLoadedSources();
  const options = { sourceMaps: true, alias, virtualModules, interopDefault: false };
  // Our cache, not jiti's (see cache.ts): jiti transpiles through a plain instance of itself, and caches nothing.
  const dir = transpileCacheDir();
  if (!privateDir(dir)) return createJiti(import.meta.url, { ...options, fsCache: false });
  const plain = createJiti(import.meta.url, { ...options, fsCache: false });
  return createJiti(import.meta.url, { ...options, fsCache: false, transform: cachedTransform(dir, (o) => ({ code: plain.transform(o) })) });
}

/** Whether `specifier` resolves, from the user's project, to the same file as the CLI's own copy. */
function sameFile(fromUser: NodeJS.Require, specifier: string): boolean {
  try {
    return realpathSync(fromUser.resolve(specifier)) === realpathSync(ownRequire.resolve(specifier));
  } catch {
    return false;
  }
}

const ownRequire = createRequire(import.meta.url);

/** An ES module namespace as transpiled CommonJS exports look to jiti-loaded code (`__esModule`, no `default`). */
function asCommonJs(namespace: object): object {
  return Object.defineProperty({ ...namespace }, "__esModule", { value: true });
}

/**
 * jiti evaluates each module once and keeps it in Node's module cache (without that cache, every import re-resolved
 * and re-ran the modules it names: seconds for a large definition set). A later load in the same process must see
 * edited files, so the modules it loaded from outside node_modules — definitions, their helpers, a linked SDK — are
 * forgotten first; installed packages stay cached.
 */
function forgetLoadedSources(): void {
  const cache = createRequire(import.meta.url).cache;
  for (const key of Object.keys(cache)) if (!key.includes("/node_modules/")) delete cache[key];
}

/**
 * One alias per subpath the package exports (`@tripwire/sdk`, `@tripwire/sdk/wire`, …): jiti's aliases replace a
 * prefix, so aliasing the package name alone would turn `@tripwire/sdk/wire` into `<index file>/wire`.
 */
function subpathAliases(name: string): Record<string, string> {
  const main = fileURLToPath(import.meta.resolve(name));
  const manifest = JSON.parse(readFileSync(resolve(findPackageRoot(main), "package.json"), "utf8")) as { exports?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const subpath of Object.keys(manifest.exports ?? { ".": null })) {
    const specifier = subpath === "." ? name : `${name}/${subpath.replace(/^\.\//, "")}`;
    out[specifier] = fileURLToPath(import.meta.resolve(specifier));
  }
  return out;
}

function findPackageRoot(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${file}`);
  }
}

/** The `file:line:col` of the first stack frame inside `file` (jiti's source maps give original TS lines). */
function locationIn(error: unknown, file: string, cwd: string): SourceLocation {
  const stack = error instanceof Error ? `${error.stack ?? ""}\n${error.message}` : "";
  for (const m of stack.matchAll(/((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)/g)) {
    const path = (m[1] as string).replace(/^file:\/\//, "");
    if (path === file) return { file: relative(cwd, file), line: Number(m[2]), column: Number(m[3]) };
  }
  return { file: relative(cwd, file), line: 1, column: 1 };
}

/** A file that exited the process or never finished loading, as a diagnostic at that file. */
function guardDiagnostic(error: unknown, file: string, cwd: string): Diagnostic | undefined {
  const at = relative(cwd, file);
  if (error instanceof ExitDuringLoad) {
    return { code: "TW6209", severity: "error", message: `${at} ${error.message}: a definition file must not end the process; throw an Error to report a problem`, source: locationIn(error, file, cwd) };
  }
  if (error instanceof LoadTimeout) {
    return {
      code: "TW6210",
      severity: "error",
      message: `${at} ${error.message} (a top-level await that never settles?); fix it, or allow longer with TRIPWIRE_LOAD_TIMEOUT_MS`,
      source: { file: at, line: 1, column: 1 },
    };
  }
  return undefined;
}

/** What the load watchdog prints before it stops a process stuck in a file's synchronous loop. */
function stuckLine(file: string, cwd: string, seconds: number): string {
  const at = relative(cwd, file);
  return `${formatDiagnostic({ code: "TW6210", severity: "error", message: `${at} did not finish loading within ${seconds} s and never yielded (a synchronous endless loop?): Tripwire stopped the process; fix it, or allow longer with TRIPWIRE_LOAD_TIMEOUT_MS`, source: { file: at, line: 1, column: 1 } })}\n`;
}

/** Source maps place columns loosely; point at the `automation(` call on the reported line when there is one. */
function preciseSource(source: SourceLocation | undefined, cwd: string, lines: Map<string, string[]>): SourceLocation | undefined {
  if (!source) return undefined;
  let text = lines.get(source.file);
  if (!text) {
    text = existsSync(source.file) ? readFileSync(source.file, "utf8").split("\n") : [];
    lines.set(source.file, text);
  }
  const line = text[source.line - 1] ?? "";
  const calls = [...line.matchAll(/\bautomation\s*\(/g)].map((m) => (m.index as number) + 1);
  const column = calls.length === 0 ? source.column : calls.reduce((best, c) => (Math.abs(c - source.column) < Math.abs(best - source.column) ? c : best));
  return { file: relative(cwd, source.file), line: source.line, column };
}

/**
 * Loads `tripwire.config.ts` (or `configFile`): a missing or invalid config is a diagnostic, and the defaults apply.
 */
export async function loadConfig(
  options: { readonly cwd: string; readonly configFile?: string },
  given?: Jiti,
): Promise<{ config: TripwireConfig; configFile?: string; diagnostics: Diagnostic[] }> {
  const jiti = given ?? (await makeJiti(resolve(options.cwd)));
  const cwd = resolve(options.cwd);
  const diagnostics: Diagnostic[] = [];
  const configFile = options.configFile ? resolve(cwd, options.configFile) : CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  let config: TripwireConfig = {};
  if (options.configFile && configFile && !existsSync(configFile)) {
    diagnostics.push({ code: "TW2000", severity: "error", message: `config file ${options.configFile} does not exist` });
    return { config, diagnostics };
  }
  if (configFile) {
    try {
      const mod = (await guardedLoad(() => jiti.import(configFile), loadTimeoutMs(), (seconds) => stuckLine(configFile, cwd, seconds))) as { default?: unknown };
      const parsed = ConfigSchema.safeParse(mod.default ?? {});
      if (parsed.success) config = parsed.data;
      else {
        for (const issue of parsed.error.issues) {
          const at = issue.path.length > 0 ? ` (at ${formatPath(issue.path.map(String))})` : "";
          diagnostics.push({ code: "TW2001", severity: "error", message: `${issue.message}${at}`, source: { file: relative(cwd, configFile), line: 1, column: 1 } });
        }
      }
    } catch (error) {
      const guard = guardDiagnostic(error, configFile, cwd);
      diagnostics.push(guard ?? { code: "TW2002", severity: "error", message: `cannot load the config: ${(error as Error).message.split("\n")[0]}`, source: locationIn(error, configFile, cwd) });
    }
  }
  return { config, ...(configFile ? { configFile: relative(cwd, configFile) } : {}), diagnostics };
}

/**
 * Loads the config and the definition files, and collects every exported automation with where it was defined.
 * User mistakes (a missing file, a module that throws, an incomplete or invalid automation, duplicate names) are
 * diagnostics; nothing is thrown for them.
 */
export async function loadDefinitions(options: LoadOptions): Promise<LoadResult> {
  const cwd = resolve(options.cwd);
  const diagnostics: Diagnostic[] = [];
  const jiti = await makeJiti(cwd);

  const loaded = await loadConfig({ cwd, ...(options.configFile ? { configFile: options.configFile } : {}) }, jiti);
  diagnostics.push(...loaded.diagnostics);
  const { config } = loaded;
  const configFile = loaded.configFile ? resolve(cwd, loaded.configFile) : undefined;

  const base = options.paths && options.paths.length > 0 ? cwd : configFile ? dirname(configFile) : cwd;
  const paths = options.paths && options.paths.length > 0 ? options.paths : (config.automations ?? ["automations"]);
  const { files, missing } = discoverFiles(paths, base);
  for (const m of missing) {
    diagnostics.push({ code: "TW2003", severity: "error", message: `${m} does not exist (pass definition files or folders, or set "automations" in tripwire.config.ts)` });
  }
  if (files.length === 0 && missing.length === 0) {
    diagnostics.push({ code: "TW2003", severity: "error", message: `no definition files found in ${paths.join(", ")}` });
  }
  const relativeFiles = files.map((f) => relative(cwd, f));
  options.discovered?.(relativeFiles, loaded.configFile);

  const found: { automation: AnyAutomation; file: string }[] = [];
  const timeoutMs = options.loadTimeoutMs ?? loadTimeoutMs();
  for (const file of files) {
    try {
      const mod = (await guardedLoad(() => jiti.import(file), timeoutMs, (seconds) => stuckLine(file, cwd, seconds))) as Record<string, unknown>;
      for (const name of promiseExports(mod)) {
        const what = name === "default" ? "its default export" : `the export "${name}"`;
        diagnostics.push({
          code: "TW6208",
          severity: "error",
          message: `${relative(cwd, file)} exports a Promise (${what}): export the automations themselves; to build them with await, await at the top level (export default await …)`,
          source: { file: relative(cwd, file), line: 1, column: 1 },
        });
      }
      for (const { automation } of collectAutomations(mod)) found.push({ automation, file });
    } catch (error) {
      const guard = guardDiagnostic(error, file, cwd);
      if (guard) {
        diagnostics.push(guard);
        continue;
      }
      // A TripwireError thrown while a definition file runs is the SDK's (a builder misused): its code is registered
      // there (ISSUE_CODES), and test/codes.test.ts checks every code thrown anywhere is registered somewhere.
      const code = isTripwireError(error) ? (error.code as DiagnosticCode) : "TW2004";
      const message = isTripwireError(error) ? error.message.replace(/^TW\d+: /, "") : `cannot load ${relative(cwd, file)}: ${(error as Error).message.split("\n")[0]}`;
      diagnostics.push({ code, severity: "error", message, source: locationIn(error, file, cwd) });
    }
  }

  const lines = new Map<string, string[]>();
  const complete: { spec: AutomationSpec; locate: () => SourceLocation }[] = [];
  for (const { automation, file } of found) {
    let located: SourceLocation | undefined;
    const locate = () => (located ??= preciseSource(automation.source, cwd, lines) ?? { file: relative(cwd, file), line: 1, column: 1 });
    if (automation.stage !== "complete") {
      const missingStep = automation.stage === "new" ? ".in(scope)" : automation.stage === "scoped" ? ".on(event)" : ".do(action)";
      diagnostics.push({ code: "TW1000", severity: "error", message: `automation "${automation.name}" is incomplete: it needs ${missingStep}`, source: locate(), subject: automation.name });
      continue;
    }
    complete.push({ spec: automation.toSpec(), locate });
  }

  // Regexes are checked with the evaluator's engine (RE2), the one that runs them, not JavaScript's.
  const validation = validateAll(complete.map((c) => c.spec), { regexError });
  const where = (s: SourceLocation | undefined) => (s ? `${s.file}:${s.line}:${s.column}` : "another file");
  for (const issue of validation.issues) {
    const index = issue.path[0] as number;
    const at = complete[index];
    const rest = issue.path.slice(1);
    // Point at the other definition rather than its index in our list.
    const message = issue.message.replace(/\(#(\d+) in the list\)/, (_m, n: string) => `at ${where(complete[Number(n) - 1]?.locate())}`);
    diagnostics.push({
      code: issue.code,
      severity: issue.severity,
      message: `${message} (in "${at?.spec.name}"${rest.length > 0 ? ` at ${formatPath(rest)}` : ""})`,
      source: at?.locate(),
      subject: at?.spec.name,
    });
  }

  diagnostics.push(...interopDiagnostics(complete, config));

  // Call sites are located lazily: only definitions that reach a diagnostic or an operation format a stack trace.
  const automations: DesiredAutomation[] = complete.map(({ spec, locate }) => ({ address: `${scopeKey(spec.scope)}/${spec.name}`, spec, locate }));
  return {
    config,
    configFile: loaded.configFile,
    files: relativeFiles,
    automations,
    diagnostics: sortDiagnostics(diagnostics),
  };
}

