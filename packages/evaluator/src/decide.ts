/**
 * The decisions of run-metric automations, in one place: whether a threshold holds, what a change is, whether a
 * change or z-score goes far enough in its direction, and the guard band within which a decision made on running
 * estimates must be made again on exact aggregates. `aggregate.ts` (the reference), the streaming path and the
 * columnar kernel (`engine.ts`) all call these; the engine passes the comparison and direction as the small codes
 * its typed arrays hold (`CMP_CODE`, `DIR_CODE`), so a hot loop reads numbers, not strings.
 */
import type { Comparison, Direction } from "@tripwire/sdk";

/** Unit roundoff of IEEE doubles. */
export const U = 2 ** -53;

/** A comparison as the engine stores it. */
export const CMP_CODE: Readonly<Record<Comparison, number>> = { gt: 0, gte: 1, lt: 2, lte: 3, eq: 4, ne: 5 };
/** A direction as the engine stores it. */
export const DIR_CODE: Readonly<Record<Direction, number>> = { increase: 0, decrease: 1, any: 2 };

/** Whether `x cmp threshold` holds, the comparison by its code (`eq` / `ne` compare exactly; NaN holds only `ne`). */
export function thresholdHolds(x: number, cmp: number, threshold: number): boolean {
  return cmp === 0 ? x > threshold : cmp === 1 ? x >= threshold : cmp === 2 ? x < threshold : cmp === 3 ? x <= threshold : cmp === 4 ? x === threshold : x !== threshold;
}

/** The change from `prior` to `current`: absolute, or relative to |prior| (`NaN` when prior is 0). */
export function changeValue(current: number, prior: number, relative: boolean): number {
  return relative ? (prior === 0 ? NaN : (current - prior) / Math.abs(prior)) : current - prior;
}

/** Whether a change or z-score goes at least `amount` in the direction (by its code): inclusive, as W&B decides. */
export function directionHolds(delta: number, dir: number, amount: number): boolean {
  return dir === 0 ? delta >= amount : dir === 1 ? delta <= -amount : Math.abs(delta) >= amount;
}

/**
 * Whether a change `d` computed from running estimates (`cur`, `prior`, within `ec`, `ep` of the exact
 * aggregates) is too close to ±amount to be decided on them (then the caller recomputes from the exact ones).
 */
export function changeNear(cur: number, prior: number, ec: number, ep: number, d: number, relative: boolean, amount: number): boolean {
  let m: number;
  if (relative) {
    const P = Math.abs(prior) - ep;
    if (P <= ep) return true;
    m = (ec + ep) / P + (Math.abs(d) * ep) / P + 8 * U * (Math.abs(d) + (Math.abs(cur) + Math.abs(prior)) / P);
  } else {
    m = ec + ep + 4 * U * (Math.abs(cur) + Math.abs(prior));
  }
  return Math.abs(d - amount) <= m || Math.abs(d + amount) <= m;
}
