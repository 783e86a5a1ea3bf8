/**
 * The backtest of a plan: for each created, changed, renamed or destroyed automation, the firings of its live
 * definition and of the code's, replayed together in one pass over the history — the change in notification
 * volume a reviewer cares about. The plan itself stays as it was; this is attached beside it.
 */
import type { Operation, Plan } from "../plan/plan.js";
import { runBacktest, type BacktestAutomation, type BacktestOptions } from "./backtest.js";
import { subjectKey, type AutomationBacktest, type HistoryStats, type Subject } from "./report.js";
import type { Diagnostic } from "../types.js";

/** One definition's backtest, in short. */
export interface BacktestSide {
  readonly firings: number;
  /** Distinct runs or artifact versions it fired for. */
  readonly subjects: number;
  readonly busiestDay: { readonly day: string; readonly firings: number } | null;
  /** The evaluator cannot decide this definition (it never fires here), and why. */
  readonly unsupported?: string;
}

/** An operation's old and new definitions, side by side. */
export interface BacktestChange {
  readonly address: string;
  readonly op: Operation["op"];
  /** The live definition's backtest; `null` for a create. */
  readonly before: BacktestSide | null;
  /** The code's definition's backtest; `null` for a delete. */
  readonly after: BacktestSide | null;
  /** Runs or artifact versions the new definition fires for and the old one did not. */
  readonly newlyFiring: readonly Subject[];
  /** Runs or artifact versions the old definition fired for and the new one does not. */
  readonly noLongerFiring: readonly Subject[];
}

/** The backtest part of a plan (`plan --backtest`). */
export interface PlanBacktest {
  readonly history: HistoryStats;
  readonly changes: readonly BacktestChange[];
}

const side = (b: AutomationBacktest): BacktestSide => ({
  firings: b.firings,
  subjects: b.subjects.length,
  busiestDay: b.busiestDay,
  ...(b.unsupported !== undefined ? { unsupported: b.unsupported } : {}),
});

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
  const changes: BacktestChange[] = [];
  for (const [i, op] of plan.operations.entries()) {
    const before = byId.get(`${i}:before`);
    const after = byId.get(`${i}:after`);
    if (before === undefined && after === undefined) continue; // a delete whose live definition could not be read
    changes.push({
      address: op.address,
      op: op.op,
      before: before ? side(before) : null,
      after: after ? side(after) : null,
      newlyFiring: missing(after, before),
      noLongerFiring: missing(before, after),
    });
  }
  return { ok: true, backtest: { history: outcome.report.history, changes } };
}
