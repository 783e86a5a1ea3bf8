import { brand, type Branded } from "../brand.js";
import {
  DEFAULTS,
  MAX_WINDOW,
  type Aggregation,
  type Comparison,
  type Direction,
  type RunMetricChangeSpec,
  type RunMetricThresholdSpec,
  type RunMetricZScoreSpec,
} from "../model/event.js";
import { TripwireError } from "../issues.js";
import { deepFreeze } from "./util.js";

type ThresholdData = Omit<RunMetricThresholdSpec, "runFilter">;
type ChangeData = Omit<RunMetricChangeSpec, "runFilter">;
type ZScoreData = Omit<RunMetricZScoreSpec, "runFilter">;

/** A condition on a run metric, ready for `onRunMetric(...)`. */
export interface MetricCondition<D extends ThresholdData | ChangeData | ZScoreData = ThresholdData | ChangeData | ZScoreData>
  extends Branded<"condition"> {
  readonly spec: D;
}

/** The comparisons of a threshold: the six of the W&B UI. */
export interface Comparable {
  /** Greater than. @example metric("loss").mean(5).gt(0.6) */
  gt(threshold: number): MetricCondition<ThresholdData>;
  /** Greater than or equal to. @example metric("acc").gte(0.9) */
  gte(threshold: number): MetricCondition<ThresholdData>;
  /** Less than. @example metric("gpu").mean(20).lt(5) */
  lt(threshold: number): MetricCondition<ThresholdData>;
  /** Less than or equal to. @example metric("acc").min(10).lte(0.5) */
  lte(threshold: number): MetricCondition<ThresholdData>;
  /** Equal to (W&B UI only; compares exactly). @example metric("epoch").eq(10) */
  eq(threshold: number): MetricCondition<ThresholdData>;
  /** Not equal to (W&B UI only). @example metric("status_code").ne(0) */
  ne(threshold: number): MetricCondition<ThresholdData>;
}

/** How much a change must be: `diff` is absolute, `frac` relative (0.25 = 25% of the prior window's value). */
export type ChangeAmount = { readonly diff: number; readonly frac?: never } | { readonly frac: number; readonly diff?: never };
/** A change between the current window and the `priorWindow` values logged just before it (default 50). */
export type WindowedChange = ChangeAmount & { readonly priorWindow?: number };
/** The latest value has no windows: it is compared with the value logged just before it. */
export type LatestChange = ChangeAmount & { readonly priorWindow?: never };

/** A change between two consecutive, non-overlapping windows. */
export interface Changeable<O> {
  /** @example metric("loss").mean(10).increasesBy({ frac: 0.5 }) */
  increasesBy(amount: O): MetricCondition<ChangeData>;
  /** @example metric("loss").mean(10).decreasesBy({ frac: 0.25, priorWindow: 50 }) */
  decreasesBy(amount: O): MetricCondition<ChangeData>;
  /** Increases or decreases by at least the amount. @example metric("lr").latest().changesBy({ diff: 0.01 }) */
  changesBy(amount: O): MetricCondition<ChangeData>;
}

/** A parameter type that turns a misuse into a compile error quoting `Message`. */
export interface Invalid<Message extends string> {
  readonly __invalid: Message;
}
/** `.latest()` takes no window: `latest(5)` is a compile error that says so. */
export type NoWindow = Invalid<"latest() has no window: aggregate a window with mean(n), min(n) or max(n)">;

/** A window aggregate of a metric (`mean(n)`, `min(n)`, `max(n)`). */
export interface AggregateOperand extends Comparable, Changeable<WindowedChange> {}
/** The latest logged value of a metric. */
export interface LatestOperand extends Comparable, Changeable<LatestChange> {}

/** A metric of a run; compare its latest value directly, or aggregate a window first. */
export interface MetricOperand extends LatestOperand {
  readonly name: string;
  /** Mean of the last `window` values (default 5 for thresholds, 10 for changes). @example metric("loss").mean(5).gt(0.6) */
  mean(window?: number): AggregateOperand;
  /** Same as `mean` (W&B's Python SDK spells it `avg`). @example metric("loss").avg(5).gt(0.6) */
  avg(window?: number): AggregateOperand;
  /** Minimum of the last `window` values. @example metric("acc").min(10).lt(0.5) */
  min(window?: number): AggregateOperand;
  /** Maximum of the last `window` values. @example metric("grad_norm").max(5).gt(100) */
  max(window?: number): AggregateOperand;
  /** The latest value alone (what comparing `metric(...)` directly does). @example metric("acc").latest().gte(0.9) */
  latest(noWindow?: NoWindow): LatestOperand;
  /** Z-score of the latest value against the last `window` values (default 30). @example metric("loss").zscore(30).abs().gt(3) */
  zscore(window?: number): ZScoreOperand;
}

/** A z-score: `gt(t)` fires on a rise of at least t standard deviations, `lt(-t)` on a drop, `abs().gt(t)` on either. */
export interface ZScoreOperand {
  /** @example metric("loss").zscore(30).gt(3) */
  gt(threshold: number): MetricCondition<ZScoreData>;
  /** Same as `gt` (W&B compares inclusively). @example metric("loss").zscore(30).gte(3) */
  gte(threshold: number): MetricCondition<ZScoreData>;
  /** A drop: `threshold` must be negative. @example metric("acc").zscore(30).lt(-2) */
  lt(threshold: number): MetricCondition<ZScoreData>;
  /** Same as `lt`. @example metric("acc").zscore(30).lte(-2) */
  lte(threshold: number): MetricCondition<ZScoreData>;
  /** Either direction. @example metric("loss").zscore(30).abs().gt(3) */
  abs(): { gt(threshold: number): MetricCondition<ZScoreData>; gte(threshold: number): MetricCondition<ZScoreData> };
}

/** Refuses a window over {@link MAX_WINDOW} where it is written, so the error points at the call. */
function bounded(name: string, what: string, window: unknown): void {
  if (typeof window === "number" && window > MAX_WINDOW) {
    throw new TripwireError("TW1030", `${name}: ${what} of ${window} values is larger than the maximum of ${MAX_WINDOW}`);
  }
}

function condition<D extends ThresholdData | ChangeData | ZScoreData>(spec: D): MetricCondition<D> {
  return Object.freeze(brand("condition", { spec: deepFreeze(spec) }));
}

// The operands' methods are shorthand methods over module-level functions, not arrows returned by helper closures:
// a definition file calls metric(...) for each of thousands of automations.
function threshold(name: string, agg: Aggregation | null, window: number | undefined, cmp: Comparison, value: number): MetricCondition<ThresholdData> {
  return condition<ThresholdData>({
    type: "runMetricThreshold",
    metric: name,
    agg,
    window: agg === null ? 1 : (window ?? DEFAULTS.thresholdWindow),
    cmp,
    threshold: value,
  });
}

function change(name: string, agg: Aggregation | null, window: number | undefined, direction: Direction, amount: WindowedChange): MetricCondition<ChangeData> {
  const given = amount as { diff?: unknown; frac?: unknown; priorWindow?: unknown };
  if ((given.diff === undefined) === (given.frac === undefined)) {
    throw new TripwireError("TW1004", `${name}: give exactly one of { diff } (absolute) or { frac } (relative)`);
  }
  if (agg === null && given.priorWindow !== undefined) {
    throw new TripwireError("TW1003", `${name}: the latest value has no prior window; aggregate with mean(n), min(n) or max(n) to compare windows`);
  }
  bounded(name, "a prior window", given.priorWindow);
  return condition<ChangeData>({
    type: "runMetricChange",
    metric: name,
    agg,
    window: agg === null ? 1 : (window ?? DEFAULTS.changeWindow),
    priorWindow: agg === null ? 1 : (amount.priorWindow ?? DEFAULTS.changePriorWindow),
    change: given.frac !== undefined ? "relative" : "absolute",
    direction,
    amount: (given.frac ?? given.diff) as number,
  });
}

/** The comparisons and changes of an operand, as own properties (spread into `metric(...)`'s own object). */
function operandMethods(name: string, agg: Aggregation | null, window: number | undefined): AggregateOperand {
  return {
    gt(t: number) {
      return threshold(name, agg, window, "gt", t);
    },
    gte(t: number) {
      return threshold(name, agg, window, "gte", t);
    },
    lt(t: number) {
      return threshold(name, agg, window, "lt", t);
    },
    lte(t: number) {
      return threshold(name, agg, window, "lte", t);
    },
    eq(t: number) {
      return threshold(name, agg, window, "eq", t);
    },
    ne(t: number) {
      return threshold(name, agg, window, "ne", t);
    },
    increasesBy(amount: WindowedChange) {
      return change(name, agg, window, "increase", amount);
    },
    decreasesBy(amount: WindowedChange) {
      return change(name, agg, window, "decrease", amount);
    },
    changesBy(amount: WindowedChange) {
      return change(name, agg, window, "any", amount);
    },
  };
}

function operand(name: string, agg: Aggregation | null, window: number | undefined): AggregateOperand {
  bounded(name, "a window", window);
  return Object.freeze(operandMethods(name, agg, window));
}

function zscoreCondition(name: string, window: number, direction: Direction, threshold: number): MetricCondition<ZScoreData> {
  return condition<ZScoreData>({ type: "runMetricZScore", metric: name, window, direction, threshold });
}

function zscoreRise(name: string, window: number, t: number): MetricCondition<ZScoreData> {
  if (t < 0) throw new TripwireError("TW1005", `${name}.zscore(...).gt(${t}): a rise needs a positive threshold; use lt(${t}) for a drop`);
  return zscoreCondition(name, window, "increase", t);
}

function zscoreDrop(name: string, window: number, t: number): MetricCondition<ZScoreData> {
  if (t > 0) throw new TripwireError("TW1005", `${name}.zscore(...).lt(${t}): a drop needs a negative threshold, lt(${-t}); use gt(${t}) for a rise`);
  return zscoreCondition(name, window, "decrease", -t);
}

function zscore(name: string, window: number): ZScoreOperand {
  bounded(name, "a z-score window", window);
  return Object.freeze({
    gt(t: number) {
      return zscoreRise(name, window, t);
    },
    gte(t: number) {
      return zscoreRise(name, window, t);
    },
    lt(t: number) {
      return zscoreDrop(name, window, t);
    },
    lte(t: number) {
      return zscoreDrop(name, window, t);
    },
    abs() {
      return Object.freeze({
        gt(t: number) {
          return zscoreCondition(name, window, "any", t);
        },
        gte(t: number) {
          return zscoreCondition(name, window, "any", t);
        },
      });
    },
  });
}

/**
 * A run metric — a history metric such as `loss` or a system metric such as `gpu` — to build a threshold,
 * change or z-score condition for `onRunMetric`.
 * @example
 * onRunMetric(metric("loss").mean(5).gt(0.6))
 * onRunMetric(metric("loss").mean(10).decreasesBy({ frac: 0.25, priorWindow: 50 }))
 * onRunMetric(metric("loss").zscore(30).abs().gt(3))
 */
export function metric(name: string): MetricOperand {
  return Object.freeze({
    name,
    ...operandMethods(name, null, undefined),
    mean(window?: number) {
      return operand(name, "mean", window);
    },
    avg(window?: number) {
      return operand(name, "mean", window);
    },
    min(window?: number) {
      return operand(name, "min", window);
    },
    max(window?: number) {
      return operand(name, "max", window);
    },
    latest(...args: unknown[]) {
      if (args.length > 0 && args[0] !== undefined) {
        throw new TripwireError("TW1003", `metric("${name}").latest() has no window: aggregate a window with mean(n), min(n) or max(n)`);
      }
      return operand(name, null, undefined);
    },
    zscore(window?: number) {
      return zscore(name, window ?? DEFAULTS.zscoreWindow);
    },
  });
}
