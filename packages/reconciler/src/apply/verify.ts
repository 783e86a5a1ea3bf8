import { specsEqual } from "@tripwire/sdk";
import type { Plan } from "../model/plan.js";
import type { LiveAutomation } from "../model/types.js";
import { definitionHash } from "../model/ownership.js";

/**
 * What still differs after an apply: for every operation, whether the live state now shows its effect
 * (created, updated and renamed automations hold the definition and Tripwire's marker; deleted ones are gone).
 */
export function verifyApplied(plan: Plan, live: readonly LiveAutomation[]): string[] {
  const byAddress = new Map(live.map((l) => [l.address, l]));
  const ids = new Set(live.map((l) => l.id));
  const remaining: string[] = [];
  for (const op of plan.operations) {
    if (op.op === "delete") {
      if (ids.has(op.id)) remaining.push(`${op.address}: still exists`);
      continue;
    }
    const l = byAddress.get(op.address);
    if (!l || !l.spec) remaining.push(`${op.address}: missing`);
    else if (!specsEqual(l.spec, op.after)) remaining.push(`${op.address}: differs from the code`);
    else if (l.ownership?.owner !== plan.owner || l.ownership.hash !== definitionHash(op.after) || l.ownership.protect !== Boolean(op.after.protect)) {
      remaining.push(`${op.address}: ownership marker not recorded`);
    }
  }
  return remaining;
}
