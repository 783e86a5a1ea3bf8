/**
 * Columnar backtest kernels: the aggregates of one window over a whole stretch of one run's series at once,
 * for `pushColumns` when a run's rows are contiguous (as in a history export). Same definitions and the same
 * guard bands as the streaming windows (`windows/streaming.ts`), computed in tight loops over plain typed arrays:
 * running sums re-summed every `w` values; min / max by van Herk / Gil-Werman (block prefix and suffix
 * extremes: two passes, then O(1) per window), which is exact.
 */
import { meanError } from "../decide.js";
import { meanOf } from "./reference.js";

/**
 * The exact mean of the span (o, w) ending at series position `k` (fewer values at the start), as the reference
 * defines it: what a running mean too near a decision boundary is replaced with.
 * @example spanMean(Float64Array.of(1, 2, 3, 4), 1, 2, 3) // 2.5: the mean of 2 and 3
 */
export function spanMean(vals: Float64Array, o: number, w: number, k: number): number {
  const e = k - o;
  return meanOf(vals, Math.max(0, e - w + 1), e + 1);
}

/**
 * Running window means over `vals[0..end)`: `mean[e]` is the running estimate for the window of `w` values
 * ending at `e` (fewer at the start), `err[e]` a bound of its distance to the exact mean (`meanError`, `decide.ts`).
 */
export function windowMeans(vals: Float64Array, end: number, w: number, sumK: number, mean: Float64Array, err: Float64Array): void {
  let s = 0;
  let scale = 0;
  let since = 0;
  for (let e = 0; e < end; e++) {
    const x = vals[e] as number;
    s = e >= w ? s + x - (vals[e - w] as number) : s + x;
    const ax = x < 0 ? -x : x;
    if (ax > scale) scale = ax;
    if (++since >= w) {
      // re-sum the window oldest first, and its scale, exactly as the streaming state does
      const from = e - w + 1 < 0 ? 0 : e - w + 1;
      s = 0;
      scale = 0;
      for (let i = from; i <= e; i++) {
        const y = vals[i] as number;
        s += y;
        const ay = y < 0 ? -y : y;
        if (ay > scale) scale = ay;
      }
      since = 0;
    }
    const cnt = e + 1 < w ? e + 1 : w;
    const m = s / cnt;
    mean[e] = m;
    err[e] = meanError(sumK, scale, cnt, m);
  }
}

/**
 * Window minima (`max` false) or maxima over `vals[0..end)`: `out[e]` is the extreme of the `w` values ending at
 * `e` (fewer at the start). `tmp` is scratch of the same length.
 */
export function windowExtremes(vals: Float64Array, end: number, w: number, max: boolean, out: Float64Array, tmp: Float64Array): void {
  if (max) windowMax(vals, end, w, out, tmp);
  else windowMin(vals, end, w, out, tmp);
}

// Two copies rather than one with a flag: the comparison stays out of the inner loops' branches.
function windowMin(vals: Float64Array, end: number, w: number, out: Float64Array, tmp: Float64Array): void {
  // out[i]: extreme of i's block from its start to i; tmp[i]: from i to the block's end.
  for (let b = 0; b < end; b += w) {
    const stop = b + w < end ? b + w : end;
    let acc = vals[b] as number;
    out[b] = acc;
    for (let i = b + 1; i < stop; i++) {
      const x = vals[i] as number;
      if (x < acc) acc = x;
      out[i] = acc;
    }
    acc = vals[stop - 1] as number;
    tmp[stop - 1] = acc;
    for (let i = stop - 2; i >= b; i--) {
      const x = vals[i] as number;
      if (x < acc) acc = x;
      tmp[i] = acc;
    }
  }
  // The window [e − w + 1, e] spans at most two blocks: the end of the first, the start of the second.
  for (let e = end - 1; e >= w - 1; e--) {
    const p = out[e] as number;
    const q = tmp[e - w + 1] as number;
    out[e] = p < q ? p : q;
  }
}

function windowMax(vals: Float64Array, end: number, w: number, out: Float64Array, tmp: Float64Array): void {
  for (let b = 0; b < end; b += w) {
    const stop = b + w < end ? b + w : end;
    let acc = vals[b] as number;
    out[b] = acc;
    for (let i = b + 1; i < stop; i++) {
      const x = vals[i] as number;
      if (x > acc) acc = x;
      out[i] = acc;
    }
    acc = vals[stop - 1] as number;
    tmp[stop - 1] = acc;
    for (let i = stop - 2; i >= b; i--) {
      const x = vals[i] as number;
      if (x > acc) acc = x;
      tmp[i] = acc;
    }
  }
  for (let e = end - 1; e >= w - 1; e--) {
    const p = out[e] as number;
    const q = tmp[e - w + 1] as number;
    out[e] = p > q ? p : q;
  }
}
