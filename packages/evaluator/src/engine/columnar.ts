/**
 * The columnar path: backtests over columnar history (`pushColumns`). Each stretch of consecutive rows of one
 * run (as a history export holds them) is taken window by window with the columnar kernels (`windows/columnar.ts`), then
 * automation by automation in one tight scan with its per-run limit; the run's slot is then left exactly as
 * streaming the same values would have, so streaming continues from it. Short stretches, and channels with
 * z-score windows, go through the metric path (`metric.ts`) row by row.
 */
import { cooldownAllows } from "../cooldown.js";
import { changeNear, changeValue, directionHolds, thresholdHolds, thresholdNear } from "../decide.js";
import { spanMean, windowExtremes, windowMeans } from "../windows/columnar.js";
import { MAX, MIN, SUM, type StateSpec } from "../windows/layout.js";
import type { Channel } from "../windows/streaming.js";
import { THRESHOLD, type Compilation, type Compiled, type StateCache } from "./compile.js";
import { explainMetric } from "./explain.js";
import { rowEvent, type MetricPath, type RowSource } from "./metric.js";
import type { Plan, Plans } from "./plans.js";
import type { RunInfo, RunRegistry } from "./runs.js";
import type { Firing, MetricColumns } from "./types.js";

/** Below this many consecutive rows of one run, columnar history streams row by row. */
const KERNEL_MIN_ROWS = 8;

/** A firing found by a columnar kernel, with what orders it: its row, then its automation. */
interface KernelFiring {
  readonly row: number;
  readonly automation: number;
  readonly firing: Firing;
}

export class ColumnarPath {
  /** Scratch arrays of the columnar kernels. */
  private readonly pool: (Float64Array | undefined)[] = [];
  private rowPool = new Int32Array(0);

  constructor(
    private readonly c: Compilation,
    private readonly registry: RunRegistry,
    private readonly plans: Plans,
    private readonly metric: MetricPath,
  ) {}

  push(columns: MetricColumns, from = 0, to = columns.run.length): Firing[] {
    const out: Firing[] = [];
    const metricCols: { m: number; col: ArrayLike<number> }[] = [];
    for (const [name, col] of Object.entries(columns.metrics)) {
      const m = this.c.metricIds.get(name);
      if (m !== undefined) metricCols.push({ m, col });
    }
    const runs = columns.runs.map((r) => this.registry.runFor(r.entity, r.project, { id: r.id, name: r.name, user: r.user }));
    const source: RowSource = { columns, entries: Object.entries(columns.metrics), row: 0, eventRow: -1, event: undefined };
    let row = from;
    while (row < to) {
      // A segment: consecutive rows of one run (a history export holds each run's rows together).
      const r = columns.run[row] as number;
      let stop = row + 1;
      while (stop < to && columns.run[stop] === r) stop++;
      const run = runs[r] as RunInfo;
      if (stop - row >= KERNEL_MIN_ROWS) {
        const found: KernelFiring[] = [];
        for (const { m, col } of metricCols) {
          const plans = run.plans[m] ?? this.plans.plansFor(run, m);
          for (const plan of plans) this.segment(plan, run, columns, col, row, stop, source, found);
        }
        found.sort((a, b) => a.row - b.row || a.automation - b.automation);
        for (const f of found) out.push(f.firing);
      } else {
        for (let i = row; i < stop; i++) this.pushRow(run, columns, metricCols, i, source, out);
      }
      row = stop;
    }
    return out;
  }

  /** One row of columnar history through the streaming path. */
  private pushRow(run: RunInfo, columns: MetricColumns, metricCols: { m: number; col: ArrayLike<number> }[], row: number, source: RowSource, out: Firing[]): void {
    const step = columns.step[row] as number;
    const now = columns.time[row] as number;
    let rowFirings: Firing[] | undefined;
    for (let j = 0; j < metricCols.length; j++) {
      const { m, col } = metricCols[j] as { m: number; col: ArrayLike<number> };
      const v = col[row] as number;
      if (v - v !== 0) continue;
      const plans = run.plans[m] ?? this.plans.plansFor(run, m);
      for (let i = 0; i < plans.length; i++) {
        source.row = row;
        const f = this.metric.pushValue(plans[i] as Plan, run, step, now, v, undefined, source);
        if (f !== undefined) rowFirings = rowFirings === undefined ? f : rowFirings.concat(f);
      }
    }
    if (rowFirings !== undefined) {
      if (rowFirings.length > 1) this.metric.inAutomationOrder(rowFirings);
      for (const f of rowFirings) out.push(f);
    }
  }

  /** A scratch Float64Array of at least `n` values (slot `i` of the pool). */
  private buf(i: number, n: number): Float64Array {
    let b = this.pool[i];
    if (b === undefined || b.length < n) {
      b = new Float64Array(Math.max(n, 2 * (b?.length ?? 0), 64));
      this.pool[i] = b;
    }
    return b;
  }

  /**
   * Evaluates a plan over rows [from, to) of one run with the columnar kernels (`windows/columnar.ts`), automation by
   * automation, then leaves the slot exactly as streaming the same values would have. Same semantics as
   * `MetricPath.pushValue` row by row: the property tests compare both.
   */
  private segment(plan: Plan, run: RunInfo, columns: MetricColumns, col: ArrayLike<number>, from: number, to: number, source: RowSource, found: KernelFiring[]): void {
    const ch = plan.ch;
    const slot = plan.slot;
    if (ch.hasMoments) {
      // z-score windows stream row by row (sliding moments have no block form here)
      for (let row = from; row < to; row++) {
        const v = col[row] as number;
        if (v - v !== 0) continue;
        source.row = row;
        const f = this.metric.pushValue(plan, run, columns.step[row] as number, columns.time[row] as number, v, undefined, source);
        if (f !== undefined) for (const x of f) found.push({ row, automation: this.c.indexById.get(x.automationId) as number, firing: x });
      }
      return;
    }
    // The series: the values the slot retains, then this segment's accepted values (finite, at a later step).
    const L = ch.L;
    const count0 = ch.count(slot);
    const prefix = Math.min(count0, L);
    const cap = prefix + (to - from);
    const vals = this.buf(0, cap);
    ch.copySpan(slot, 0, prefix, vals);
    const rows = this.rowsBuf(cap);
    let len = prefix;
    let lastStep = ch.lastStep(slot);
    for (let row = from; row < to; row++) {
      const v = col[row] as number;
      const step = columns.step[row] as number;
      if (v - v !== 0 || !(step > lastStep)) continue;
      lastStep = step;
      vals[len] = v;
      rows[len] = row;
      len++;
    }
    if (len === prefix) return;
    const base = count0 - prefix; // series index of vals[0]
    // Aggregates of each state, indexed by the position of the span's newest value.
    const states = ch.states;
    const agg: Float64Array[] = [];
    const err: (Float64Array | undefined)[] = [];
    const sumK = (this.c.cache[plan.channel] as StateCache).sumK;
    for (let k = 0; k < states.length; k++) {
      const st = states[k] as StateSpec;
      const a = this.buf(1 + 2 * k, len);
      if (st.kind === SUM) {
        const e = this.buf(2 + 2 * k, len);
        windowMeans(vals, len, st.width, sumK[k] as number, a, e);
        err.push(e);
      } else if (st.kind === MIN || st.kind === MAX) {
        windowExtremes(vals, len, st.width, st.kind === MAX, a, this.buf(2 + 2 * k, len));
        err.push(undefined);
      } else {
        a.set(vals.subarray(0, len));
        err.push(undefined);
      }
      agg.push(a);
    }
    const time = columns.time;
    const period = this.c.period;
    for (let j = 0; j < plan.autos.length; j++) {
      if (plan.active[j] === 0) continue;
      const a = plan.autos[j] as number;
      const cdi = ch.cooldownIndex(slot, plan.local[j] as number);
      let last = ch.d[cdi] as number;
      const need = this.c.aNeed[a] as number;
      const kA = this.c.aStA[a] as number;
      const kind = this.c.aKind[a];
      const oA = ch.offsets[kA] as number;
      const wA = ch.widths[kA] as number;
      const t = this.c.aT[a] as number;
      const cmp = this.c.aCmp[a] as number;
      const dir = this.c.aDir[a];
      const relative = this.c.aRel[a] === 1;
      const kB = this.c.aStB[a] as number;
      const oB = kB >= 0 ? (ch.offsets[kB] as number) : 0;
      const wB = kB >= 0 ? (ch.widths[kB] as number) : 0;
      const aggA = agg[kA] as Float64Array;
      const errA = err[kA];
      const aggB = kB >= 0 ? (agg[kB] as Float64Array) : aggA;
      const errB = kB >= 0 ? err[kB] : undefined;
      const first = Math.max(prefix, need - base - 1);
      for (let k = first; k < len; k++) {
        const now = time[rows[k] as number] as number;
        if (!cooldownAllows(last, now, period)) continue;
        let fires: boolean;
        if (kind === THRESHOLD) {
          let x = aggA[k - oA] as number;
          if (errA !== undefined && thresholdNear(x, t, errA[k - oA] as number)) x = spanMean(vals, oA, wA, k);
          fires = thresholdHolds(x, cmp, t);
        } else {
          let cur = aggA[k - oA] as number;
          let prior = aggB[k - oB] as number;
          const ec = errA === undefined ? 0 : (errA[k - oA] as number);
          const ep = errB === undefined ? 0 : (errB[k - oB] as number);
          let d = changeValue(cur, prior, relative);
          // Means are running estimates: near a decision boundary, decide on the exact means.
          if ((ec !== 0 || ep !== 0) && changeNear(cur, prior, ec, ep, d, relative, t)) {
            if (errA !== undefined) cur = spanMean(vals, oA, wA, k);
            if (errB !== undefined) prior = spanMean(vals, oB, wB, k);
            d = changeValue(cur, prior, relative);
          }
          fires = directionHolds(d, dir as number, t);
        }
        if (!fires) continue;
        last = now;
        const row = rows[k] as number;
        found.push({ row, automation: a, firing: this.kernelFiring(a, run, columns, source, row, now, ch, vals, k) });
      }
      ch.d[cdi] = last;
    }
    // Leave the slot as streaming would: the last L values, the count, the last step.
    ch.reload(slot, Array.from(vals.subarray(Math.max(0, len - L), len)), base + len, lastStep);
  }

  /** A firing found by a kernel at series position `k` (kept out of the scan loop: no closure over it). */
  private kernelFiring(a: number, run: RunInfo, columns: MetricColumns, source: RowSource, row: number, now: number, ch: Channel, vals: Float64Array, k: number): Firing {
    source.row = row;
    const event = rowEvent(run, columns.step[row] as number, now, source);
    const span = (st: number): number[] => {
      const e = k - (ch.offsets[st] as number);
      const out: number[] = [];
      for (let i = Math.max(0, e - (ch.widths[st] as number) + 1); i <= e; i++) out.push(vals[i] as number);
      return out;
    };
    return explainMetric(this.c, this.c.autos[a] as Compiled, run, event, vals[k] as number, span);
  }

  private rowsBuf(n: number): Int32Array {
    if (this.rowPool.length < n) this.rowPool = new Int32Array(Math.max(n, 2 * this.rowPool.length, 64));
    return this.rowPool;
  }
}
