/**
 * The backtest of a plan: for each created, changed, renamed or destroyed automation, the firings of its live
 * definition and of the code's, replayed together in one pass over the history — the change in notification
 * volume a reviewer cares about. The plan itself stays as it was; this is attached beside it.
 */
import type { Plan } from "../model/plan.js";
import { runBacktest, type BacktestAutomation, type BacktestOptions } from "./backtest.js";
import { subjectKey, type AutomationBacktest, type BacktestAction, type BacktestChange, type BacktestSide, type HistoryStats, type PlanBacktest, type Subject } from "../model/backtest.js";
import type { AutomationSpec } from "@tripwire/sdk";
import type { Diagnostic } from "../model/types.js";

const DAY_MS = 86_400_000;

/** Days between the history's first and last time (two decimals; at least 1, 0 for an empty history). */
export function periodDays(h: HistoryStats): number {
  if (h.from === null || h.to === null) return 0;
  return Math.max(1, Math.round(((Date.parse(h.to) - Date.parse(h.from)) / DAY_MS) * 100) / 100);
}

const side = (b: AutomationBacktest, days: number): BacktestSide => ({
  firings: b.firings,
  subjects: b.subjects.length,
  busiestDay: b.busiestDay,
  perDay: days > 0 ? Math.round((b.firings / days) * 100) / 100 : 0,
  daily: b.daily,
  ...(b.unsupported !== undefined ? { unsupported: b.unsupported } : {}),
});

const actionOf = (spec: AutomationSpec): BacktestAction => (spec.action.type === "notification" ? "slack" : spec.action.type === "webhook" ? "webhook" : "none");

/**
 * The noise warnings of a plan's backtest: each change whose busiest day sends more than `maxPerDay` Slack messages
 * or webhook calls, and more than before the change (TW4012, config `noise: { maxPerDay }`).
 */
export function noiseDiagnostics(backtest: PlanBacktest, maxPerDay: number | undefined): Diagnostic[] {
  if (maxPerDay === undefined) return [];
  const out: Diagnostic[] = [];
  for (const c of backtest.changes) {
    const after = c.after?.busiestDay;
    if (c.action === "none" || after === undefined || after === null || after.firings <= maxPerDay) continue;
    const before = c.before?.busiestDay?.firings ?? 0;
    if (after.firings <= before) continue;
    const what = c.action === "slack" ? "Slack messages" : "webhook calls";
    out.push({
      code: "TW4012",
      severity: "warning",
      message: `${c.address} would send ${after.firings.toLocaleString("en-US")} ${what} on its busiest day (${after.day}) of the backtest, above noise.maxPerDay ${maxPerDay.toLocaleString("en-US")}${before > 0 ? ` (${before.toLocaleString("en-US")} before this change)` : ""}`,
    });
  }
  return out;
}

/** Subjects of `a` that `b` lacks, in `a`'s order (most firings first). */
function missing(a: AutomationBacktest | undefined, b: AutomationBacktest | undefined): Subject[] {
  if (a === undefined) return [];
  const keys = new Set((b?.subjects ?? []).map((s) => subjectKey(s.subject)));
  return a.subjects.filter((s) => !keys.has(subjectKey(s.subject))).map((s) => s.subject);
}

/**
 * Backtests the old and new definitions of each operation of the plan (deletes: the old one only).
 * @example
 * const r = await backtestPlan(plan, { cwd, history: ["history/"] });
 * if (r.ok) for (const c of r.backtest.changes) console.log(c.address, c.before?.firings ?? 0, "→", c.after?.firings ?? 0);
 */
export async function backtestPlan(
  plan: Plan,
  options: BacktestOptions,
): Promise<{ ok: true; backtest: PlanBacktest } | { ok: false; diagnostics: readonly Diagnostic[] }> {
  const automations: BacktestAutomation[] = [];
  for (const [i, op] of plan.operations.entries()) {
    if (op.op !== "create" && op.before) automations.push({ id: `${i}:before`, address: op.address, spec: op.before });
    if (op.op !== "delete") automations.push({ id: `${i}:after`, address: op.address, spec: op.after });
  }
  const outcome = await runBacktest(automations, options);
  if (!outcome.ok) return outcome;
  const byId = new Map(automations.map((a, k) => [a.id, outcome.report.automations[k] as AutomationBacktest]));
  const days = periodDays(outcome.report.history);
  const changes: BacktestChange[] = [];
  for (const [i, op] of plan.operations.entries()) {
    const before = byId.get(`${i}:before`);
    const after = byId.get(`${i}:after`);
    if (before === undefined && after === undefined) continue; // a delete whose live definition could not be read
    changes.push({
      address: op.address,
      op: op.op,
      before: before ? side(before, days) : null,
      after: after ? side(after, days) : null,
      newlyFiring: missing(after, before),
      noLongerFiring: missing(before, after),
      action: ((spec) => (spec ? actionOf(spec) : "none"))(op.op === "delete" ? op.before : op.after),
    });
  }
  return { ok: true, backtest: { history: outcome.report.history, days, changes } };
}
