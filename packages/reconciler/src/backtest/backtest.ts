/**
 * The backtest stage: automations and recorded history in, what each automation would have done out. One pass
 * over the history, streaming: memory is the evaluator's per-run state, one columnar batch and the firings.
 */
import { createEngine, formatTimestamp, type EngineAutomation, type EngineOptions, type Firing, parseTimestamp } from "@tripwire/evaluator";
import type { AutomationSpec } from "@tripwire/sdk";
import { relative } from "node:path";
import type { Diagnostic } from "../model/types.js";
import { isReconcilerError } from "../model/errors.js";
import { historyFiles, readHistoryFile } from "./history.js";
import { feedLive, liveUnsupported, type LiveSource } from "./live.js";
import { FiringRecorder } from "./report.js";
import type { AutomationBacktest, BacktestReport, HistoryStats, LiveStats } from "../model/backtest.js";
import type { SeriesCollector } from "./series.js";
import { HistorySink, watchedMetrics } from "./sink.js";

/** An automation to backtest: its engine id, the address and name to report it under, and its definition. */
export interface BacktestAutomation {
  readonly id: string;
  readonly address: string;
  readonly spec: AutomationSpec;
}

export interface BacktestOptions {
  /** Working directory: history paths and diagnostics are relative to it. */
  readonly cwd: string;
  /** History files or folders (ignored with `live`). */
  readonly history: readonly string[];
  /** Read the history from the live backend instead of files. */
  readonly live?: LiveSource;
  /** Engine options (default: W&B's semantics — full windows, one firing per automation and run per 24 h). */
  readonly engine?: EngineOptions;
  /** Collects the metric series of every run, for the report's plots (`backtest --html`). */
  readonly series?: SeriesCollector;
  /** Rows per columnar batch (tests make it small to exercise batch boundaries). */
  readonly batchRows?: number;
  /** Told when each file starts, for progress on a terminal. */
  readonly onFile?: (file: string, index: number, count: number) => void;
}

/** The report, or the diagnostics that stopped it (no report is made from history that could not be read). */
export type BacktestOutcome = { readonly ok: true; readonly report: BacktestReport } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Replays the history through the evaluator and reports, per automation, its firings.
 * @example
 * const outcome = await runBacktest(load.automations.map((a) => ({ id: a.address, address: a.address, spec: a.spec })), { cwd, history: ["history/"] });
 * if (outcome.ok) for (const a of outcome.report.automations) console.log(a.address, a.firings);
 */
export async function runBacktest(automations: readonly BacktestAutomation[], options: BacktestOptions): Promise<BacktestOutcome> {
  if (options.live) return runLiveBacktest(automations, options, options.live);
  const { files, diagnostics } = historyFiles(options.history, options.cwd);
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const engine = createEngine(
    automations.map((a): EngineAutomation => ({ id: a.id, spec: a.spec })),
    options.engine,
  );
  const recorder = new FiringRecorder();
  const metrics = watchedMetrics(automations.map((a) => a.spec));
  const sink = options.batchRows === undefined ? new HistorySink(engine, recorder, metrics) : new HistorySink(engine, recorder, metrics, options.batchRows);
  sink.series = options.series;
  const problems: Diagnostic[] = [];
  for (const [i, file] of files.entries()) {
    options.onFile?.(relative(options.cwd, file), i, files.length);
    const found = await readHistoryFile(file, options.cwd, sink);
    problems.push(...found);
  }
  if (problems.length > 0) return { ok: false, diagnostics: problems };
  sink.flush();
  const unsupported = new Map(engine.unsupported.map((u) => [u.automationId, u.reason]));
  const history: HistoryStats = {
    files: files.map((f) => relative(options.cwd, f)),
    events: sink.events,
    runs: sink.runs,
    from: sink.events > 0 ? formatTimestamp(sink.minTime) : null,
    to: sink.events > 0 ? formatTimestamp(sink.maxTime) : null,
  };
  const results: AutomationBacktest[] = automations.map((a) => recorder.result(a.id, a.address, a.spec.name, unsupported.get(a.id)));
  return { ok: true, report: { history, automations: results } };
}

/** Only the firings inside the period: a run is replayed from its start, so its windows hold what came before. */
class PeriodRecorder extends FiringRecorder {
  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {
    super();
  }
  override record(firings: readonly Firing[]): void {
    super.record(firings.filter((f) => {
      const t = parseTimestamp(f.at);
      return t >= this.from && t <= this.to;
    }));
  }
}

async function runLiveBacktest(automations: readonly BacktestAutomation[], options: BacktestOptions, live: LiveSource): Promise<BacktestOutcome> {
  const engine = createEngine(
    automations.map((a): EngineAutomation => ({ id: a.id, spec: a.spec })),
    options.engine,
  );
  const from = formatTimestamp(live.from);
  const to = formatTimestamp(live.to);
  const recorder = new PeriodRecorder(live.from, live.to);
  const specs = automations.map((a) => a.spec);
  const metrics = watchedMetrics(specs);
  const sink = options.batchRows === undefined ? new HistorySink(engine, recorder, metrics) : new HistorySink(engine, recorder, metrics, options.batchRows);
  sink.series = options.series;
  let stats: LiveStats;
  try {
    stats = await feedLive(specs, metrics, sink, live);
  } catch (error) {
    if (!isReconcilerError(error)) throw error;
    return { ok: false, diagnostics: [{ code: error.code, severity: "error", message: `the live history could not be read from ${live.transport.url}: ${error.message.replace(/^TW[A-Z]?\d+: /, "")}` }] };
  }
  sink.flush();
  const unsupported = new Map(engine.unsupported.map((u) => [u.automationId, u.reason]));
  for (const a of automations) {
    const why = liveUnsupported(a.spec);
    if (why !== undefined && !unsupported.has(a.id)) unsupported.set(a.id, why);
  }
  const history: HistoryStats = { files: [], events: sink.events, runs: stats.runs, from, to, live: stats };
  const results: AutomationBacktest[] = automations.map((a) => recorder.result(a.id, a.address, a.spec.name, unsupported.get(a.id)));
  return { ok: true, report: { history, automations: results } };
}
