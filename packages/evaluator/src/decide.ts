/**
 * The decisions of run-metric automations, in one place: whether a threshold holds, what a change is, whether a
 * change or z-score goes far enough in its direction, and the guard bands (how far a running estimate may be from
 * the exact aggregate, and within which distance of a decision boundary a decision made on running estimates must
 * be made again on exact aggregates) for threshold means, changes and z-scores. The three forms of a window in
 * `windows/` (the reference, the streaming channels, the columnar kernels) and the engine's metric and columnar
 * paths (`engine/metric.ts`, `engine/columnar.ts`) all call these; the engine passes the comparison and direction
 * as the small codes its typed arrays hold (`CMP_CODE`, `DIR_CODE`), so a hot loop reads numbers, not strings.
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

/**
 * Whether a change or z-score goes at least `amount` in the direction (by its code): inclusive, as W&B decides.
 * The reference `directionHolds` (`windows/reference.ts`) takes the direction by name and calls this.
 * @example directionHolds(-0.25, DIR_CODE.decrease, 0.25) // true
 */
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

/**
 * The guard-band factor of a running sum over a window of `w` values: how far a running mean may be from the
 * exact mean, per unit of `scale` (an upper bound of |value| since the last re-sum) / count: the running sum vs
 * the exact one is 2k roundings of ≤ (w+1)·scale since the last re-sum (k ≤ w), both sides' summation errors
 * (≤ w²·u·scale each) and the clamp into [min, max] (no larger than the summation error); ×2.
 */
export const sumFactor = (w: number): number => 2 * (5 * w * w + 2 * w + 2) * U;

/** The bound of a running mean's distance to the exact mean (`k` a window's `sumFactor`). */
export function meanError(k: number, scale: number, count: number, mean: number): number {
  return (k * scale) / count + 4 * U * (mean < 0 ? -mean : mean);
}

/** Whether a threshold decision on a running mean `x` (within `err` of the exact one) must be made on the exact mean. */
export function thresholdNear(x: number, threshold: number, err: number): boolean {
  return Math.abs(x - threshold) <= err;
}

/** Guard-band factors of sliding moments over `w` values: the running mean's and the running variance's, per scale (squared). */
export const momentMeanFactor = (w: number): number => 16 * (w + 2) * U;
export const momentVarFactor = (w: number): number => 512 * (w + 4) * U;

/**
 * The z-score of `x` from running moments (`mean` within `eMean`, `variance` within `eVar` of the exact ones),
 * or `NaN` when it cannot be decided on them against ±`threshold`: the spread is too small, or |z| is too close to
 * the threshold. Then the caller recomputes the z-score from the window's values (`zscoreOf`).
 */
export function runningZ(x: number, mean: number, variance: number, eMean: number, eVar: number, threshold: number): number {
  if (variance <= 4 * eVar) return NaN;
  const sigma = Math.sqrt(variance);
  const z = (x - mean) / sigma;
  const ez = (eMean + 2 * U * Math.abs(x - mean)) / sigma + (Math.abs(z) * eVar) / variance;
  const m = 2 * ez + 8 * U * Math.abs(z);
  return Math.abs(Math.abs(z) - threshold) <= m ? NaN : z;
}
