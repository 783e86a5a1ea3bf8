/**
 * Plans and templates: what one value of a metric of a run touches. A run's plan for a channel is its slot in
 * the channel and the automations whose scope contains the run's project; the automations of a plan that pass
 * their run filters form a template, interned so that runs alike share one, laid out as rows of numbers the
 * metric path (`metric.ts`) evaluates. The run rows (`runRows`) are the hot path's view of the runs.
 */
import type { RunRef } from "../events/index.js";
import type { FieldValues } from "../filter.js";
import { scopeContains } from "../scope.js";
import type { Channel } from "../windows/streaming.js";
import { CHANGE, THRESHOLD, type Compilation, type Compiled } from "./compile.js";
import type { RunInfo } from "./runs.js";

/** What one value of a metric of a run touches in one channel: its slot and the automations to evaluate. */
export interface Plan {
  readonly ch: Channel;
  readonly channel: number;
  readonly slot: number;
  /** Automation indices, and their positions in the channel (where their last firing time is kept). */
  readonly autos: Int32Array;
  readonly local: Int32Array;
  /** Whether each automation's run filter matches the run (recomputed when the run's name or user changes). */
  readonly active: Uint8Array;
  allActive: boolean;
  /** The template of the active automations (see `Plans.template`). */
  tmpl: number;
}

/** The fields a run filter reads. */
export function runFields(run: RunInfo): FieldValues {
  return { runName: [run.name], runUser: [run.user] };
}

export class Plans {
  /**
   * The hot path's view of the runs, one row of `rowStride` entries per run index, so that a point reads one
   * contiguous row after the run-reference look-up: [the last reference object the run was seen through, its id,
   * entity, project, then per channel `c` at 4 + 2c its slot in the channel (-1: not planned yet; -2: no
   * automation of the channel can fire for the run) and its template].
   */
  readonly runRows: (RunRef | string | number)[] = [];
  readonly rowStride: number;
  /**
   * Templates: the automations a point evaluates in one channel, for every run with the same automations in
   * scope and passing their run filters, as rows of numbers by kind (see `template`): template `t`'s threshold
   * rows are `rows[tmplAt[4t] .. tmplAt[4t + 1])`, its change rows up to `tmplAt[4t + 2]`, its z-score rows up to
   * `tmplAt[4t + 3]`; `tmplNeed[t]` is the most values any of them needs.
   */
  private readonly tmplKeys = new Map<string, number>();
  tmplAt = new Int32Array(0);
  tmplNeed = new Float64Array(0);
  rows = new Float64Array(0);

  constructor(private readonly c: Compilation) {
    this.rowStride = 4 + 2 * c.channels.length;
  }

  /** A run's plans for watched metric `m` (one per channel of the metric with automations in scope). */
  plansFor(run: RunInfo, m: number): Plan[] {
    const plans: Plan[] = [];
    const fields = runFields(run);
    const hb = run.index * this.rowStride + 4;
    const autosOf = this.c.autos;
    for (const c of this.c.metricChannels[m] ?? []) {
      this.runRows[hb + 2 * c] = -2;
      let local = run.loc.channelAutos[c];
      const all = this.c.channelAutos[c] ?? [];
      if (local === undefined) {
        local = Int32Array.from(all.flatMap((a, j) => (scopeContains((autosOf[a] as Compiled).spec.scope, run.loc.loc, undefined) ? [j] : [])));
        run.loc.channelAutos[c] = local;
      }
      if (local.length === 0) continue;
      const ch = this.c.channels[c] as Channel;
      const autos = Int32Array.from(local, (j) => all[j] as number);
      const active = Uint8Array.from(autos, (a) => ((autosOf[a] as Compiled).filter(fields) ? 1 : 0));
      const tmpl = this.template(ch, c, autos, local, active);
      const plan: Plan = { ch, channel: c, slot: ch.addSlot(), autos, local, active, allActive: active.every((x) => x === 1), tmpl };
      plans.push(plan);
      this.runRows[hb + 2 * c] = plan.slot;
      this.runRows[hb + 2 * c + 1] = tmpl;
    }
    run.plans[m] = plans;
    return plans;
  }

  /** A run's display name or user changed: its run filters are decided again, and its templates with them. */
  refilter(run: RunInfo): void {
    const fields = runFields(run);
    for (const plans of run.plans) {
      if (plans === undefined) continue;
      for (const plan of plans) {
        plan.autos.forEach((a, j) => (plan.active[j] = this.c.autos[a]?.filter(fields) ? 1 : 0));
        plan.allActive = plan.active.every((x) => x === 1);
        plan.tmpl = this.template(plan.ch, plan.channel, plan.autos, plan.local, plan.active);
        this.runRows[run.index * this.rowStride + 5 + 2 * plan.channel] = plan.tmpl;
      }
    }
  }

  /**
   * The template of a channel's active automations (interned: runs alike share one). Each automation is one row
   * of numbers, ending with [values needed, automation index, index of its last firing time in a slot's doubles]:
   * - a threshold: [state, comparison code, threshold, 0, …] (decide.ts `thresholdHolds`);
   * - a change: [current state, prior state, 1 if relative, direction, amount, …];
   * - a z-score: […] alone (see `MetricPath.zscoreHolds`).
   */
  template(ch: Channel, c: number, autos: Int32Array, local: Int32Array, active: Uint8Array): number {
    // The automations decide the rows: intern on their indices before building anything.
    let key = `${c}:`;
    autos.forEach((a, j) => {
      if (active[j] === 1) key += `${a},`;
    });
    let t = this.tmplKeys.get(key);
    if (t !== undefined) return t;
    const thr: number[] = [];
    const chg: number[] = [];
    const zs: number[] = [];
    let need = 0;
    autos.forEach((a, j) => {
      if (active[j] !== 1) return;
      const tail = [this.c.aNeed[a] as number, a, ch.cdStart + (local[j] as number)];
      need = Math.max(need, this.c.aNeed[a] as number);
      const kind = this.c.aKind[a];
      if (kind === THRESHOLD) {
        thr.push(this.c.aStA[a] as number, this.c.aCmp[a] as number, this.c.aT[a] as number, 0, ...tail);
      } else if (kind === CHANGE) {
        chg.push(this.c.aStA[a] as number, this.c.aStB[a] as number, this.c.aRel[a] as number, this.c.aDir[a] as number, this.c.aT[a] as number, ...tail);
      } else zs.push(...tail);
    });
    t = this.tmplKeys.size;
    this.tmplKeys.set(key, t);
    const from = this.rows.length;
    const rows = new Float64Array(from + thr.length + chg.length + zs.length);
    rows.set(this.rows);
    rows.set(thr, from);
    rows.set(chg, from + thr.length);
    rows.set(zs, from + thr.length + chg.length);
    this.rows = rows;
    const at = new Int32Array(4 * (t + 1));
    at.set(this.tmplAt);
    at.set([from, from + thr.length, from + thr.length + chg.length, rows.length], 4 * t);
    this.tmplAt = at;
    const needs = new Float64Array(t + 1);
    needs.set(this.tmplNeed);
    needs[t] = need;
    this.tmplNeed = needs;
    return t;
  }
}
