import type { PlanBacktest } from "../model/backtest.js";
import type { Plan } from "../model/plan.js";

/**
 * The plan as one JSON document (the contract in JSON_CONTRACT.md): the plan data itself plus whether it can be
 * applied, and the backtest of its changes when one was made (`plan --backtest`). `tripwire apply plan.json`
 * reads exactly this.
 */
export function renderJson(plan: Plan, backtest?: PlanBacktest): string {
  const applyable = !plan.diagnostics.some((d) => d.severity === "error");
  return `${JSON.stringify({ ...plan, applyable, ...(backtest ? { backtest } : {}) }, null, 2)}\n`;
}
