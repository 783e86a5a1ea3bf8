import { readFileSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import type { EngineAutomation, EngineOptions } from "@tripwire/evaluator";
import { executePlan } from "./apply/apply.js";
import type { BacktestReport, PlanBacktest } from "./model/backtest.js";
import type { TestFileResult } from "./model/testing.js";
import { verifyApplied } from "./apply/verify.js";
import type { TripwireConfig } from "./model/config.js";
import { ReconcilerError, isReconcilerError } from "./model/errors.js";
import { loadConfig, loadDefinitions, type LoadResult } from "./load/load.js";
import { sortDiagnostics } from "./model/diagnostics.js";
import { typecheckFiles } from "./load/typecheck.js";
import { PLAN_FORMAT_VERSION, type OpResult, type Plan } from "./model/plan.js";
import type { Backend } from "./model/backend.js";
import { readLiveState } from "./remote/live.js";
import { matchesState, readState, runPipeline } from "./api/pipeline.js";
import { openBackend as defaultOpenBackend, prepareBackend, type OpenContext } from "./remote/open.js";
import { SILENT, type Reporter } from "./model/reporter.js";
import { hasErrors, type Diagnostic, type DesiredAutomation } from "./model/types.js";
import { historyAware, historyFindings } from "./lint/history.js";
import { fileHistory } from "./api/history.js";
import { lintDiagnostics } from "./lint/lint.js";
import { checkPolicies } from "./policy/policy.js";
import type { PolicyContext } from "./model/policy.js";
import { inFamily, TEST_FILE_CODES } from "./model/codes.js";
import { parsePlan } from "./model/plan-schema.js";
import { EXIT, type ExitCode } from "./model/exit.js";

// The backtest (the evaluator, history readers) and test-file (YAML) modules load when their command runs.

export { EXIT, type ExitCode } from "./model/exit.js";

export interface CommonOptions {
  /** Working directory (definitions, config and the embedded database are found from here). */
  readonly cwd: string;
  /** Definition files or folders (default: the config's `automations`, else `automations/`). */
  readonly paths?: readonly string[];
  readonly configFile?: string;
  /** Environment (`WANDB_BASE_URL`, `WANDB_API_KEY`, `WANDB_ENTITY`); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Type-check definition files with TypeScript (default true). */
  readonly typecheck?: boolean;
  /** Concurrent requests (default: the config's, else 8). */
  readonly parallelism?: number;
  readonly reporter?: Reporter;
  /** How to reach the live backend (tests inject one). Default: W&B / a server per `WANDB_BASE_URL`, else the embedded default. */
  readonly openBackend?: (ctx: OpenContext) => Promise<Backend>;
}

export interface ValidateOutcome {
  readonly load: LoadResult;
  readonly diagnostics: readonly Diagnostic[];
  readonly exitCode: ExitCode;
}

export interface ValidateOptions extends CommonOptions {
  /** Also run the offline `tripwire lint` checks (docs/lint.md). */
  readonly lint?: boolean;
}

/**
 * Loads, validates and type-checks the definitions — offline, nothing is read from any backend.
 * @example const { exitCode, diagnostics } = await validate({ cwd: process.cwd(), lint: true });
 */
export function validate(options: ValidateOptions): Promise<ValidateOutcome> {
  return check(options);
}

/** {@link validate}, running `meanwhile` beside the type-check when the definitions loaded without errors. */
async function check(options: ValidateOptions, meanwhile?: () => Promise<void>): Promise<ValidateOutcome> {
  // The type-check is a child process, started as soon as the files are known: the definitions load beside it, and
  // so does what the caller does `meanwhile` (on loaded definitions without errors).
  let typechecked: Promise<Diagnostic[]> = Promise.resolve([]);
  const discovered = (files: readonly string[], configFile: string | undefined) => {
    typechecked = typecheckFiles([...files, ...(configFile ? [configFile] : [])], options.cwd);
    // Awaited below; should the load itself throw first, its failure is the one reported.
    typechecked.catch(() => undefined);
  };
  const load = await loadDefinitions({ ...loadOptions(options), ...(options.typecheck === false ? {} : { discovered }) });
  const linted = options.lint ? lintDiagnostics({ automations: load.automations, config: load.config }) : [];
  const [typeDiagnostics] = await Promise.all([typechecked, meanwhile && !hasErrors(load.diagnostics) ? meanwhile() : undefined]);
  const diagnostics = sortDiagnostics([...load.diagnostics, ...typeDiagnostics, ...linted]);
  return { load, diagnostics, exitCode: exitCodeOf(diagnostics) };
}

/**
 * A config or definition path that does not exist is a mistake on the command line (exit 1), not invalid
 * definitions (exit 3): there was nothing to validate.
 */
const USAGE_DIAGNOSTICS: ReadonlySet<string> = new Set(["TW2000", "TW2003"]);

export function exitCodeOf(diagnostics: readonly Diagnostic[]): ExitCode {
  if (!hasErrors(diagnostics)) return EXIT.ok;
  return diagnostics.some((d) => d.severity === "error" && USAGE_DIAGNOSTICS.has(d.code)) ? EXIT.error : EXIT.diagnostics;
}

function loadOptions(options: CommonOptions) {
  return { cwd: options.cwd, ...(options.paths ? { paths: options.paths } : {}), ...(options.configFile ? { configFile: options.configFile } : {}) };
}

export interface PlanOutcome {
  readonly diagnostics: readonly Diagnostic[];
  /** Absent when the definitions have errors (nothing was read from the backend). */
  readonly plan?: Plan;
  /** With `backtest`: the old and new definitions' firings over the history, per created or changed automation. */
  readonly backtest?: PlanBacktest;
  /** With `backtest`: why the history could not be replayed (the plan is still made; the exit code is 1). */
  readonly backtestDiagnostics?: readonly Diagnostic[];
  readonly exitCode: ExitCode;
}

/** The period of a backtest over the live history (no history files): `since` (default `7d`), or `from`/`to`. */
export interface LivePeriodOptions {
  readonly since?: string;
  readonly from?: string;
  readonly to?: string;
  /** Read and write the history cache (`.tripwire/history` beside the config; default true). */
  readonly cache?: boolean;
  /** The clock `since` counts back from (tests); default now. */
  readonly now?: number;
}

export interface PlanOptions extends CommonOptions, LivePeriodOptions {
  /** Exit 2 when the plan has changes (a drift check for nightly jobs). */
  readonly detailedExitCode?: boolean;
  /**
   * History files or folders: backtest every created, changed, renamed or destroyed automation over them. Empty:
   * over the live backend's run history of the period.
   */
  readonly backtest?: readonly string[];
  /**
   * Run the `tripwire lint` checks, the history-aware ones over the `backtest` history — its files, or with none the
   * live run history (without `backtest`, each run automation gets a TWL060 saying no history was available).
   * Findings join the plan's diagnostics.
   */
  readonly lint?: boolean;
  /** The pull request's labels, for policies such as `org-scope-label`. */
  readonly labels?: readonly string[];
}

interface Planned {
  readonly load: LoadResult;
  readonly plan?: Plan;
  readonly diagnostics: readonly Diagnostic[];
  readonly backend?: Backend;
  readonly desired: readonly DesiredAutomation[];
  /** Webhook URLs the backend reported (`entity/name` → URL), for policies. */
  readonly webhookUrls?: ReadonlyMap<string, string>;
}

async function makePlan(options: CommonOptions, keepOpen: boolean): Promise<Planned> {
  const reporter = options.reporter ?? SILENT;
  const env = options.env ?? process.env;
  // While TypeScript checks the definitions, the embedded default's code loads and its schema is built (nothing is
  // opened or sent before the definitions are known to be valid; a failure there is openBackend's to report).
  const prepare = options.openBackend || options.typecheck === false ? undefined : () => prepareBackend(env).catch(() => undefined);
  // `plan --lint` lints after planning, so that the plan is shown with its findings.
  const checked = await check({ ...options, lint: false }, prepare);
  const load = checked.load;
  if (hasErrors(checked.diagnostics)) return { load, diagnostics: checked.diagnostics, desired: load.automations };
  const backend = await (options.openBackend ?? defaultOpenBackend)({ cwd: options.cwd, config: load.config, env, configDir: configDirOf(options.cwd, load.configFile), reporter });
  try {
    reporter.message("TWI001", `reading the live state from ${backend.url}`);
    const { plan, resolved, catalog } = await runPipeline({
      backend,
      config: load.config,
      desired: load.automations,
      parallelism: options.parallelism ?? load.config.parallelism ?? 8,
      entities: [...(load.config.entities ?? []), ...(env.WANDB_ENTITY ? [env.WANDB_ENTITY] : [])],
      diagnostics: checked.diagnostics,
    });
    if (!keepOpen) await backend.close();
    const webhookUrls = new Map(
      Object.entries(catalog.integrations).flatMap(([entity, refs]) => refs.flatMap((r) => (r.urlEndpoint && r.name ? [[`${entity}/${r.name}`, r.urlEndpoint] as const] : []))),
    );
    return { load, plan, diagnostics: plan.diagnostics, ...(keepOpen ? { backend } : {}), desired: resolved, webhookUrls };
  } catch (error) {
    await backend.close();
    throw error;
  }
}

/** The folder of the config file (relative to `cwd` as loaded), or `cwd` without one. */
const configDirOf = (cwd: string, configFile: string | undefined) => (configFile ? dirname(resolvePath(cwd, configFile)) : resolvePath(cwd));

const hasChanges = (plan: Plan) => plan.operations.length > 0 || plan.prerequisites.length > 0;

/**
 * Diffs the definitions against the live state and returns the plan (nothing is written).
 * Exit code: 0 no changes, 2 changes (with `detailedExitCode`; else 0), 3 invalid definitions.
 * @example const { plan, exitCode } = await plan({ cwd: process.cwd(), detailedExitCode: true });
 */
export async function plan(options: PlanOptions): Promise<PlanOutcome> {
  const made = await makePlan(options, false);
  const p = options.lint && made.plan ? await withLint(made as Planned & { plan: Plan }, options) : made;
  if ("failed" in p) return { diagnostics: p.plan.diagnostics, plan: p.plan, backtestDiagnostics: p.failed, exitCode: EXIT.error };
  if (!p.plan) return { diagnostics: p.diagnostics, exitCode: exitCodeOf(p.diagnostics) };
  const outcome = await withBacktest(p.plan, options, p.load);
  const refused = await policyDiagnostics(p.load.config, p.webhookUrls, { plan: outcome.plan, backtest: outcome.backtest, labels: options.labels, stage: "plan" });
  if (refused.length === 0) return outcome;
  const planned: Plan = { ...outcome.plan, diagnostics: sortDiagnostics([...outcome.plan.diagnostics, ...refused]) };
  return { ...outcome, plan: planned, diagnostics: planned.diagnostics, exitCode: EXIT.diagnostics };
}

async function withBacktest(plan: Plan, options: PlanOptions, load: LoadResult): Promise<PlanOutcome & { plan: Plan }> {
  const exitCode = hasErrors(plan.diagnostics) ? EXIT.diagnostics : options.detailedExitCode && hasChanges(plan) ? EXIT.changes : EXIT.ok;
  if (options.backtest === undefined || hasErrors(plan.diagnostics)) return { diagnostics: plan.diagnostics, plan, exitCode };
  const reporter = options.reporter ?? SILENT;
  const { backtestPlan, noiseDiagnostics } = await import("./backtest/compare.js");
  const live = options.backtest.length === 0 ? await openLiveHistory(options, load) : undefined;
  if (live && "diagnostics" in live) return { diagnostics: plan.diagnostics, plan, backtestDiagnostics: live.diagnostics, exitCode: EXIT.error };
  try {
    const bt = await backtestPlan(plan, {
      cwd: options.cwd,
      history: options.backtest,
      ...(live ? { live: live.source } : {}),
      onFile: (file) => reporter.message("TWI006", `backtesting over ${file}`),
    });
    if (!bt.ok) return { diagnostics: plan.diagnostics, plan, backtestDiagnostics: bt.diagnostics, exitCode: EXIT.error };
    const noise = noiseDiagnostics(bt.backtest, load.config.noise?.maxPerDay);
    const noted: Plan = noise.length === 0 ? plan : { ...plan, diagnostics: sortDiagnostics([...plan.diagnostics, ...noise]) };
    return { diagnostics: noted.diagnostics, plan: noted, backtest: bt.backtest, exitCode };
  } finally {
    await live?.close();
  }
}

/**
 * The live history of a backtest with no files: the backend (as plan and apply open it), the period, and the cache
 * beside the config file. A bad period is a diagnostic (TW4013).
 */
export async function openLiveHistory(
  options: CommonOptions & LivePeriodOptions,
  load: LoadResult,
): Promise<{ source: import("./backtest/live.js").LiveSource; close: () => Promise<void> } | { diagnostics: Diagnostic[] }> {
  const { resolvePeriod } = await import("./backtest/live.js");
  const period = resolvePeriod(options, options.now ?? Date.now());
  if ("error" in period) return { diagnostics: [{ code: "TW4013", severity: "error", message: period.error }] };
  const reporter = options.reporter ?? SILENT;
  const configDir = configDirOf(options.cwd, load.configFile);
  const backend = await (options.openBackend ?? defaultOpenBackend)({ cwd: options.cwd, config: load.config, env: options.env ?? process.env, configDir, reporter });
  reporter.message("TWI007", `reading run history from ${backend.url}`);
  return {
    source: {
      transport: backend.client.transport,
      from: period.from,
      to: period.to,
      parallelism: options.parallelism ?? load.config.parallelism ?? 8,
      ...(options.cache === false ? {} : { cacheDir: resolvePath(configDir, HISTORY_CACHE) }),
      onProgress: (line) => reporter.message("TWI007", line),
    },
    close: () => backend.close(),
  };
}

/** Where fetched run history is cached, relative to the config file. */
export const HISTORY_CACHE = ".tripwire/history";

/** The config's policies over a plan (none configured: nothing to check). */
function policyDiagnostics(config: TripwireConfig, fromBackend: ReadonlyMap<string, string> | undefined, ctx: Omit<PolicyContext, "webhookUrls">): Promise<Diagnostic[]> {
  const policies = config.policies ?? [];
  if (policies.length === 0) return Promise.resolve([]);
  // Webhook URLs Tripwire knows: those the backend listed, and the embedded default's integrations in the config.
  const webhookUrls = new Map(fromBackend ?? []);
  for (const i of config.embedded?.integrations ?? []) if (i.kind === "webhook" && !webhookUrls.has(`${i.entity}/${i.name}`)) webhookUrls.set(`${i.entity}/${i.name}`, i.url);
  return checkPolicies(policies, { ...ctx, webhookUrls });
}

/** `plan --lint`: the lint findings added to the plan's diagnostics (sorted with them), or why the history could not be read. */
async function withLint(p: Planned & { plan: Plan }, options: PlanOptions): Promise<(Planned & { plan: Plan }) | { plan: Plan; failed: Diagnostic[] }> {
  const automations = p.load.automations;
  // `--backtest` with no files: the history-aware checks read the live run history, as the backtest does.
  const live = options.backtest && options.backtest.length === 0 ? await openLiveHistory(options, p.load) : undefined;
  if (live && "diagnostics" in live) return { plan: p.plan, failed: live.diagnostics };
  const source = options.backtest && options.backtest.length > 0 ? fileHistory(options.backtest, options.cwd) : live ? (await import("./api/live-history.js")).liveLintHistory(automations.map((a) => a.spec), live.source) : undefined;
  let history: Awaited<ReturnType<typeof historyAware>>;
  try {
    history = source ? await historyAware(automations, source) : { failed: false, findings: historyFindings(automations, undefined), diagnostics: [] };
  } finally {
    await live?.close();
  }
  if (history.failed) return { plan: p.plan, failed: history.diagnostics };
  const linted = lintDiagnostics({ automations, config: p.load.config, historyFindings: history.findings });
  const plan: Plan = { ...p.plan, diagnostics: sortDiagnostics([...p.plan.diagnostics, ...linted]) };
  return { ...p, plan, diagnostics: plan.diagnostics };
}

export interface BacktestCommandOptions extends CommonOptions, LivePeriodOptions {
  /** History files or folders (JSONL events, W&B CSV exports with `.run.json` metadata); empty: the live backend's. */
  readonly history: readonly string[];
  /** Evaluator options (default: W&B's semantics). */
  readonly engine?: EngineOptions;
  /** Keep every run's metric series (bounded per run) for the HTML report: `series` in the outcome. */
  readonly series?: boolean;
}

export interface BacktestCommandOutcome {
  /** Definition diagnostics, or the history's when it could not be read. */
  readonly diagnostics: readonly Diagnostic[];
  /** Absent when the definitions or the history are invalid. */
  readonly report?: BacktestReport;
  /** 0 done, 1 the history is invalid, 3 the definitions are invalid. */
  readonly exitCode: ExitCode;
  /** With `series`: the runs' metric series, and the definitions by address (what `renderBacktestHtml` draws). */
  readonly series?: import("./backtest/series.js").SeriesCollector;
  readonly specs?: ReadonlyMap<string, import("@tripwire/sdk").AutomationSpec>;
}

/**
 * Replays recorded history through the definitions (offline: nothing is read from any backend) and reports per
 * automation how often it would have fired, for which runs (steps) or artifacts, and its busiest day.
 * @example const { report } = await backtest({ cwd: process.cwd(), history: ["history/"] });
 */
export async function backtest(options: BacktestCommandOptions): Promise<BacktestCommandOutcome> {
  const reporter = options.reporter ?? SILENT;
  const checked = await validate(options);
  if (hasErrors(checked.diagnostics)) return { diagnostics: checked.diagnostics, exitCode: checked.exitCode };
  const automations = checked.load.automations.map((a) => ({ id: a.address, address: a.address, spec: a.spec }));
  const { runBacktest } = await import("./backtest/backtest.js");
  const series = options.series ? new (await import("./backtest/series.js")).SeriesCollector((await import("./backtest/sink.js")).watchedMetrics(automations.map((a) => a.spec))) : undefined;
  const live = options.history.length === 0 ? await openLiveHistory(options, checked.load) : undefined;
  if (live && "diagnostics" in live) return { diagnostics: [...checked.diagnostics, ...live.diagnostics], exitCode: EXIT.error };
  let outcome: Awaited<ReturnType<typeof runBacktest>>;
  try {
    outcome = await runBacktest(automations, {
      cwd: options.cwd,
      history: options.history,
      ...(live ? { live: live.source } : {}),
      ...(series ? { series } : {}),
      ...(options.engine ? { engine: options.engine } : {}),
      onFile: (file, i, n) => reporter.message("TWI006", `backtesting over ${file}${n > 1 ? ` (${i + 1} of ${n})` : ""}`),
    });
  } finally {
    await live?.close();
  }
  if (!outcome.ok) return { diagnostics: [...checked.diagnostics, ...outcome.diagnostics], exitCode: EXIT.error };
  const specs = new Map(automations.map((a) => [a.address, a.spec]));
  return { diagnostics: checked.diagnostics, report: outcome.report, exitCode: EXIT.ok, ...(series ? { series, specs } : {}) };
}

export interface ApplyOptions extends CommonOptions {
  /** The pull request's labels, for policies such as `org-scope-label` (checked at plan time only). */
  readonly labels?: readonly string[];
  /** Apply this saved plan (`tripwire plan --out`) exactly, refusing it if the live state changed since. */
  readonly planFile?: string;
  /** Skip the confirmation. */
  readonly yes?: boolean;
  /** Allow the plan's deletions without a confirmation. */
  readonly allowDelete?: boolean;
  /** Asks the user (on a terminal); absent when no one can answer, so apply needs `yes`. */
  readonly confirm?: (plan: Plan) => Promise<boolean>;
  /** Shown the plan before anything is asked or written. */
  readonly onPlan?: (plan: Plan) => void;
}

export interface ApplyOutcome {
  readonly diagnostics: readonly Diagnostic[];
  readonly plan?: Plan;
  readonly results: readonly OpResult[];
  /** Differences still present after the apply (re-read from the backend). */
  readonly remaining: readonly string[];
  /** Why nothing was applied, when it was refused (stale plan, no confirmation). */
  readonly refused?: string;
  readonly exitCode: ExitCode;
}

/**
 * Applies a plan: prerequisites, renames, deletes, updates, creates (bounded concurrency; one failure never
 * stops independent operations), then re-reads the live state and reports what still differs. Re-running after
 * an interruption converges: names are unique per scope and Tripwire's marker identifies its own automations.
 * @example const { exitCode, results } = await apply({ cwd: process.cwd(), yes: true });
 */
export async function apply(options: ApplyOptions): Promise<ApplyOutcome> {
  const reporter = options.reporter ?? SILENT;
  let planned: Planned;
  if (options.planFile) planned = await loadSavedPlan(options);
  else planned = await makePlan(options, true);
  const { plan, backend } = planned;
  const done = (outcome: Omit<ApplyOutcome, "diagnostics">): ApplyOutcome => ({ diagnostics: planned.diagnostics, ...outcome });
  if (!plan || !backend) {
    await backend?.close();
    return done({ results: [], remaining: [], exitCode: exitCodeOf(planned.diagnostics), ...(plan ? { plan } : {}) });
  }
  try {
    // A plan that fails a policy is not applied (a saved plan also carries the violations found when it was made).
    const refused = await policyDiagnostics(planned.load.config, planned.webhookUrls, { plan, labels: options.labels, stage: "apply" });
    if (refused.length > 0) {
      const checked: Plan = { ...plan, diagnostics: sortDiagnostics([...plan.diagnostics, ...refused]) };
      options.onPlan?.(checked);
      return { diagnostics: checked.diagnostics, plan: checked, results: [], remaining: [], refused: `the plan fails ${refused.length} polic${refused.length === 1 ? "y check" : "y checks"}`, exitCode: EXIT.diagnostics };
    }
    options.onPlan?.(plan);
    if (hasErrors(plan.diagnostics)) return done({ plan, results: [], remaining: [], exitCode: EXIT.diagnostics });
    if (!hasChanges(plan)) return done({ plan, results: [], remaining: [], exitCode: EXIT.ok });
    const deletes = plan.operations.filter((o) => o.op === "delete").length;
    let approved = options.yes === true;
    if (!approved) {
      if (!options.confirm) {
        return done({ plan, results: [], remaining: [], refused: "refusing to apply without --yes: no terminal to confirm on", exitCode: EXIT.error });
      }
      approved = await options.confirm(plan);
      if (!approved) return done({ plan, results: [], remaining: [], refused: "apply cancelled", exitCode: EXIT.error });
    }
    if (deletes > 0 && !options.allowDelete && (options.yes || !options.confirm)) {
      return done({
        plan,
        results: [],
        remaining: [],
        refused: `the plan destroys ${deletes} automation${deletes === 1 ? "" : "s"}: pass --allow-delete, or confirm on a terminal`,
        exitCode: EXIT.error,
      });
    }
    const parallelism = options.parallelism ?? planned.load.config.parallelism ?? 8;
    reporter.message("TWI002", `applying ${plan.operations.length} change${plan.operations.length === 1 ? "" : "s"} to ${backend.url}`);
    const results = await executePlan(plan, backend, { parallelism, config: planned.load.config, onProgress: (r) => reporter.progress(r) });
    reporter.message("TWI004", "re-reading the live state to verify");
    const after = await readLiveState(backend.client, plan.read.entities, parallelism);
    const remaining = verifyApplied(plan, after.automations);
    const failed = results.some((r) => !r.ok) || remaining.length > 0;
    return done({ plan, results, remaining, exitCode: failed ? EXIT.error : EXIT.ok });
  } finally {
    await backend.close();
  }
}

async function loadSavedPlan(options: ApplyOptions): Promise<Planned> {
  const file = resolvePath(options.cwd, options.planFile as string);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ReconcilerError("TWE005", `cannot read the saved plan ${options.planFile}: ${(error as Error).message}`, { cause: error });
  }
  const major = String((json as { format_version?: unknown } | null)?.format_version ?? "").split(".")[0];
  if (major !== PLAN_FORMAT_VERSION.split(".")[0]) {
    throw new ReconcilerError("TWE005", `${options.planFile} is not a Tripwire plan of format ${PLAN_FORMAT_VERSION}`);
  }
  const checked = parsePlan(json);
  if (!checked.ok) throw new ReconcilerError("TWE005", `${options.planFile} is not a valid Tripwire plan: ${checked.problem}`);
  const plan = checked.plan;
  const { config, configFile, diagnostics } = await loadConfig({ cwd: options.cwd, ...(options.configFile ? { configFile: options.configFile } : {}) });
  if (hasErrors(diagnostics)) {
    return { load: { config, files: [], automations: [], diagnostics }, diagnostics, desired: [] };
  }
  const env = options.env ?? process.env;
  const backend = await (options.openBackend ?? defaultOpenBackend)({ cwd: options.cwd, config, env, configDir: configDirOf(options.cwd, configFile), reporter: options.reporter ?? SILENT });
  try {
    if (backend.url !== plan.backend.url) {
      throw new ReconcilerError("TWE004", `the plan was made against ${plan.backend.url}, not ${backend.url}`);
    }
    const parallelism = options.parallelism ?? config.parallelism ?? 8;
    if (!matchesState(backend, await readState(backend, plan.read, parallelism), plan)) {
      throw new ReconcilerError("TWE004", "the saved plan is stale: the live state changed since it was made; run tripwire plan again");
    }
  } catch (error) {
    await backend.close();
    throw error;
  }
  return { load: { config, files: [], automations: [], diagnostics: [] }, plan, diagnostics: plan.diagnostics, backend, desired: [] };
}

export interface TestOptions extends Omit<CommonOptions, "paths" | "openBackend" | "parallelism"> {
  /** Test files, or folders searched for `*.test.yaml`, `*.test.yml`, `*.test.json` (default: the working directory). */
  readonly files?: readonly string[];
}

export interface TestOutcome {
  readonly results: readonly TestFileResult[];
  /** Test files that could not be found. */
  readonly diagnostics: readonly Diagnostic[];
  /** 0 every test passed, 1 a test failed or a test file is invalid, 3 the definitions are invalid. */
  readonly exitCode: ExitCode;
}

/**
 * Runs YAML / JSON tests of the definitions (offline): each test's runs and artifact events through the evaluator,
 * each expectation checked ("fires" or "must not fire", on a run, at a step, so many times).
 * @example const { exitCode, results } = await testAutomations({ cwd: process.cwd(), files: ["tests/"] });
 */
export async function testAutomations(options: TestOptions): Promise<TestOutcome> {
  const { runTestFiles, testFiles } = await import("./testing/index.js");
  const { files, diagnostics } = testFiles(options.files && options.files.length > 0 ? options.files : ["."], options.cwd);
  if (diagnostics.length > 0) return { results: [], diagnostics, exitCode: EXIT.error };
  const cache = new Map<string, Promise<{ automations: EngineAutomation[]; diagnostics: Diagnostic[] }>>();
  const results = await runTestFiles(files, options.cwd, (paths, base) => {
    // Named definitions are relative to the test file; the project's are found from the working directory.
    const resolved = paths?.map((p) => resolvePath(base, p));
    const key = JSON.stringify(resolved ?? null);
    let loaded = cache.get(key);
    if (loaded === undefined) {
      loaded = validate({ ...options, ...(resolved ? { paths: resolved } : {}) }).then((v) => ({
        automations: v.load.automations.map((a) => ({ id: a.address, spec: a.spec })),
        diagnostics: [...v.diagnostics],
      }));
      cache.set(key, loaded);
    }
    return loaded;
  });
  const definitionErrors = results.some((r) => r.diagnostics.some((d) => d.severity === "error" && !inFamily(TEST_FILE_CODES, d.code)));
  const failed = results.some((r) => r.diagnostics.some((d) => d.severity === "error") || r.tests.some((t) => !t.ok));
  return { results, diagnostics: [], exitCode: definitionErrors ? EXIT.diagnostics : failed ? EXIT.error : EXIT.ok };
}

export { isReconcilerError };
