import { describe, expect, it } from "vitest";
import { createEngine, replay, type ChangeExplanation, type ThresholdExplanation, type ZScoreExplanation } from "../src/index.js";
import { MAX_WINDOW } from "@tripwire/sdk";
import { auto, firedAt, HOUR, iso, points, run2, T0 } from "./helpers.js";

const threshold = (agg: "mean" | "min" | "max" | null, window: number, cmp: "gt" | "gte" | "lt" | "lte" | "eq" | "ne", t: number) =>
  auto({ type: "runMetricThreshold", metric: "loss", agg, window: agg === null ? 1 : window, cmp, threshold: t });

describe("§B.4 / §D.4 threshold: mean / min / max of the last N values, or the latest value, six comparisons", () => {
  const values = [1, 3, 2, 6, 0.5, 4];
  it.each([
    // agg, window, cmp, threshold, indexes that fire (cooldown off)
    ["mean", 3, "gt", 3, [3, 5]], // means: -,-,2,3.667,2.833,3.5
    ["mean", 3, "gte", 3.5, [3, 5]],
    ["mean", 3, "lt", 2.9, [2, 4]],
    ["mean", 3, "lte", 2, [2]],
    ["mean", 2, "eq", 2.5, [2]], // means of 2: 2,2.5,4,3.25,2.25
    ["mean", 2, "ne", 4, [1, 2, 4, 5]],
    ["min", 2, "gt", 1.5, [2, 3]], // mins: 1,2,2,0.5,0.5
    ["min", 3, "lte", 1, [2, 4, 5]], // mins: 1,2,0.5,0.5
    ["max", 2, "gte", 6, [3, 4]], // maxes: 3,3,6,6,4
    ["max", 3, "lt", 4, [2]], // maxes: 3,6,6,6
    [null, 1, "gt", 3.5, [3, 5]], // the latest value alone
    [null, 1, "eq", 0.5, [4]],
  ] as const)("%s(%i) %s %d fires at %j", (agg, window, cmp, t, expected) => {
    const events = points(values);
    const firings = replay([threshold(agg, window, cmp, t)], events, { cooldownMs: 0 });
    expect(firedAt(events, firings)).toEqual(expected);
  });

  it("explains a firing with the window values, the aggregate and the comparison that held", () => {
    const events = points([1, 3, 2, 6]);
    const [f] = replay([threshold("mean", 3, "gt", 3)], events);
    expect(f?.explanation).toEqual<ThresholdExplanation>({ kind: "threshold", metric: "loss", agg: "mean", window: 3, values: [3, 2, 6], value: 11 / 3, cmp: "gt", threshold: 3 });
    expect(f).toMatchObject({ automation: "a", automationId: "project:acme/llm/a", eventType: "runMetricThreshold", step: 3, run: { id: "r1", name: "sweep-1", user: "alice" }, at: events[3]?.timestamp });
  });

  it("AVERAGE of equal values is that value exactly (0.1 three times is 0.1, not 0.10000000000000002)", () => {
    const events = points([0.1, 0.1, 0.1]);
    expect(firedAt(events, replay([threshold("mean", 3, "eq", 0.1)], events))).toEqual([2]);
  });
});

describe("§D.4 run metrics: each run alone, its own recent values; non-numeric and NaN skipped", () => {
  it("keeps one window per run, so interleaved runs never mix their values", () => {
    const a = points([1, 1, 1], { every: 2000 });
    const b = points([9, 9, 9], { run: run2, start: T0 + 1000, every: 2000 });
    const events = [a[0]!, b[0]!, a[1]!, b[1]!, a[2]!, b[2]!];
    const firings = replay([threshold("mean", 3, "gt", 5)], events);
    expect(firings.map((f) => [f.run?.id, f.step])).toEqual([["r2", 2]]);
  });

  it("skips values that are not finite numbers: text, null, NaN, Infinity", () => {
    const events = points([1, "n/a", null, NaN, Infinity, 2, 3]);
    const [f] = replay([threshold("mean", 3, "eq", 2)], events);
    expect((f?.explanation as ThresholdExplanation).values).toEqual([1, 2, 3]);
    expect(f?.step).toBe(6);
  });

  it("watches system metrics such as gpu like any history metric", () => {
    const events = points([80, 95, 97], { metric: "gpu" });
    const gpu = auto({ type: "runMetricThreshold", metric: "gpu", agg: "min", window: 2, cmp: "gte", threshold: 95 });
    expect(firedAt(events, replay([gpu], events))).toEqual([2]);
  });

  it("ignores a value at a step not after the run's last step (W&B steps only increase; replays are idempotent)", () => {
    const events = points([1, 2, 3]);
    const again = { ...events[2]!, timestamp: iso(T0 + 5000), metrics: { loss: 100 } };
    const firings = replay([threshold(null, 1, "gt", 50)], [...events, again], { cooldownMs: 0 });
    expect(firings).toEqual([]);
  });

  it("handles runs longer than 65,536 values with the largest window (32-bit deque positions)", () => {
    const values = Array.from({ length: 70_500 }, (_, i) => (i === 69_000 ? 9 : i === 69_001 ? 0 : 3));
    const events = points(values);
    const big = (agg: "min" | "max", t: number) => auto({ type: "runMetricThreshold", metric: "loss", agg, window: MAX_WINDOW, cmp: "eq", threshold: t });
    const steps = (fs: readonly { event: { type: string } }[]) => fs.map((f) => (f.event as (typeof events)[number]).step);
    const span = (from: number) => Array.from({ length: MAX_WINDOW }, (_, k) => from + k);
    expect(steps(replay([big("max", 9)], events, { cooldownMs: 0 }))).toEqual(span(69_000));
    expect(steps(replay([big("min", 0)], events, { cooldownMs: 0 }))).toEqual(span(69_001));
  });

  it("never evaluates a window over MAX_WINDOW, and says why (defence behind validate's TW1030)", () => {
    const huge = auto({ type: "runMetricThreshold", metric: "loss", agg: "max", window: 1e15, cmp: "gt", threshold: 0 });
    const engine = createEngine([huge], {});
    expect(engine.unsupported).toEqual([{ automationId: expect.any(String), reason: `a window of 1000000000000000 values is larger than the maximum of ${MAX_WINDOW}` }]);
    expect(engine.pushBatch(points([1, 2, 3]))).toEqual([]);
    const change = auto({ type: "runMetricChange", metric: "loss", agg: "mean", window: 5, priorWindow: MAX_WINDOW + 1, change: "absolute", direction: "any", amount: 1 });
    expect(createEngine([change], {}).unsupported.map((u) => u.reason)).toEqual([`a window of 5 + ${MAX_WINDOW + 1} values is larger than the maximum of ${MAX_WINDOW}`]);
    const z = auto({ type: "runMetricZScore", metric: "loss", window: MAX_WINDOW, direction: "any", threshold: 3 });
    expect(createEngine([z], {}).unsupported).toEqual([]);
  });

  it("does not evaluate a window that is not full by default; partialWindows evaluates over the values so far", () => {
    const events = points([10, 10, 10]);
    expect(firedAt(events, replay([threshold("mean", 5, "gt", 5)], events))).toEqual([]);
    expect(firedAt(events, replay([threshold("mean", 5, "gt", 5)], events, { partialWindows: true }))).toEqual([0]);
  });
});

describe("§B.5 / §D.4 change: current window against the immediately preceding, non-overlapping prior window", () => {
  const change = (agg: "mean" | "min" | "max" | null, window: number, priorWindow: number, kind: "absolute" | "relative", direction: "increase" | "decrease" | "any", amount: number) =>
    auto({ type: "runMetricChange", metric: "loss", agg, window, priorWindow, change: kind, direction, amount });

  it("compares the last `window` values with the `priorWindow` values just before them", () => {
    const events = points([1, 1, 1, 2, 4, 4]);
    const [f] = replay([change("mean", 2, 3, "absolute", "increase", 2)], events);
    expect(f?.step).toBe(4);
    expect(f?.explanation).toEqual<ChangeExplanation>({
      kind: "change", metric: "loss", agg: "mean", window: 2, priorWindow: 3, currentValues: [2, 4], priorValues: [1, 1, 1],
      current: 3, prior: 1, change: "absolute", delta: 2, direction: "increase", amount: 2,
    });
    // at index 5: current [4, 4] = 4 against prior [1, 1, 2] = 4/3
    expect(firedAt(events, replay([change("mean", 2, 3, "absolute", "increase", 2.5)], events, { cooldownMs: 0 }))).toEqual([5]);
  });

  it.each([
    // values, agg, kind, direction, amount, fires at (windows 1 vs 1 or mean 2 vs 2, cooldown off)
    [[10, 12, 9], null, "absolute", "increase", 2, [1]],
    [[10, 12, 9], null, "absolute", "decrease", 3, [2]],
    [[10, 12, 9], null, "absolute", "any", 2, [1, 2]],
    [[10, 12, 9], null, "relative", "increase", 0.2, [1]], // +20 %
    [[10, 12, 9], null, "relative", "decrease", 0.25, [2]], // −25 %
    [[10, 12, 9], null, "relative", "any", 0.21, [2]],
    [[-4, -2], null, "relative", "increase", 0.5, [1]], // (−2 − −4) / |−4| = +50 %
    [[0, 5, 0, 1], null, "relative", "any", 0.5, [2]], // prior 0 never fires (0 → 5, 0 → 1); 5 → 0 is −100 %
  ] as const)("%j agg %s, %s %s by %s, fires at %j", (values, agg, kind, direction, amount, expected) => {
    const events = points(values);
    expect(firedAt(events, replay([change(agg, 1, 1, kind, direction, amount)], events, { cooldownMs: 0 }))).toEqual(expected);
  });

  it("min and max windows: a drop of the minimum by at least the amount", () => {
    const events = points([5, 4, 6, 1, 7]);
    // min of the last 2 vs min of the 2 before: [6,1]→1 vs [5,4]→4 at index 3; [1,7]→1 vs [4,6]→4 at index 4
    expect(firedAt(events, replay([change("min", 2, 2, "absolute", "decrease", 3)], events, { cooldownMs: 0 }))).toEqual([3, 4]);
    expect(firedAt(events, replay([change("max", 2, 2, "absolute", "increase", 2)], events, { cooldownMs: 0 }))).toEqual([]);
  });

  it("waits for both windows by default; with partialWindows, once the prior window holds a value", () => {
    const events = points([1, 1, 5]);
    expect(firedAt(events, replay([change("mean", 1, 5, "absolute", "increase", 3)], events))).toEqual([]);
    expect(firedAt(events, replay([change("mean", 1, 5, "absolute", "increase", 3)], events, { partialWindows: true }))).toEqual([2]);
  });
});

describe("§B.6 / §D.4 z-score: (latest − mean) / σ over the window, inclusive comparisons, σ = 0 never fires", () => {
  const z = (window: number, direction: "increase" | "decrease" | "any", threshold: number) => auto({ type: "runMetricZScore", metric: "loss", window, direction, threshold });

  it("uses the latest `window` values including the latest one and the population standard deviation by default", () => {
    // [1,1,1,1,5]: mean 1.8, σ = sqrt((4·0.64 + 10.24) / 5) = 1.6, z = 3.2 / 1.6 = 2 exactly
    const events = points([1, 1, 1, 1, 5]);
    const [f] = replay([z(5, "increase", 2)], events);
    expect(f?.explanation).toMatchObject<Partial<ZScoreExplanation>>({ mean: 1.8, std: 1.6, zscore: 2, stdKind: "population", windowValues: "including-latest", values: [1, 1, 1, 1, 5] });
    expect(replay([z(5, "increase", 2.0001)], events)).toEqual([]);
    expect(replay([z(5, "decrease", 2)], events)).toEqual([]);
    expect(replay([z(5, "any", 2)], events)).toHaveLength(1);
  });

  it("options: the window of values before the latest one, and the sample standard deviation", () => {
    // preceding [1,2,1,2]: mean 1.5, population σ 0.5 → z(4) = 5; sample σ = sqrt(1/3) → z = 2.5·sqrt(3) ≈ 4.33
    const events = points([1, 2, 1, 2, 4]);
    const pre = replay([z(4, "increase", 5)], events, { zscoreWindow: "preceding" });
    expect(pre.map((f) => (f.explanation as ZScoreExplanation).zscore)).toEqual([5]);
    const sample = replay([z(4, "increase", 4.3)], events, { zscoreWindow: "preceding", zscoreStd: "sample" });
    expect((sample[0]?.explanation as ZScoreExplanation).zscore).toBeCloseTo(2.5 * Math.sqrt(3), 12);
    expect(replay([z(4, "increase", 4.4)], events, { zscoreWindow: "preceding", zscoreStd: "sample" })).toEqual([]);
  });

  it("a constant window has σ = 0 and never fires, whatever the threshold", () => {
    const events = points([3, 3, 3, 3]);
    expect(replay([z(3, "any", 0.5)], events, { cooldownMs: 0 })).toEqual([]);
  });

  it("drops by at least t standard deviations fire `decrease`", () => {
    const events = points([5, 5, 5, 5, 1]);
    expect(firedAt(events, replay([z(5, "decrease", 2)], events))).toEqual([4]);
  });
});

describe("§D.4 at most one firing per automation per run in 24 hours", () => {
  const high = threshold(null, 1, "gt", 0);
  it("suppresses repeats for 24 h after a firing, then fires again at exactly 24 h", () => {
    const times = [0, HOUR, 23 * HOUR, 24 * HOUR - 1, 24 * HOUR, 30 * HOUR, 48 * HOUR];
    const events = times.map((t, i) => ({ ...points([1])[0]!, step: i, timestamp: iso(T0 + t) }));
    expect(firedAt(events, replay([high], events))).toEqual([0, 4, 6]);
  });

  it("limits each run separately, and each automation separately", () => {
    const events = [...points([1, 1]), ...points([1, 1], { run: run2 })];
    const firings = replay([high, { ...high, name: "b" }], events);
    expect(firings.map((f) => `${f.automation}/${f.run?.id}/${f.step}`)).toEqual(["a/r1/0", "b/r1/0", "a/r2/0", "b/r2/0"]);
  });

  it("cooldownMs sets the period", () => {
    const events = points([1, 1, 1, 1], { every: 10 * 60_000 });
    expect(firedAt(events, replay([high], events, { cooldownMs: 20 * 60_000 }))).toEqual([0, 2]);
  });

  it("a run renamed into a run filter is evaluated on its true window; a waiting automation resumes on it", () => {
    // `a` fires at step 2 and waits 24 h; `b` (same window) matches no run until the run is renamed: from then
    // on `b` must see the run's true window.
    const a = threshold("mean", 3, "gt", 0);
    const b = { ...threshold("mean", 3, "gte", 5), name: "b", event: { ...threshold("mean", 3, "gte", 5).event, runFilter: { op: "eq" as const, field: "runName" as const, value: "renamed" } } };
    const renamed = { ...run2, id: "r1", name: "renamed" };
    const events = [...points([1, 1, 1]), ...points([5, 5, 5], { run: renamed, start: T0 + 3000 }).map((e, i) => ({ ...e, step: 3 + i }))];
    expect(replay([a, b], events).map((f) => `${f.automation}@${f.step}`)).toEqual(["a@2", "b@5"]);
    // after its 24 h (steps 6 h apart: 2 → 6) `a` fires again on the window as it is then
    const later = points([9, 9, 9, 1, 1, 1, 2, 4], { every: 6 * HOUR });
    const fired = replay([threshold("mean", 3, "gt", 0)], later).map((f) => [f.step, (f.explanation as ThresholdExplanation).values]);
    expect(fired).toEqual([[2, [9, 9, 9]], [6, [1, 1, 2]]]);
  });

  it("engine.push returns only the new firings, in automation order", () => {
    const engine = createEngine([threshold(null, 1, "gt", 5), { ...threshold(null, 1, "gt", 1), name: "b" }]);
    const [e0, e1] = points([3, 7]);
    expect(engine.push(e0!).map((f) => f.automation)).toEqual(["b"]);
    expect(engine.push(e1!).map((f) => f.automation)).toEqual(["a"]);
  });
});
