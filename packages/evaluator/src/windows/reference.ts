/**
 * The reference definitions of every aggregate and comparison (spec §B.4–§B.6, §D.4), over a window given
 * oldest value first. The streaming windows (`windows/streaming.ts`) keep running estimates; whenever an estimate is too
 * close to a decision boundary to be sure, the engine recomputes with these functions, so every decision and
 * every reported value is exactly what these functions give on the window.
 */
import type { Aggregation, ChangeType, Comparison, Direction } from "@tripwire/sdk";
import { changeValue, CMP_CODE, DIR_CODE, directionHolds as directionCodeHolds, thresholdHolds } from "../decide.js";

/**
 * Mean as W&B's AVERAGE: the values summed oldest first, divided by their count, and clamped into the window's
 * [min, max]. A floating-point sum can land a few ulps outside (three values of 0.1 sum to 0.30000000000000004);
 * the clamp keeps min ≤ mean ≤ max exact, so a window of equal values averages to exactly that value.
 * @example meanOf([0.1, 0.1, 0.1]) // 0.1
 */
export function meanOf(values: ArrayLike<number>, from = 0, to = values.length): number {
  let s = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const x = values[i] as number;
    s += x;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const m = s / (to - from);
  return m < lo ? lo : m > hi ? hi : m;
}

/** @example minOf([3, 1, 2]) // 1 */
export function minOf(values: ArrayLike<number>, from = 0, to = values.length): number {
  let m = Infinity;
  for (let i = from; i < to; i++) if ((values[i] as number) < m) m = values[i] as number;
  return m;
}

/** @example maxOf([3, 1, 2]) // 3 */
export function maxOf(values: ArrayLike<number>, from = 0, to = values.length): number {
  let m = -Infinity;
  for (let i = from; i < to; i++) if ((values[i] as number) > m) m = values[i] as number;
  return m;
}

/**
 * The aggregate of a window; `null` is the latest value alone.
 * @example aggregateOf("mean", [1, 2, 6]) // 3
 */
export function aggregateOf(agg: Aggregation | null, values: ArrayLike<number>, from = 0, to = values.length): number {
  switch (agg) {
    case null:
      return values[to - 1] as number;
    case "mean":
      return meanOf(values, from, to);
    case "min":
      return minOf(values, from, to);
    case "max":
      return maxOf(values, from, to);
  }
}

/**
 * One of the six comparisons of a threshold (`eq`/`ne` compare exactly).
 * @example compare(0.7, "gt", 0.6) // true
 */
export function compare(x: number, cmp: Comparison, threshold: number): boolean {
  return thresholdHolds(x, CMP_CODE[cmp], threshold);
}

/**
 * The change from the prior window's aggregate to the current one: absolute, or relative to |prior| (`NaN` when prior is 0).
 * @example changeOf(9, 12, "relative") // -0.25
 */
export function changeOf(current: number, prior: number, type: ChangeType): number {
  return changeValue(current, prior, type === "relative");
}

/**
 * Whether a change (or a z-score) goes far enough in the direction: inclusive, as W&B evaluates it.
 * @example directionHolds(-0.25, "decrease", 0.25) // true
 */
export function directionHolds(delta: number, direction: Direction, amount: number): boolean {
  return directionCodeHolds(delta, DIR_CODE[direction], amount);
}

/** Standard deviation divisor: `population` divides by n, `sample` by n − 1. */
export type StdKind = "population" | "sample";

/**
 * Mean, standard deviation (two-pass) and z-score of `latest` against a window. `std` 0 gives z = NaN.
 * @example zscoreOf([1, 1, 1, 1, 5], 5, "population") // { mean: 1.8, std: 1.6, z: 2 }
 */
export function zscoreOf(
  values: ArrayLike<number>,
  latest: number,
  std: StdKind,
  from = 0,
  to = values.length,
): { mean: number; std: number; z: number } {
  const n = to - from;
  const mean = meanOf(values, from, to);
  let ss = 0;
  for (let i = from; i < to; i++) {
    const d = (values[i] as number) - mean;
    ss += d * d;
  }
  const sigma = Math.sqrt(ss / (std === "sample" ? n - 1 : n));
  return { mean, std: sigma, z: sigma === 0 ? NaN : (latest - mean) / sigma };
}
