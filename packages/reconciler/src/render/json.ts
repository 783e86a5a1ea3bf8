// Every JSON document the CLI prints (`--json`), one function each: the envelopes' shapes live here, beside the
// plan document (the contract in JSON_CONTRACT.md), and the commands only choose which to print.
import type { HistoryEntry } from "@tripwire/server";
import type { ImportOutcome } from "../model/import.js";
import type { PlanBacktest } from "../model/backtest.js";
import type { OpResult, Plan } from "../model/plan.js";
import { sourceOf, type DesiredAutomation, type Diagnostic } from "../model/types.js";

const document = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The plan document itself plus whether it can be applied, and the backtest of its changes when one was made. */
function planDocument(plan: Plan, backtest?: PlanBacktest): object {
  const applyable = !plan.diagnostics.some((d) => d.severity === "error");
  return { ...plan, applyable, ...(backtest ? { backtest } : {}) };
}

/**
 * The plan as one JSON document (the contract in JSON_CONTRACT.md): the plan data itself plus whether it can be
 * applied, and the backtest of its changes when one was made (`plan --backtest`). `tripwire apply plan.json`
 * reads exactly this.
 */
export function renderJson(plan: Plan, backtest?: PlanBacktest): string {
  return document(planDocument(plan, backtest));
}

/** `plan --json`, `backtest --json` when the definitions are invalid: nothing was planned or replayed. */
export function renderInvalidJson(diagnostics: readonly Diagnostic[]): string {
  return document({ valid: false, diagnostics });
}

/** `validate --json`. */
export function renderValidateJson(automations: readonly DesiredAutomation[], diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return document({
    valid: errors === 0,
    error_count: errors,
    warning_count: diagnostics.length - errors,
    automations: automations.map((a) => ({ address: a.address, source: sourceOf(a) })),
    diagnostics,
  });
}

/** `lint --json`: the history is the files read, `"live"`, or `null` without one. */
export function renderLintJson(diagnostics: readonly Diagnostic[], history: readonly string[] | "live" | null): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return document({ error_count: errors, warning_count: diagnostics.length - errors, history, diagnostics });
}

/** `apply --json`. */
export function renderApplyJson(outcome: { readonly results: readonly OpResult[]; readonly remaining: readonly string[]; readonly diagnostics: readonly Diagnostic[]; readonly plan?: Plan | undefined; readonly refused?: string | undefined; readonly exitCode: number }): string {
  return document({
    applied: outcome.results.length > 0 && outcome.exitCode === 0,
    refused: outcome.refused ?? null,
    results: outcome.results,
    remaining: outcome.remaining,
    diagnostics: outcome.diagnostics,
    plan: outcome.plan ? planDocument(outcome.plan) : null,
  });
}

/** `import --json`: the outcome without its exit code; the generated text only on a dry run. */
export function renderImportJson(outcome: ImportOutcome, dryRun: boolean): string {
  const { text, exitCode: _exitCode, ...rest } = outcome;
  return document({ ...rest, ...(dryRun && text !== undefined ? { text } : {}) });
}

/** `history --json`: the executions read. */
export function renderHistoryJson(executions: readonly HistoryEntry[]): string {
  return document({ version: 1, executions });
}

/** `history --json --follow`: one execution per line. */
export function renderHistoryEntryJson(entry: HistoryEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** Any command's `--json` when the run stops before the command could print its own document. */
export function renderErrorJson(kind: "usage" | "failure" | "internal", code: string, message: string): string {
  return document({ error: { kind, code, message } });
}
