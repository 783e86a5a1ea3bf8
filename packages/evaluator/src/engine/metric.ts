/**
 * The metric path: a run-metric event's values into the run's slots, and the automations of each slot's
 * template decided on the states the channel leaves (`windows/streaming.ts`). A point costs one run look-up, one row read
 * for its slot and template, then typed-array work per state and per automation; a condition is decided first and
 * the per-run limit only when it holds. Running means and moments are estimates: near a decision boundary (the
 * guard bands of `decide.ts`) the decision is made again on the exact values of the ring.
 */
import type { JsonValue } from "@tripwire/sdk";
import { cooldownAllows } from "../cooldown.js";
import { changeNear, changeValue, directionHolds, runningZ, thresholdHolds, thresholdNear } from "../decide.js";
import type { RunMetricEvent, RunRef } from "../events/index.js";
import { formatTimestamp } from "../time.js";
import { SUM } from "../windows/layout.js";
import { meanOf, zscoreOf } from "../windows/reference.js";
import type { Channel } from "../windows/streaming.js";
import type { Clock } from "./clock.js";
import type { Compilation, Compiled, StateCache } from "./compile.js";
import { explainMetric, spanValues } from "./explain.js";
import type { Plan, Plans } from "./plans.js";
import type { RunInfo, RunRegistry } from "./runs.js";
import type { Firing, MetricColumns } from "./types.js";

/** Where a columnar row comes from; the row's event is built once, on its first firing. */
export interface RowSource {
  readonly columns: MetricColumns;
  readonly entries: readonly [string, ArrayLike<number>][];
  row: number;
  eventRow: number;
  event: RunMetricEvent | undefined;
}

/** The `run.metric` event of a columnar row (built on its first firing, then reused for the row's others). */
export function rowEvent(run: RunInfo, step: number, now: number, source: RowSource): RunMetricEvent {
  if (source.eventRow === source.row && source.event !== undefined) return source.event;
  const metrics: Record<string, JsonValue> = {};
  for (const [name, col] of source.entries) {
    const v = col[source.row] as number;
    if (!Number.isNaN(v)) metrics[name] = v;
  }
  const event: RunMetricEvent = {
    type: "run.metric",
    entity: run.entity,
    project: run.project,
    run: { id: run.id, name: run.name, user: run.user },
    step,
    timestamp: formatTimestamp(now),
    metrics,
  };
  source.eventRow = source.row;
  source.event = event;
  return event;
}

export class MetricPath {
  // The compilation's and the registry's tables the hot path reads (stable references, copied once).
  private readonly channels: Channel[];
  private readonly autos: Compiled[];
  private readonly runs: RunInfo[];
  private readonly runRows: (RunRef | string | number)[];
  private readonly rowStride: number;
  private readonly metricNames: string[];
  private readonly metricIds: Map<string, number>;
  private readonly metricChans: Int32Array[];
  private readonly indexById: Map<string, number>;
  private readonly cache: StateCache[];
  private readonly period: number;
  private readonly zSample: boolean;
  private readonly aStA: Int32Array;
  private readonly aT: Float64Array;
  private readonly aDir: Int8Array;

  constructor(
    private readonly c: Compilation,
    private readonly registry: RunRegistry,
    private readonly plans: Plans,
    private readonly clock: Clock,
  ) {
    this.channels = c.channels;
    this.autos = c.autos;
    this.runs = registry.runs;
    this.runRows = plans.runRows;
    this.rowStride = plans.rowStride;
    this.metricNames = c.metricNames;
    this.metricIds = c.metricIds;
    this.metricChans = c.metricChans;
    this.indexById = c.indexById;
    this.cache = c.cache;
    this.period = c.period;
    this.zSample = c.zSample;
    this.aStA = c.aStA;
    this.aT = c.aT;
    this.aDir = c.aDir;
  }

  push(event: RunMetricEvent): Firing[] {
    const run = this.registry.runIndexOf(event.entity, event.project, event.run);
    const rb = run * this.rowStride + 4;
    const now = this.clock.now(event.timestamp);
    const metrics = event.metrics;
    const names = this.metricNames;
    let out: Firing[] | undefined;
    if (names.length <= 8) {
      // Few watched metrics: look each up (a keyed load) rather than enumerating the event's keys.
      for (let m = 0; m < names.length; m++) {
        const v = metrics[names[m] as string];
        // Non-numeric, NaN and ±Infinity are skipped (v - v is 0 only for finite numbers).
        if (typeof v !== "number" || v - v !== 0) continue;
        const f = this.pushWatched(m, v, run, rb, now, event);
        if (f !== undefined) out = out === undefined ? f : out.concat(f);
      }
    } else {
      for (const key in metrics) {
        const m = this.metricIds.get(key);
        if (m === undefined) continue;
        const v = metrics[key];
        if (typeof v !== "number" || v - v !== 0) continue;
        const f = this.pushWatched(m, v, run, rb, now, event);
        if (f !== undefined) out = out === undefined ? f : out.concat(f);
      }
    }
    if (out === undefined) return [];
    if (out.length > 1) this.inAutomationOrder(out);
    return out;
  }

  /** One finite value of watched metric `m` into each of its channels' slots for the run (row base `rb`). */
  private pushWatched(m: number, v: number, run: number, rb: number, now: number, event: RunMetricEvent): Firing[] | undefined {
    let out: Firing[] | undefined;
    const chans = this.metricChans[m] as Int32Array;
    for (let i = 0; i < chans.length; i++) {
      const c = chans[i] as number;
      const at = rb + 2 * c;
      if (this.runRows[at] === -1) this.plans.plansFor(this.runs[run] as RunInfo, m);
      const slot = this.runRows[at] as number;
      if (slot < 0) continue;
      const f = this.pushSlot(c, slot, this.runRows[at + 1] as number, run, event.step, now, v, event, undefined);
      if (f !== undefined) out = out === undefined ? f : out.concat(f);
    }
    return out;
  }

  /** Firings of one event come in the order of the automation list. */
  inAutomationOrder(firings: Firing[]): void {
    const index = this.indexById;
    firings.sort((a, b) => (index.get(a.automationId) as number) - (index.get(b.automationId) as number));
  }

  /** Appends one value to a run's slot and evaluates the plan's automations (the cold paths' entry). */
  pushValue(
    plan: Plan,
    run: RunInfo,
    step: number,
    now: number,
    v: number,
    event: RunMetricEvent | undefined,
    source: RowSource | undefined,
  ): Firing[] | undefined {
    return this.pushSlot(plan.channel, plan.slot, plan.tmpl, run.index, step, now, v, event, source);
  }

  /**
   * The hot path: appends one value to slot `slot` of channel `c` and evaluates the automations of template `t`
   * on the states the channel left in `cv` / `ce`. A condition is decided first, the per-run limit only when it
   * holds (the two are independent), so a point reads a last firing time only when an automation would fire.
   */
  private pushSlot(
    c: number,
    slot: number,
    t: number,
    run: number,
    step: number,
    now: number,
    v: number,
    event: RunMetricEvent | undefined,
    source: RowSource | undefined,
  ): Firing[] | undefined {
    const ch = this.channels[c] as Channel;
    if (!ch.push(slot, step, v)) return undefined;
    const n = ch.count(slot);
    const plans = this.plans;
    const young = n < (plans.tmplNeed[t] as number);
    const rows = plans.rows;
    const at = plans.tmplAt;
    const cv = ch.cv;
    const ce = ch.ce;
    let out: Firing[] | undefined;
    let r = at[4 * t] as number;
    const thrEnd = at[4 * t + 1] as number;
    for (; r < thrEnd; r += 7) {
      if (young && n < (rows[r + 4] as number)) continue;
      const k = rows[r] as number;
      const threshold = rows[r + 2] as number;
      let x = cv[k] as number;
      const err = ce[k] as number;
      // A running mean: near the threshold, decide on the exact mean.
      if (err > 0 && thresholdNear(x, threshold, err)) x = this.exactMean(ch, slot, k);
      if (thresholdHolds(x, rows[r + 1] as number, threshold)) out = this.fire(out, ch, slot, rows, r + 4, run, step, now, v, event, source);
    }
    const chgEnd = at[4 * t + 2] as number;
    for (; r < chgEnd; r += 8) {
      if (young && n < (rows[r + 5] as number)) continue;
      const ka = rows[r] as number;
      const kb = rows[r + 1] as number;
      const cur = cv[ka] as number;
      const prior = cv[kb] as number;
      const relative = rows[r + 2] === 1;
      const amount = rows[r + 4] as number;
      let d = changeValue(cur, prior, relative);
      // Means are running estimates: near a decision boundary, decide on the exact means.
      if ((ce[ka] !== 0 || ce[kb] !== 0) && changeNear(cur, prior, ce[ka] as number, ce[kb] as number, d, relative, amount)) {
        d = this.exactChange(ch, slot, ka, kb, relative);
      }
      if (directionHolds(d, rows[r + 3] as number, amount)) out = this.fire(out, ch, slot, rows, r + 5, run, step, now, v, event, source);
    }
    const zEnd = at[4 * t + 3] as number;
    for (; r < zEnd; r += 3) {
      if (young && n < (rows[r] as number)) continue;
      if (this.zscoreHolds(rows[r + 1] as number, ch, slot, c, v)) out = this.fire(out, ch, slot, rows, r, run, step, now, v, event, source);
    }
    return out;
  }

  /**
   * An automation whose condition holds (its row's tail at `r`: need, automation, last firing time's index) fires
   * unless it fired for this run less than the per-run limit ago.
   */
  private fire(
    out: Firing[] | undefined,
    ch: Channel,
    slot: number,
    rows: Float64Array,
    r: number,
    runIndex: number,
    step: number,
    now: number,
    v: number,
    event: RunMetricEvent | undefined,
    source: RowSource | undefined,
  ): Firing[] | undefined {
    // The last firing time lives in the slot's own block (see windows/streaming.ts), after its windows.
    const b = slot * ch.dPer + (rows[r + 2] as number);
    if (!cooldownAllows(ch.d[b] as number, now, this.period)) return out;
    ch.d[b] = now;
    const run = this.runs[runIndex] as RunInfo;
    const ev = event ?? rowEvent(run, step, now, source as RowSource);
    (out ??= []).push(explainMetric(this.c, this.autos[rows[r + 1] as number] as Compiled, run, ev, v, (k) => spanValues(ch, slot, k)));
    return out;
  }

  /** The exact mean of SUM state `k` (what the running value stands for, recomputed from the ring). */
  private exactMean(ch: Channel, slot: number, k: number): number {
    const cnt = ch.spanCount(k, slot);
    ch.copySpan(slot, ch.offsets[k] as number, cnt, ch.scratch);
    return meanOf(ch.scratch, 0, cnt);
  }

  /** The change between the exact aggregates of states `ka` (current) and `kb` (prior). */
  private exactChange(ch: Channel, slot: number, ka: number, kb: number, relative: boolean): number {
    const cur = ch.kinds[ka] === SUM ? this.exactMean(ch, slot, ka) : (ch.cv[ka] as number);
    const prior = ch.kinds[kb] === SUM ? this.exactMean(ch, slot, kb) : (ch.cv[kb] as number);
    return changeValue(cur, prior, relative);
  }

  private zscoreHolds(a: number, ch: Channel, slot: number, c: number, x: number): boolean {
    const k = this.aStA[a] as number;
    const cache = this.cache[c] as StateCache;
    const cnt = ch.spanCount(k, slot);
    const mean = ch.runningA(k, slot);
    const variance = ch.runningM2(k, slot) / (this.zSample ? cnt - 1 : cnt);
    const scale = ch.scale(k, slot);
    const eVar = (cache.momVarK[k] as number) * scale * scale;
    const t = this.aT[a] as number;
    let z = runningZ(x, mean, variance, (cache.momMeanK[k] as number) * scale, eVar, t);
    if (Number.isNaN(z)) {
      ch.copySpan(slot, ch.offsets[k] as number, cnt, ch.scratch);
      z = zscoreOf(ch.scratch, x, this.zSample ? "sample" : "population", 0, cnt).z;
    }
    return directionHolds(z, this.aDir[a] as number, t);
  }
}
