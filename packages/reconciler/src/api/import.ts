import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, extname, relative, resolve } from "node:path";
import { REGISTRY_PREFIX, validate as validateSpec, type AutomationSpec, type Scope, type SourceLocation } from "@tripwire/sdk";
import { EXIT, exitCodeOf, validate, type CommonOptions, type ExitCode } from "../api.js";
import type { TripwireConfig } from "../model/config.js";
import { ReconcilerError } from "../model/errors.js";
import { isDiscoverable } from "../load/files.js";
import { loadConfig, loadDefinitions } from "../load/load.js";
import { sortDiagnostics } from "../model/diagnostics.js";
import { diffSpecs } from "../model/fields.js";
import { definitionHash, DEFAULT_OWNER, markDescription } from "../model/ownership.js";
import type { Backend } from "../model/backend.js";
import { mapLimit } from "../model/limit.js";
import { readLiveState, toLive } from "../remote/live.js";
import { defaultEntity } from "../remote/entity.js";
import { openBackend as defaultOpenBackend } from "../remote/open.js";
import { SILENT, type Reporter } from "../model/reporter.js";
import { hasErrors, sourceOf, type Diagnostic, type DesiredAutomation, type LiveAutomation, type ResolvedAutomation } from "../model/types.js";
import { formatOptionsFor } from "../import/format.js";
import { generateSource, type GenerateResult } from "../import/generate.js";
import { runPipeline } from "./pipeline.js";
import type { ImportedAutomation, ImportOutcome, ImportStatus } from "../model/import.js";

export type { ImportedAutomation, ImportOutcome, ImportStatus } from "../model/import.js";

export interface ImportOptions extends Omit<CommonOptions, "paths"> {
  /**
   * The W&B entity (team or organisation) whose automations are read; default: the API key's user's default entity
   * (`viewer.entity`, as the `wandb` client defaults to it).
   */
  readonly entity?: string | undefined;
  /** Only this project of the entity, and its collections. */
  readonly project?: string;
  /** Only this registry of the entity (an organisation), and its collections. */
  readonly registry?: string;
  /** Only automations whose name matches this regular expression (unanchored). */
  readonly nameFilter?: string;
  /** The file to write, relative to `cwd` (default: `imported.ts` in the first definition folder). Appended to when it exists. */
  readonly out?: string;
  /** Generate the code and return it; write nothing and mark nothing. */
  readonly dryRun?: boolean;
}

/** One selected live automation on its way through the import. */
interface Entry {
  readonly live: LiveAutomation;
  status: ImportStatus;
  reason?: string;
  /** Decoder warnings: what is kept verbatim. */
  readonly notes: readonly string[];
  /** Its definition in code, when there is one at the same address. */
  desired?: DesiredAutomation;
  /** Cannot be managed at all: noted in the generated file. */
  comment?: boolean;
  identifier?: string;
  source?: SourceLocation;
  marked?: boolean;
}

/**
 * Adopts automations made in the W&B UI: reads the live automations of an entity (or of one project or registry of
 * it, with their collections), writes them as builder code (one exported constant each, integrations by name, shared
 * scope constants, formatted), checks that the definitions load, type-check and plan to nothing, and only then marks
 * them managed — an update that sets only the description, appending Tripwire's ownership marker. Nothing is dropped:
 * filters and events the SDK cannot express are imported verbatim (`rawFilter`, `onRawEvent`) with a comment and a
 * warning; automations that cannot be managed at all (actions W&B's API cannot write, definitions Tripwire rejects)
 * are listed as skipped, noted in the file, and never marked. An existing `out` file is appended to, never overwritten.
 *
 * Safe to re-run: automations already managed by this configuration are left alone, and one already defined in code
 * exactly as it is live (say, written by an import that stopped before marking it) is only marked.
 * Exit code: 0 done, 1 a marker not written, 3 invalid definitions (nothing marked).
 * @example
 * const { exitCode, automations } = await importAutomations({ cwd: process.cwd(), entity: "acme", project: "llm" });
 */
export async function importAutomations(options: ImportOptions): Promise<ImportOutcome> {
  const reporter = options.reporter ?? SILENT;
  const cwd = resolve(options.cwd);
  const configOption = options.configFile ? { configFile: options.configFile } : {};
  const loaded = await loadConfig({ cwd, ...configOption });
  const owner = loaded.config.owner ?? DEFAULT_OWNER;
  const base = loaded.configFile ? dirname(resolve(cwd, loaded.configFile)) : cwd;
  const paths = loaded.config.automations ?? ["automations"];
  const outAbs = options.out ? resolve(cwd, options.out) : defaultOut(paths, base);
  const out = relative(cwd, outAbs);
  const done = (rest: Omit<ImportOutcome, "out" | "owner" | "dryRun">): ImportOutcome => ({ out, owner, dryRun: options.dryRun === true, ...rest });
  if (hasErrors(loaded.diagnostics)) return done({ written: false, appended: false, automations: [], diagnostics: loaded.diagnostics, exitCode: exitCodeOf(loaded.diagnostics) });

  if (![".ts", ".mts"].includes(extname(outAbs))) throw new ReconcilerError("TWE007", `--out ${out}: import writes TypeScript; name a .ts file`);
  if (!isDiscoverable(outAbs, paths, base)) {
    const from = loaded.configFile ? `the automations of ${loaded.configFile}` : "the default definition folder";
    throw new ReconcilerError("TWE007", `--out ${out} is not among the files tripwire plan loads (${from}: ${paths.join(", ")}); the imported automations would read as removed from code`);
  }
  const nameFilter = compileNameFilter(options.nameFilter);

  // What code defines already. No definitions yet (a fresh repository) is fine: the import writes the first ones.
  const before = await loadDefinitions({ cwd, ...configOption });
  const blocking = before.diagnostics.filter((d) => d.severity === "error" && d.code !== "TW2003");
  if (blocking.length > 0) return done({ written: false, appended: false, automations: [], diagnostics: blocking, exitCode: EXIT.diagnostics });

  const env = options.env ?? process.env;
  const backend = await (options.openBackend ?? defaultOpenBackend)({ cwd, config: loaded.config, env, configDir: base, reporter });
  try {
    const entity = options.entity || (await defaultEntity(backend));
    if (!entity) throw new ReconcilerError("TWE008", "name the W&B entity to import from: --entity (or set WANDB_ENTITY); this API key's user has no default entity");
    const ctx: Context = { options: { ...options, entity }, backend, owner, outAbs, out, config: loaded.config, cwd, reporter, parallelism: options.parallelism ?? loaded.config.parallelism ?? 8 };
    return done(await run(ctx, before.automations, nameFilter));
  } finally {
    await backend.close();
  }
}

interface Context {
  readonly options: ImportOptions & { readonly entity: string };
  readonly backend: Backend;
  readonly owner: string;
  readonly outAbs: string;
  readonly out: string;
  readonly config: TripwireConfig;
  readonly cwd: string;
  readonly reporter: Reporter;
  readonly parallelism: number;
}

async function run(c: Context, inCodeBefore: readonly DesiredAutomation[], nameFilter: RegExp | undefined): Promise<Omit<ImportOutcome, "out" | "owner" | "dryRun">> {
  const { options, backend } = c;
  const backendInfo = { kind: backend.kind, url: backend.url };
  const live = await readSelection(c);
  const resolvedBefore = await resolveDefinitions(c, inCodeBefore, live);
  const entries = classify(
    live.filter((l) => inSelection(l, options) && (!nameFilter || nameFilter.test(l.name))),
    new Map(resolvedBefore.map((d) => [d.address, d])),
    c.owner,
  );

  const existing = existsSync(c.outAbs) ? readFileSync(c.outAbs, "utf8") : undefined;
  const generated = await generate(c, entries, existing);
  const diagnostics = warnings(c, entries, generated);
  const outcome = (rest: { written: boolean; exitCode: ExitCode; extra?: readonly Diagnostic[] }) => ({
    written: rest.written,
    appended: existing !== undefined,
    text: generated?.text,
    backend: backendInfo,
    automations: report(entries),
    diagnostics: sortDiagnostics([...diagnostics, ...(rest.extra ?? [])]),
    exitCode: rest.exitCode,
  });
  if (options.dryRun) return outcome({ written: false, exitCode: EXIT.ok });

  const written = generated !== undefined && generated.changed;
  if (written) {
    writeWhole(c.outAbs, generated.text);
    const n = entries.filter((e) => e.status === "imported").length;
    c.reporter.message("TWI011", `wrote ${n} automation${n === 1 ? "" : "s"} to ${c.out}`);
  }
  const toMark = entries.filter((e) => e.status === "imported" || e.status === "adopted");
  if (toMark.length === 0) return outcome({ written, exitCode: EXIT.ok });

  const verified = await verify(c, live, toMark);
  if (verified.invalid.length > 0) return outcome({ written, exitCode: EXIT.diagnostics, extra: verified.invalid });
  const failures = [...verified.failures, ...(await mark(c, verified.ready, verified.desired))];
  return outcome({ written, exitCode: failures.length > 0 ? EXIT.error : EXIT.ok, extra: failures });
}

/** The default `--out`: `imported.ts` in the first definition folder (what `tripwire plan` loads). */
function defaultOut(paths: readonly string[], base: string): string {
  const first = resolve(base, paths[0] ?? "automations");
  return resolve(/\.[mc]?[jt]s$/.test(first) ? dirname(first) : first, "imported.ts");
}

function compileNameFilter(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new ReconcilerError("TWE007", `--name-filter ${pattern}: ${(error as Error).message}`);
  }
}

/** The live automations of the entity, after checking that the entity (and project or registry) exist. */
async function readSelection(c: Context): Promise<readonly LiveAutomation[]> {
  const { options, backend } = c;
  const client = backend.client;
  c.reporter.message("TWI010", `reading the automations of ${options.entity} from ${backend.url}`);
  if (!(await client.entity(options.entity))) throw new ReconcilerError("TWE008", `entity ${options.entity} does not exist or is not visible with this API key`);
  const holder = options.project ?? (options.registry === undefined ? undefined : `${REGISTRY_PREFIX}${options.registry}`);
  if (holder !== undefined && !(await client.project(options.entity, holder))) {
    const what = options.project !== undefined ? `project ${options.entity}/${options.project}` : `registry ${options.entity}/${options.registry}`;
    throw new ReconcilerError("TWE008", `${what} does not exist or is not visible with this API key`);
  }
  return (await readLiveState(client, [options.entity], c.parallelism)).automations;
}

/** Definitions with their names resolved and collection filters expanded, by address, as plan matches them. */
async function resolveDefinitions(c: Context, desired: readonly DesiredAutomation[], live: readonly LiveAutomation[]) {
  return (await runPipeline({ backend: c.backend, config: c.config, desired, parallelism: c.parallelism, live })).resolved;
}

function inSelection(l: LiveAutomation, options: ImportOptions): boolean {
  if (options.project === undefined && options.registry === undefined) return true;
  const scope: Scope | undefined = l.spec?.scope ?? l.scope;
  if (!scope) return false;
  const holder = scope.type === "collection" || scope.type === "collections" ? scope.parent : scope;
  if (options.project !== undefined) return holder.type === "project" && holder.project === options.project;
  return holder.type === "registry" && holder.registry === options.registry;
}

const where = (s: SourceLocation | undefined) => (s ? `${s.file}:${s.line}:${s.column}` : "code");

/** What to do with each live automation. Pure. */
function classify(live: readonly LiveAutomation[], inCode: ReadonlyMap<string, DesiredAutomation>, owner: string): Entry[] {
  return live.map((l): Entry => {
    const e: Entry = { live: l, status: "imported", notes: l.issues.filter((i) => i.severity === "warning").map((i) => i.message) };
    const desired = inCode.get(l.address);
    const decodeErrors = l.issues.filter((i) => i.severity === "error");
    const invalid = l.spec ? validateSpec(l.spec).issues.filter((i) => i.severity === "error") : [];
    if (l.ownership?.owner === owner) {
      e.status = "managed";
      if (!desired) e.reason = "managed by this configuration but not in code: the next apply deletes it unless you define it again";
    } else if (l.ownership) {
      Object.assign(e, { status: "skipped", reason: `managed by another Tripwire configuration (owner "${l.ownership.owner}")` });
    } else if (!l.spec || decodeErrors.length > 0 || invalid.length > 0) {
      // Validation names the rule in the SDK's words; the decoder's errors stand when there is no definition.
      const why = [...new Set((invalid.length > 0 ? invalid : decodeErrors).map((i) => i.message))].join("; ");
      Object.assign(e, { status: "skipped", comment: true, reason: `${why}. It stays in W&B as it is, not managed by Tripwire` });
    } else if (desired) {
      e.desired = desired;
      const changes = diffSpecs(l.spec, desired.spec);
      if (changes.length === 0) e.status = "adopted";
      else {
        e.status = "skipped";
        e.reason = `defined differently in ${where(sourceOf(desired))} (${changes.map((ch) => ch.path).join(", ")}): make that definition match W&B and import again, or rename one of them`;
      }
    }
    return e;
  });
}

async function generate(c: Context, entries: Entry[], existing: string | undefined): Promise<GenerateResult | undefined> {
  const toImport = entries.filter((e) => e.status === "imported");
  const commented = entries.filter((e) => e.comment);
  // Skip notes go with generated code, or into the file that already holds it; never into a file of their own.
  if (toImport.length === 0 && (existing === undefined || commented.length === 0)) return undefined;
  const { options } = c;
  const selection = options.project !== undefined ? `, project ${options.project}` : options.registry !== undefined ? `, registry ${options.registry}` : "";
  // Laid out as the repository's own Prettier configuration would lay it out, when it has one.
  const { options: format } = await formatOptionsFor(c.outAbs);
  const generated = await generateSource({
    format,
    automations: toImport.map((e) => ({ spec: e.live.spec as AutomationSpec, notes: e.notes })),
    skipped: commented.map((e) => ({ address: e.live.address, reason: e.reason ?? "" })),
    ...(existing !== undefined ? { existing } : {}),
    header: [
      `Imported from W&B with \`tripwire import\` (entity ${options.entity}${selection}).`,
      "These definitions are yours now: edit them, review changes with `tripwire plan`, apply them with `tripwire apply`.",
    ],
  });
  for (const e of toImport) {
    const at = generated.definitions[e.live.address];
    if (at) Object.assign(e, { identifier: at.identifier, source: { file: c.out, line: at.line, column: at.column } });
  }
  return generated;
}

/** Warnings for what is kept verbatim or left alone, pointing at the generated code where there is some. */
function warnings(c: Context, entries: readonly Entry[], generated: GenerateResult | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of entries) {
    const subject = e.live.name;
    if (e.status === "imported") {
      for (const note of e.notes) out.push({ code: "TW1015", severity: "warning", message: `${note} (in "${subject}")`, source: e.source, subject });
    } else if (e.status === "managed" && e.reason) {
      out.push({ code: "TW5005", severity: "warning", message: `${e.live.address} is ${e.reason}`, subject });
    } else if (e.status === "skipped" && e.comment) {
      const noted = generated !== undefined && (generated.commented.includes(e.live.address) || generated.text.includes(`skipped ${e.live.address}:`));
      out.push({ code: "TW5001", severity: "warning", message: `skipped ${e.live.address}: ${e.reason}${noted ? ` (noted in ${c.out})` : ""}`, subject });
    } else if (e.status === "skipped" && e.desired) {
      out.push({ code: "TW5002", severity: "warning", message: `skipped ${e.live.address}: ${e.reason}`, source: sourceOf(e.desired), subject });
    }
  }
  return out;
}

/** Writes the whole file or nothing: a crash mid-write must not leave half a file for plan to load. */
function writeWhole(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = resolve(dirname(path), `.${process.pid}.tripwire-import.tmp`);
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/**
 * Before any marker is written: the definitions load and type-check, and the plan made as if the markers were there
 * has nothing to do for these automations — no operation, no error.
 */
async function verify(c: Context, live: readonly LiveAutomation[], toMark: Entry[]) {
  c.reporter.message("TWI012", "checking that the definitions load, type-check and plan to no changes");
  const { options } = c;
  const checked = await validate({
    cwd: c.cwd,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.typecheck === false ? { typecheck: false } : {}),
  });
  const invalid = checked.diagnostics.filter((d) => d.severity === "error");
  if (invalid.length > 0) {
    for (const e of toMark) e.reason = "not marked: the definitions have errors; fix them and run tripwire import again";
    return { invalid, failures: [], ready: [], desired: [] };
  }
  // The next plan as it will be once the markers are written: the marked automations read as managed.
  const marking = new Set(toMark.map((e) => e.live.id));
  const { plan: future, resolved } = await runPipeline({
    backend: c.backend,
    config: c.config,
    desired: checked.load.automations,
    parallelism: c.parallelism,
    live: (desired) => {
      const protect = new Set(desired.filter((d) => d.spec.protect === true).map((d) => d.address));
      return live.map((l) => (marking.has(l.id) && l.spec ? { ...l, ownership: { owner: c.owner, hash: definitionHash(l.spec), protect: protect.has(l.address) } } : l));
    },
  });
  const desiredAt = new Map(resolved.map((d) => [d.address, d]));
  const failures: Diagnostic[] = [];
  const ready: Entry[] = [];
  for (const e of toMark) {
    const d = desiredAt.get(e.live.address);
    const op = future.operations.find((o) => o.address === e.live.address);
    const problem = future.diagnostics.find((x) => x.severity === "error" && x.subject === e.live.name && (!x.source || x.source.file === (d && sourceOf(d))?.file));
    if (!d) e.reason = `not marked: tripwire plan does not find its definition in ${c.out}`;
    else if (op) e.reason = `not marked: the next plan would ${op.op} it${"changes" in op ? ` (${op.changes.map((ch) => ch.path).join(", ")})` : ""}; this is a Tripwire bug, please report it`;
    else if (problem) e.reason = `not marked: ${problem.message}`;
    else {
      ready.push(e);
      continue;
    }
    failures.push({ code: "TW5003", severity: "error", message: `${e.live.address}: ${e.reason}`, source: d && sourceOf(d), subject: e.live.name });
  }
  return { invalid: [], failures, ready, desired: resolved };
}

/**
 * Appends the ownership marker to each description: the saved definition sent back whole with the new description
 * (bounded concurrency; one failure does not stop the others), checked against what the backend saved.
 */
async function mark(c: Context, ready: readonly Entry[], desired: readonly ResolvedAutomation[]): Promise<Diagnostic[]> {
  const protect = new Set(desired.filter((d) => d.spec.protect).map((d) => d.address));
  const results = await mapLimit(ready, c.parallelism, async (e) => {
    const spec = e.live.spec as AutomationSpec;
    const description = markDescription({ ...spec, ...(protect.has(e.live.address) ? { protect: true } : {}) }, c.owner);
    try {
      const saved = toLive(await c.backend.client.updateDescription(e.live.raw, description), c.options.entity);
      const changed = saved.spec ? diffSpecs(spec, saved.spec).map((ch) => ch.path) : ["scope"];
      if (saved.ownership?.owner !== c.owner || changed.length > 0) {
        return `the backend saved more than the description (${changed.join(", ") || "the marker"}); run tripwire plan to see the difference`;
      }
      e.marked = true;
      c.reporter.message("TWI013", `${e.live.address}: marked managed (owner ${c.owner})`);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  });
  const failures: Diagnostic[] = [];
  results.forEach((error, i) => {
    const e = ready[i] as Entry;
    if (error === undefined) return;
    e.reason = `not marked: ${error}; run tripwire import again to retry`;
    failures.push({ code: "TW5004", severity: "error", message: `${e.live.address}: ${e.reason}`, subject: e.live.name });
  });
  return failures;
}

function report(entries: readonly Entry[]): ImportedAutomation[] {
  return entries
    .map((e) => {
      const markable = e.status === "imported" || e.status === "adopted";
      const source = e.status === "adopted" ? e.desired && sourceOf(e.desired) : e.source;
      const reason = e.reason ?? (e.status === "imported" && e.notes.length > 0 ? e.notes.join("; ") : undefined);
      return {
        address: e.live.address,
        id: e.live.id,
        name: e.live.name,
        status: e.status,
        ...(e.identifier ? { identifier: e.identifier } : {}),
        ...(source ? { source } : {}),
        ...(reason ? { reason } : {}),
        ...(markable ? { marked: e.marked === true } : {}),
      };
    })
    .sort((a, b) => a.address.localeCompare(b.address));
}
