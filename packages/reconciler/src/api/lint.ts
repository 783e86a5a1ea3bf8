import { openLiveHistory, validate, EXIT, type CommonOptions, type ExitCode, type LivePeriodOptions } from "../api.js";
import { sortDiagnostics } from "../model/diagnostics.js";
import { hasErrors, type Diagnostic } from "../model/types.js";
import type { LoadResult } from "../load/load.js";
import { historyAware, type HistorySource } from "../lint/history.js";
import { fileHistory } from "./history.js";
import { lintDiagnostics } from "../lint/lint.js";

export interface LintOptions extends CommonOptions, LivePeriodOptions {
  /** History files or folders for the history-aware checks (JSONL events, W&B CSV exports). */
  readonly history?: readonly string[];
  /** Another source of history (the live history of a backend); `history` files are used when absent. */
  readonly historySource?: HistorySource;
}

export interface LintOutcome {
  readonly load: LoadResult;
  /** The definitions' own diagnostics (validation, types), then the checks' findings. */
  readonly diagnostics: readonly Diagnostic[];
  /** 0 no error-severity finding, 1 the history could not be read, 3 errors. */
  readonly exitCode: ExitCode;
}

/**
 * Validates the definitions and runs the lint checks: the offline ones always, the history-aware ones when history
 * is given (`history` or `historySource`), or a period (`since`, `from`, `to`) for the backend's live run history.
 * Without a period nothing is read from any backend.
 * @example const { diagnostics, exitCode } = await lint({ cwd: process.cwd(), history: ["history/"] });
 */
export async function lint(options: LintOptions): Promise<LintOutcome> {
  const checked = await validate(options);
  const files = options.history && options.history.length > 0 ? fileHistory(options.history, options.cwd) : undefined;
  const period = options.since !== undefined || options.from !== undefined || options.to !== undefined;
  const live = !options.historySource && !files && period && !hasErrors(checked.diagnostics) ? await openLiveHistory(options, checked.load) : undefined;
  if (live && "diagnostics" in live) return { load: checked.load, diagnostics: sortDiagnostics([...checked.diagnostics, ...live.diagnostics]), exitCode: EXIT.error };
  const source = options.historySource ?? files ?? (live ? (await import("./live-history.js")).liveLintHistory(checked.load.automations.map((a) => a.spec), live.source) : undefined);
  let extra: Awaited<ReturnType<typeof historyAware>>;
  try {
    extra = await historyAware(checked.load.automations, source);
  } finally {
    await live?.close();
  }
  if (extra.failed) return { load: checked.load, diagnostics: sortDiagnostics([...checked.diagnostics, ...extra.diagnostics]), exitCode: EXIT.error };
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...lintDiagnostics({ automations: checked.load.automations, config: checked.load.config, ...(source ? { historyFindings: extra.findings } : {}) })]);
  return { load: checked.load, diagnostics, exitCode: hasErrors(diagnostics) ? EXIT.diagnostics : EXIT.ok };
}

