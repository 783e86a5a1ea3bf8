import type { Plan } from "../plan/plan.js";

/**
 * The plan as one JSON document (the contract in JSON_CONTRACT.md): the plan data itself plus whether it can be
 * applied. `tripwire apply plan.json` reads exactly this.
 */
export function renderJson(plan: Plan): string {
  const applyable = !plan.diagnostics.some((d) => d.severity === "error");
  return `${JSON.stringify({ ...plan, applyable }, null, 2)}\n`;
}
