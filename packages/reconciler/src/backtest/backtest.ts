/**
 * The backtest stage: automations and recorded history in, what each automation would have done out. One pass
 * over the history, streaming: memory is the evaluator's per-run state, one columnar batch and the firings.
 */
import { createEngine, formatTimestamp, type EngineAutomation, type EngineOptions } from "@tripwire/evaluator";
import type { AutomationSpec } from "@tripwire/sdk";
import { relative } from "node:path";
import type { Diagnostic } from "../types.js";
import { historyFiles, readHistoryFile } from "./history.js";
import { FiringRecorder, type AutomationBacktest, type BacktestReport, type HistoryStats } from "./report.js";
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
  /** History files or folders. */
  readonly history: readonly string[];
  /** Engine options (default: W&B's semantics — full windows, one firing per automation and run per 24 h). */
  readonly engine?: EngineOptions;
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
  const { files, diagnostics } = historyFiles(options.history, options.cwd);
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const engine = createEngine(
    automations.map((a): EngineAutomation => ({ id: a.id, spec: a.spec })),
    options.engine,
  );
  const recorder = new FiringRecorder();
  const metrics = watchedMetrics(automations.map((a) => a.spec));
  const sink = options.batchRows === undefined ? new HistorySink(engine, recorder, metrics) : new HistorySink(engine, recorder, metrics, options.batchRows);
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
