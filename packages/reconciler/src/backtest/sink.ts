/**
 * Feeds recorded events to the evaluator the fast way: `run.metric` rows go into a fixed-size columnar batch
 * (only the metrics some automation watches), which is pushed through `engine.pushColumns` with each run's rows
 * together, so the evaluator's columnar kernels evaluate whole stretches of a run at once.
 *
 * Reordering is safe because a run's metric automations see only that run's values, in step order (spec §D.4:
 * "each run alone"), its run-state automations only that run's states, and the per-run limit is kept per
 * automation and run; artifact events touch no run. So within a batch, rows of different runs may be evaluated
 * in any order as long as each run keeps its own, and `run.state` and artifact events are evaluated at once, in
 * their order, ahead of batched rows. A run whose display name or user changes
 * flushes the batch first, so run filters see each row with the name it was logged under. The result equals
 * `replay` over the same events (a property test checks it for random streams and batch sizes).
 */
import { parseTimestamp, type Engine, type RunMetricEvent, type TripwireEvent } from "@tripwire/evaluator";
import type { AutomationSpec, JsonValue } from "@tripwire/sdk";
import type { FiringRecorder } from "./report.js";
import type { SeriesCollector } from "./series.js";

/**
 * Rows per batch: as many as fit 32 MiB (two copies of step, time and each watched metric), at most 2^18 — with
 * ~1,000 runs interleaved, a run then has a few hundred rows per batch, long stretches for the kernels.
 */
export function batchRowsFor(metrics: number): number {
  return Math.min(1 << 18, Math.max(1 << 14, Math.floor((32 << 20) / (16 * (metrics + 2)))));
}

interface RunSlot {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  /** The run as the engine is given it; replaced (not mutated) when its name or user changes. */
  meta: { entity: string; project: string; id: string; name: string; user: string };
  /** Position in the current batch's run table, or -1. */
  local: number;
  /** Chain of runs that share this id in other projects. */
  next: RunSlot | undefined;
}

/** Metric names watched by any of the automations: the only columns worth extracting. */
export function watchedMetrics(specs: readonly AutomationSpec[]): string[] {
  const names = new Set<string>();
  for (const s of specs) if (s.event.type === "runMetricThreshold" || s.event.type === "runMetricChange" || s.event.type === "runMetricZScore") names.add(s.event.metric);
  return [...names].sort();
}

/**
 * A function reading the named metrics with constant property names: each read then has its own inline cache,
 * and the metrics objects of one history (same keys, same order) share a shape, so every read hits it — instead
 * of one lookup site for every name. Names are embedded as JSON string literals (always valid JavaScript).
 */
function extractor(names: readonly string[]): (metrics: Readonly<Record<string, JsonValue>>, cols: Float64Array[], row: number) => void {
  const body = names.map((name, m) => `v = metrics[${JSON.stringify(name)}]; cols[${m}][row] = typeof v === "number" ? v : NaN;`).join("\n");
  return new Function("metrics", "cols", "row", `"use strict"; let v;\n${body}`) as (metrics: Readonly<Record<string, JsonValue>>, cols: Float64Array[], row: number) => void;
}

export class HistorySink {
  events = 0;
  minTime = Number.POSITIVE_INFINITY;
  maxTime = Number.NEGATIVE_INFINITY;
  private readonly byId = new Map<string, RunSlot>();
  private runCount = 0;
  private rows = 0;
  private readonly cap: number;
  private readonly names: string[];
  private run: Int32Array;
  private step: Float64Array;
  private time: Float64Array;
  private cols: Float64Array[];
  // the batch sorted by run, handed to the engine
  private sRun: Int32Array;
  private sStep: Float64Array;
  private sTime: Float64Array;
  private sCols: Float64Array[];
  private localRuns: RunSlot[] = [];
  /** Told every metric row, for the report's plots (`backtest --html`). */
  series: SeriesCollector | undefined;

  /** Copies the watched metrics of one row into the columns (`NaN`: not a number, or not logged). */
  private readonly extract: (metrics: Readonly<Record<string, JsonValue>>, cols: Float64Array[], row: number) => void;

  constructor(
    private readonly engine: Engine,
    private readonly recorder: FiringRecorder,
    metrics: readonly string[],
    batchRows = batchRowsFor(metrics.length),
  ) {
    this.cap = batchRows;
    this.names = [...metrics];
    this.run = new Int32Array(batchRows);
    this.step = new Float64Array(batchRows);
    this.time = new Float64Array(batchRows);
    this.cols = this.names.map(() => new Float64Array(batchRows));
    this.sRun = new Int32Array(batchRows);
    this.sStep = new Float64Array(batchRows);
    this.sTime = new Float64Array(batchRows);
    this.sCols = this.names.map(() => new Float64Array(batchRows));
    this.extract = extractor(this.names);
  }

  get runs(): number {
    return this.runCount;
  }

  /** A `run.metric` event whose fields are checked, at epoch milliseconds `t`. */
  metric(e: RunMetricEvent, t: number): void {
    this.events++;
    if (t < this.minTime) this.minTime = t;
    if (t > this.maxTime) this.maxTime = t;
    const slot = this.slotFor(e.entity, e.project, e.run.id, e.run.name, e.run.user);
    if (slot.local < 0) {
      slot.local = this.localRuns.length;
      this.localRuns.push(slot);
    }
    const i = this.rows;
    this.run[i] = slot.local;
    this.step[i] = e.step;
    this.time[i] = t;
    this.extract(e.metrics, this.cols, i);
    this.series?.add(slot.meta, e.step, t, this.cols, i);
    if (++this.rows === this.cap) this.flush();
  }

  /**
   * A run's `run.metric` rows given as columns (live history): row `i` is step `steps[i]` at epoch ms `times[i]`,
   * with `values[metric][i]` (`NaN`: not logged); metrics the sink watches that `values` lacks are not logged.
   */
  runRows(
    run: { entity: string; project: string; id: string; name: string; user: string },
    steps: ArrayLike<number>,
    times: ArrayLike<number>,
    values: Readonly<Record<string, ArrayLike<number>>>,
  ): void {
    const slot = this.slotFor(run.entity, run.project, run.id, run.name, run.user);
    const sources = this.names.map((m) => (Object.hasOwn(values, m) ? values[m] : undefined));
    for (let k = 0; k < steps.length; k++) {
      const t = times[k] as number;
      this.events++;
      if (t < this.minTime) this.minTime = t;
      if (t > this.maxTime) this.maxTime = t;
      if (slot.local < 0) {
        slot.local = this.localRuns.length;
        this.localRuns.push(slot);
      }
      const i = this.rows;
      this.run[i] = slot.local;
      this.step[i] = steps[k] as number;
      this.time[i] = t;
      for (let m = 0; m < sources.length; m++) (this.cols[m] as Float64Array)[i] = sources[m] === undefined ? Number.NaN : ((sources[m] as ArrayLike<number>)[k] as number);
      this.series?.add(slot.meta, steps[k] as number, t, this.cols, i);
      if (++this.rows === this.cap) this.flush();
    }
  }

  /** Any validated event. */
  event(e: TripwireEvent): void {
    if (e.type === "run.metric") {
      this.metric(e, parseTimestamp(e.timestamp));
      return;
    }
    this.events++;
    const t = parseTimestamp(e.timestamp);
    if (t < this.minTime) this.minTime = t;
    if (t > this.maxTime) this.maxTime = t;
    // A run state may overtake the run's batched rows: state and metric automations are distinct automations.
    if (e.type === "run.state") this.slotFor(e.entity, e.project, e.run.id, e.run.name, e.run.user);
    this.recorder.record(this.engine.push(e));
  }

  private slotFor(entity: string, project: string, id: string, name: string, user: string): RunSlot {
    let slot = this.byId.get(id);
    while (slot !== undefined && (slot.project !== project || slot.entity !== entity)) slot = slot.next;
    if (slot === undefined) {
      slot = { entity, project, id, meta: { entity, project, id, name, user }, local: -1, next: this.byId.get(id) };
      this.byId.set(id, slot);
      this.runCount++;
    } else if (slot.meta.name !== name || slot.meta.user !== user) {
      // Rows already batched were logged under the old name: evaluate them with it.
      if (slot.local >= 0) this.flush();
      slot.meta = { entity, project, id, name, user };
    }
    return slot;
  }

  /** Evaluates the batched rows, each run's rows together and in their order. */
  flush(): void {
    const n = this.rows;
    const runs = this.localRuns;
    if (n > 0) {
      // Counting sort by run: stable, so each run keeps its rows' order.
      const start = new Int32Array(runs.length + 1);
      const run = this.run;
      for (let i = 0; i < n; i++) start[(run[i] as number) + 1] = (start[(run[i] as number) + 1] as number) + 1;
      for (let r = 0; r < runs.length; r++) start[r + 1] = (start[r + 1] as number) + (start[r] as number);
      const at = start.subarray(0, runs.length).slice();
      const order = this.sRun;
      for (let i = 0; i < n; i++) {
        const r = run[i] as number;
        const k = at[r] as number;
        order[k] = i; // the source row of each sorted position
        at[r] = k + 1;
      }
      const step = this.sStep;
      const time = this.sTime;
      for (let k = 0; k < n; k++) {
        const i = order[k] as number;
        step[k] = this.step[i] as number;
        time[k] = this.time[i] as number;
      }
      const entries: [string, Float64Array][] = [];
      for (let m = 0; m < this.names.length; m++) {
        const src = this.cols[m] as Float64Array;
        const dst = this.sCols[m] as Float64Array;
        for (let k = 0; k < n; k++) dst[k] = src[order[k] as number] as number;
        entries.push([this.names[m] as string, dst.subarray(0, n)]);
      }
      // fromEntries defines properties: a metric named "__proto__" stays a metric, not the object's prototype
      const metrics = Object.fromEntries(entries);
      // Reuse `order` as the sorted run column.
      for (let r = 0; r < runs.length; r++) order.fill(r, start[r] as number, start[r + 1] as number);
      const columns = { runs: runs.map((s) => s.meta), run: order.subarray(0, n), step: step.subarray(0, n), time: time.subarray(0, n), metrics };
      this.recorder.record(this.engine.pushColumns(columns));
    }
    for (const s of runs) s.local = -1;
    this.localRuns = [];
    this.rows = 0;
  }
}
