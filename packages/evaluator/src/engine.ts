/**
 * The streaming engine: automations in, events in, firings out (spec §D). Pure: the clock is the events'
 * timestamps; no timers, no I/O; all state is plain data in `snapshot()`.
 *
 * Layout of the metric hot path: automations watching the same metric (and started together, see "epochs"
 * below) form a channel (`window.ts`); each run that logs the metric gets one slot in it, holding the ring and
 * every distinct aggregate state of the channel; a run's plan for a metric lists its slot and the automations
 * whose scope contains the run's project, so a point touches only automations that can fire, and one window
 * state serves every automation that aggregates the metric the same way.
 *
 * Epochs: automations present when an engine is created share epoch 0. `restoreEngine` keeps the epoch (and so
 * the windows and cooldowns) of every automation whose id and definition are unchanged, and starts new or
 * changed automations in a new epoch with empty windows: their windows only see values pushed after the restore.
 */
import {
  canonicalJson,
  isArtifactEventType,
  normalizeSpec,
  scopeKey,
  type Aggregation,
  type AutomationSpec,
  type ChangeType,
  type Comparison,
  type Direction,
  type EventType,
  type JsonValue,
  MAX_WINDOW,
  type RunMetricEventSpec,
  type RunState,
  type Scope,
  TripwireError,
} from "@tripwire/sdk";
import { aggregateOf, changeOf, meanOf, zscoreOf, type StdKind } from "./aggregate.js";
import { changeNear, changeValue, CMP_CODE, DIR_CODE, directionHolds, thresholdHolds, U } from "./decide.js";
import { cooldownAllows } from "./cooldown.js";
import type { ArtifactEvent, CollectionTagEvent, EventRunState, RunMetricEvent, RunRef, RunStateEvent, TripwireEvent, TripwireEventType } from "./events/index.js";
import { compileFilter, UnsupportedFilterError, type FieldValues, type Predicate } from "./filter.js";
import { artifactLocation, projectLocation, scopeContains, type Location, type OrgOf } from "./scope.js";
import { DEFAULT_COOLDOWN_MS, formatTimestamp, parseTimestamp } from "./time.js";
import { windowExtremes, windowMeans } from "./kernel.js";
import { Channel, LAST, MAX, MIN, MOMENTS, SUM, sumFactor, type StateKind, type StateSpec } from "./window.js";

import type { EngineAutomation, EngineOptions, ThresholdExplanation, ChangeExplanation, ZScoreExplanation, RunStateExplanation, ArtifactExplanation, Explanation, Firing, EngineSnapshot, MetricColumns, Engine } from "./engine/types.js";
export type { EngineAutomation, EngineOptions, ThresholdExplanation, ChangeExplanation, ZScoreExplanation, RunStateExplanation, ArtifactExplanation, Explanation, Firing, EngineSnapshot, MetricColumns, Engine } from "./engine/types.js";

// ---------------------------------------------------------------------------------------------------------------

const THRESHOLD = 0;
const CHANGE = 1;
const ZSCORE = 2;

interface Compiled {
  readonly index: number;
  readonly id: string;
  readonly spec: AutomationSpec;
  readonly fingerprint: string;
  readonly epoch: number;
  readonly family: "metric" | "runState" | "artifact" | "none";
  readonly filter: Predicate;
  readonly collectionFilter: Predicate | undefined;
  // run metrics
  readonly metric: string;
  readonly channel: number;
  readonly evalKind: number;
  readonly stA: number;
  readonly stB: number;
  readonly need: number;
  readonly cmp: number;
  readonly threshold: number;
  readonly dir: number;
  readonly relative: boolean;
}

/** What one value of a metric of a run touches in one channel: its slot and the automations to evaluate. */
interface Plan {
  readonly ch: Channel;
  readonly channel: number;
  readonly slot: number;
  /** Automation indices, and their positions in the channel (where their last firing time is kept). */
  readonly autos: Int32Array;
  readonly local: Int32Array;
  /** Whether each automation's run filter matches the run (recomputed when the run's name or user changes). */
  readonly active: Uint8Array;
  allActive: boolean;
  /** The template of the active automations (see `EngineImpl.template`). */
  tmpl: number;
}

interface RunInfo {
  readonly index: number;
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  name: string;
  user: string;
  ref: RunRef | undefined;
  readonly loc: LocInfo;
  state: EventRunState | null;
  readonly plans: (Plan[] | undefined)[];
}

interface LocInfo {
  readonly loc: Location;
  /** Per channel: positions (in the channel's automation list) of those whose scope contains this location. */
  readonly channelAutos: (Int32Array | undefined)[];
  runStateAutos: number[] | undefined;
}

const CHANNEL_SEP = "\u0000";

/** The exact mean of the span (o, w) ending at series position k, as the streaming path recomputes it. */
function exactMean(vals: Float64Array, o: number, w: number, k: number): number {
  const e = k - o;
  return meanOf(vals, Math.max(0, e - w + 1), e + 1);
}

/** Below this many consecutive rows of one run, columnar history streams row by row. */
const KERNEL_MIN_ROWS = 8;

/** A firing found by a columnar kernel, with what orders it: its row, then its automation. */
interface KernelFiring {
  readonly row: number;
  readonly automation: number;
  readonly firing: Firing;
}

/** Per channel: guard-band factors of its states. */
interface StateCache {
  readonly sumK: Float64Array;
  readonly momMeanK: Float64Array;
  readonly momVarK: Float64Array;
}

/**
 * The automation id of a plain spec: `${scopeKey(scope)}/${name}`.
 * @example automationIdOf(toSpec(lossSpike)) // "project:acme/llm/loss-spike"
 */
export function automationIdOf(spec: AutomationSpec): string {
  return `${scopeKey(spec.scope)}/${spec.name}`;
}

function normalizeAutomations(list: readonly (AutomationSpec | EngineAutomation)[]): EngineAutomation[] {
  const out = list.map((a): EngineAutomation => ("spec" in a && "id" in a && typeof a.id === "string" ? a : { id: automationIdOf(a as AutomationSpec), spec: a as AutomationSpec }));
  const seen = new Set<string>();
  for (const a of out) {
    if (seen.has(a.id)) throw new TripwireError("TW2030", `two automations have the id "${a.id}"; ids must be unique`);
    seen.add(a.id);
  }
  return out;
}

function fingerprintOf(spec: AutomationSpec, options: EngineOptions): string {
  const n = normalizeSpec(spec);
  const z = n.event.type === "runMetricZScore" ? { zscoreWindow: options.zscoreWindow ?? "including-latest", zscoreStd: options.zscoreStd ?? "population" } : {};
  return canonicalJson({ scope: n.scope, event: n.event, ...z });
}

const stateKindOf = (agg: Aggregation | null): StateKind => (agg === null ? LAST : agg === "mean" ? SUM : agg === "min" ? MIN : MAX);

/** Guard band factors: how far a running estimate may be from the exact recomputation (see `aggregate.ts`). */
// The running sum's factor is `sumFactor` (window.ts), where the sums are kept.
const momentMeanFactor = (w: number) => 16 * (w + 2) * U;
const momentVarFactor = (w: number) => 512 * (w + 4) * U;

class EngineImpl implements Engine {
  readonly unsupported: { automationId: string; reason: string }[] = [];
  private readonly autos: Compiled[] = [];
  private readonly channels: Channel[] = [];
  private readonly channelKeys: string[] = [];
  private readonly channelAutos: number[][] = [];
  /** Watched metric name → dense id (and back); per metric id, its channels. */
  private readonly metricIds = new Map<string, number>();
  private readonly metricNames: string[] = [];
  private readonly indexById = new Map<string, number>();
  private readonly metricChannels: number[][] = [];
  private metricChans: Int32Array[] = [];
  private readonly runStateAutos: number[] = [];
  private readonly artifactAutos = new Map<EventType, number[]>();
  private readonly runs: RunInfo[] = [];
  private readonly runIndex = new Map<string, Map<string, Map<string, RunInfo>>>();
  /** Run reference objects already seen → run index (a server passing the same objects skips the maps above). */
  private readonly runByRef = new WeakMap<RunRef, number>();
  private readonly locs = new Map<string, LocInfo>();
  /** The per-run limit in milliseconds. */
  private readonly period: number;
  private readonly stateCooldowns = new Map<string, number>();
  private readonly aliasHolders = new Map<string, Map<string, number>>();
  private readonly partial: boolean;
  private readonly runStateLimit: boolean;
  private readonly zOffset: number;
  private readonly zSample: boolean;
  private lastTs = "";
  private lastMs = NaN;
  /**
   * The hot path's view of the runs, one row of `rowStride` entries per run index, so that a point reads one
   * contiguous row after the run-reference look-up: [the last reference object the run was seen through, its id,
   * entity, project, then per channel `c` at 4 + 2c its slot in the channel (-1: not planned yet; -2: no
   * automation of the channel can fire for the run) and its template].
   */
  private readonly runRows: (RunRef | string | number)[] = [];
  private readonly rowStride: number;
  /**
   * Templates: the automations a point evaluates in one channel, for every run with the same automations in
   * scope and passing their run filters, as rows of numbers by kind (see `template`): template `t`'s threshold
   * rows are `rows[tmplAt[4t] .. tmplAt[4t + 1])`, its change rows up to `tmplAt[4t + 2]`, its z-score rows up to
   * `tmplAt[4t + 3]`; `tmplNeed[t]` is the most values any of them needs.
   */
  private readonly tmplKeys = new Map<string, number>();
  private tmplAt = new Int32Array(0);
  private tmplNeed = new Float64Array(0);
  private rows = new Float64Array(0);
  private readonly cache: StateCache[] = [];
  /** Scratch arrays of the columnar kernels. */
  private readonly pool: (Float64Array | undefined)[] = [];
  private rowPool = new Int32Array(0);
  // Run-metric automation parameters, structure of arrays indexed by automation index (the hot path reads these).
  private aNeed = new Float64Array(0);
  private aKind = new Int8Array(0);
  private aStA = new Int32Array(0);
  private aStB = new Int32Array(0);
  private aCmp = new Int8Array(0);
  private aT = new Float64Array(0);
  private aDir = new Int8Array(0);
  private aRel = new Uint8Array(0);

  constructor(
    automations: readonly EngineAutomation[],
    readonly options: EngineOptions,
    epochs: ReadonlyMap<string, number>,
    /** The epoch of automations not in `epochs` (new or changed ones). */
    readonly epoch: number,
  ) {
    this.partial = options.partialWindows ?? false;
    this.runStateLimit = options.runStateCooldown ?? true;
    this.zOffset = options.zscoreWindow === "preceding" ? 1 : 0;
    this.zSample = options.zscoreStd === "sample";
    this.period = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    const stateSpecs: StateSpec[][] = [];
    for (const { id, spec } of automations) this.compile(id, spec, options, epochs.get(id) ?? epoch, stateSpecs);
    stateSpecs.forEach((specs, c) => {
      this.channels[c] = new Channel(specs, (this.channelAutos[c] ?? []).length);
      this.cache[c] = {
        sumK: Float64Array.from(specs, (s) => sumFactor(s.width)),
        momMeanK: Float64Array.from(specs, (s) => momentMeanFactor(s.width)),
        momVarK: Float64Array.from(specs, (s) => momentVarFactor(s.width) * (this.zSample ? 2 : 1)),
      };
    });
    const count = this.autos.length;
    this.aNeed = Float64Array.from(this.autos, (a) => a.need);
    this.aKind = Int8Array.from(this.autos, (a) => a.evalKind);
    this.aStA = Int32Array.from(this.autos, (a) => a.stA);
    this.aStB = Int32Array.from(this.autos, (a) => a.stB);
    this.aCmp = Int8Array.from(this.autos, (a) => a.cmp);
    this.aT = Float64Array.from(this.autos, (a) => a.threshold);
    this.aDir = Int8Array.from(this.autos, (a) => a.dir);
    this.aRel = Uint8Array.from(this.autos, (a) => (a.relative ? 1 : 0));
    if (count !== this.aNeed.length) throw new TripwireError("TW2900", "internal error: automation tables out of step");
    this.rowStride = 4 + 2 * this.channels.length;
    this.metricChans = this.metricChannels.map((list) => Int32Array.from(list));
  }

  private compile(id: string, spec: AutomationSpec, options: EngineOptions, epoch: number, stateSpecs: StateSpec[][]): void {
    const index = this.autos.length;
    this.indexById.set(id, index);
    const base = {
      index,
      id,
      spec,
      fingerprint: fingerprintOf(spec, options),
      epoch,
      family: "none" as Compiled["family"],
      filter: (() => true) as Predicate,
      collectionFilter: undefined as Predicate | undefined,
      metric: "",
      channel: -1,
      evalKind: -1,
      stA: -1,
      stB: -1,
      need: 0,
      cmp: 0,
      threshold: 0,
      dir: 0,
      relative: false,
    };
    const event = spec.event;
    if (!spec.enabled || event.type === "raw") {
      this.autos.push(base);
      return;
    }
    try {
      base.filter = compileFilter("runFilter" in event ? event.runFilter : "filter" in event ? (event.filter as never) : undefined);
      if (spec.scope.type === "collections") base.collectionFilter = compileFilter(spec.scope.filter);
    } catch (e) {
      if (!(e instanceof UnsupportedFilterError)) throw e;
      this.unsupported.push({ automationId: id, reason: e.message });
      this.autos.push(base);
      return;
    }
    if (isArtifactEventType(event.type)) {
      base.family = "artifact";
      const list = this.artifactAutos.get(event.type) ?? [];
      list.push(index);
      this.artifactAutos.set(event.type, list);
      this.autos.push(base);
      return;
    }
    if (event.type === "runState") {
      base.family = "runState";
      this.runStateAutos.push(index);
      this.autos.push(base);
      return;
    }
    const me = event as RunMetricEventSpec;
    // Defence in depth behind validate (TW1030): a window is allocated per run, so an unbounded one held by a
    // stored or hand-made spec must not reach the windows. Such an automation never fires, and says why.
    const widths = me.type === "runMetricZScore" ? [me.window] : me.agg === null ? [] : me.type === "runMetricChange" ? [me.window, me.priorWindow] : [me.window];
    if (widths.some((w) => !(w <= MAX_WINDOW))) {
      this.unsupported.push({ automationId: id, reason: `a window of ${widths.join(" + ")} values is larger than the maximum of ${MAX_WINDOW}` });
      this.autos.push(base);
      return;
    }
    const key = `${me.metric}${CHANNEL_SEP}${epoch}`;
    let c = this.channelKeys.indexOf(key);
    if (c < 0) {
      c = this.channelKeys.length;
      this.channelKeys.push(key);
      this.channelAutos.push([]);
      stateSpecs.push([]);
      let m = this.metricIds.get(me.metric);
      if (m === undefined) {
        m = this.metricIds.size;
        this.metricIds.set(me.metric, m);
        this.metricNames.push(me.metric);
        this.metricChannels.push([]);
      }
      this.metricChannels[m]?.push(c);
    }
    const specs = stateSpecs[c] as StateSpec[];
    const state = (kind: StateKind, offset: number, width: number): number => {
      const found = specs.findIndex((s) => s.kind === kind && s.offset === offset && s.width === width);
      if (found >= 0) return found;
      specs.push({ kind, offset, width });
      return specs.length - 1;
    };
    base.family = "metric";
    base.metric = me.metric;
    base.channel = c;
    switch (me.type) {
      case "runMetricThreshold": {
        const w = me.agg === null ? 1 : Math.max(1, Math.floor(me.window));
        base.evalKind = THRESHOLD;
        base.stA = state(stateKindOf(me.agg), 0, w);
        base.need = this.partial ? 1 : w;
        base.cmp = CMP_CODE[me.cmp];
        base.threshold = me.threshold;
        break;
      }
      case "runMetricChange": {
        const latest = me.agg === null;
        const cw = latest ? 1 : Math.max(1, Math.floor(me.window));
        const pw = latest ? 1 : Math.max(1, Math.floor(me.priorWindow));
        base.evalKind = CHANGE;
        base.stA = state(stateKindOf(me.agg), 0, cw);
        base.stB = state(stateKindOf(me.agg), cw, pw);
        base.need = this.partial ? cw + 1 : cw + pw;
        base.threshold = me.amount;
        base.dir = DIR_CODE[me.direction];
        base.relative = me.change === "relative";
        break;
      }
      case "runMetricZScore": {
        const w = Math.max(1, Math.floor(me.window));
        base.evalKind = ZSCORE;
        base.stA = state(MOMENTS, this.zOffset, w);
        // A window of one value has no spread: it never fires (σ = 0).
        base.need = w < 2 ? Infinity : this.partial ? this.zOffset + 2 : this.zOffset + w;
        base.threshold = me.threshold;
        base.dir = DIR_CODE[me.direction];
        break;
      }
    }
    this.channelAutos[c]?.push(index);
    this.autos.push(base);
  }

  // ----- runs and locations ------------------------------------------------------------------------------------

  private locInfo(entity: string, project: string): LocInfo {
    const key = `${entity}${CHANNEL_SEP}${project}`;
    let info = this.locs.get(key);
    if (info === undefined) {
      info = { loc: projectLocation(entity, project, this.options.orgOf), channelAutos: [], runStateAutos: undefined };
      this.locs.set(key, info);
    }
    return info;
  }

  /** The index of an event's run (the hot path: one look-up and one row when the reference object is known). */
  private runIndexOf(entity: string, project: string, ref: RunRef): number {
    const i = this.runByRef.get(ref);
    if (i !== undefined) {
      const row = this.runRows;
      const b = i * this.rowStride;
      if (row[b] === ref && row[b + 1] === ref.id && row[b + 2] === entity && row[b + 3] === project) return i;
    }
    return this.runFor(entity, project, ref).index;
  }

  private runFor(entity: string, project: string, ref: RunRef): RunInfo {
    const i = this.runByRef.get(ref);
    const cached = i === undefined ? undefined : this.runs[i];
    if (cached !== undefined && cached.id === ref.id && cached.entity === entity && cached.project === project) {
      if (cached.ref !== ref) this.touch(cached, ref);
      return cached;
    }
    let byProject = this.runIndex.get(entity);
    if (byProject === undefined) this.runIndex.set(entity, (byProject = new Map()));
    let byId = byProject.get(project);
    if (byId === undefined) byProject.set(project, (byId = new Map()));
    let run = byId.get(ref.id);
    if (run === undefined) {
      run = { index: this.runs.length, entity, project, id: ref.id, name: ref.name, user: ref.user, ref, loc: this.locInfo(entity, project), state: null, plans: [] };
      this.runs.push(run);
      this.runRows.push(ref, ref.id, entity, project);
      for (let c = 0; c < this.channels.length; c++) this.runRows.push(-1, -1);
      byId.set(ref.id, run);
    } else if (run.ref !== ref) {
      this.touch(run, ref);
    }
    this.runByRef.set(ref, run.index);
    return run;
  }

  /** A run seen through a new reference object: its display name or user may have changed (run filters). */
  private touch(run: RunInfo, ref: RunRef): void {
    run.ref = ref;
    this.runRows[run.index * this.rowStride] = ref;
    if (run.name === ref.name && run.user === ref.user) return;
    run.name = ref.name;
    run.user = ref.user;
    const fields = this.runFields(run);
    for (const plans of run.plans) {
      if (plans === undefined) continue;
      for (const plan of plans) {
        plan.autos.forEach((a, j) => (plan.active[j] = this.autos[a]?.filter(fields) ? 1 : 0));
        plan.allActive = plan.active.every((x) => x === 1);
        plan.tmpl = this.template(plan.ch, plan.channel, plan.autos, plan.local, plan.active);
        this.runRows[run.index * this.rowStride + 5 + 2 * plan.channel] = plan.tmpl;
      }
    }
  }

  private runFields(run: RunInfo): FieldValues {
    return { runName: [run.name], runUser: [run.user] };
  }

  private plansFor(run: RunInfo, m: number): Plan[] {
    const plans: Plan[] = [];
    const fields = this.runFields(run);
    const hb = run.index * this.rowStride + 4;
    for (const c of this.metricChannels[m] ?? []) {
      this.runRows[hb + 2 * c] = -2;
      let local = run.loc.channelAutos[c];
      const all = this.channelAutos[c] ?? [];
      if (local === undefined) {
        local = Int32Array.from(all.flatMap((a, j) => (scopeContains((this.autos[a] as Compiled).spec.scope, run.loc.loc, undefined) ? [j] : [])));
        run.loc.channelAutos[c] = local;
      }
      if (local.length === 0) continue;
      const ch = this.channels[c] as Channel;
      const autos = Int32Array.from(local, (j) => all[j] as number);
      const active = Uint8Array.from(autos, (a) => ((this.autos[a] as Compiled).filter(fields) ? 1 : 0));
      const tmpl = this.template(ch, c, autos, local, active);
      const plan: Plan = { ch, channel: c, slot: ch.addSlot(), autos, local, active, allActive: active.every((x) => x === 1), tmpl };
      plans.push(plan);
      this.runRows[hb + 2 * c] = plan.slot;
      this.runRows[hb + 2 * c + 1] = tmpl;
    }
    run.plans[m] = plans;
    return plans;
  }

  /**
   * The template of a channel's active automations (interned: runs alike share one). Each automation is one row
   * of numbers, ending with [values needed, automation index, index of its last firing time in a slot's doubles]:
   * - a threshold: [state, comparison code, threshold, 0, …] (decide.ts `thresholdHolds`);
   * - a change: [current state, prior state, 1 if relative, direction, amount, …];
   * - a z-score: […] alone (see `zscoreHolds`).
   */
  private template(ch: Channel, c: number, autos: Int32Array, local: Int32Array, active: Uint8Array): number {
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
      const tail = [this.aNeed[a] as number, a, ch.cdStart + (local[j] as number)];
      need = Math.max(need, this.aNeed[a] as number);
      const kind = this.aKind[a];
      if (kind === THRESHOLD) {
        thr.push(this.aStA[a] as number, this.aCmp[a] as number, this.aT[a] as number, 0, ...tail);
      } else if (kind === CHANGE) {
        chg.push(this.aStA[a] as number, this.aStB[a] as number, this.aRel[a] as number, this.aDir[a] as number, this.aT[a] as number, ...tail);
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

  private now(ts: string): number {
    if (ts === this.lastTs) return this.lastMs;
    const ms = parseTimestamp(ts);
    if (Number.isNaN(ms)) throw new TripwireError("TW2031", `event timestamp "${ts}" is not an ISO 8601 date-time`);
    this.lastTs = ts;
    this.lastMs = ms;
    return ms;
  }

  // ----- events --------------------------------------------------------------------------------------------------

  push(event: TripwireEvent): Firing[] {
    switch (event.type) {
      case "run.metric":
        return this.pushMetric(event);
      case "run.state":
        return this.pushState(event);
      case "collection.tag_added":
      case "collection.tag_removed":
        return this.pushCollectionTag(event);
      default:
        return this.pushArtifact(event);
    }
  }

  pushBatch(events: readonly TripwireEvent[]): Firing[] {
    const out: Firing[] = [];
    for (const e of events) {
      const f = this.push(e);
      for (const x of f) out.push(x);
    }
    return out;
  }

  /** One finite value of watched metric `m` into each of its channels' slots for the run (row base `rb`). */
  private pushWatched(m: number, v: number, run: number, rb: number, now: number, event: RunMetricEvent): Firing[] | undefined {
    let out: Firing[] | undefined;
    const chans = this.metricChans[m] as Int32Array;
    for (let i = 0; i < chans.length; i++) {
      const c = chans[i] as number;
      const at = rb + 2 * c;
      if (this.runRows[at] === -1) this.plansFor(this.runs[run] as RunInfo, m);
      const slot = this.runRows[at] as number;
      if (slot < 0) continue;
      const f = this.pushSlot(c, slot, this.runRows[at + 1] as number, run, event.step, now, v, event, undefined);
      if (f !== undefined) out = out === undefined ? f : out.concat(f);
    }
    return out;
  }

  private pushMetric(event: RunMetricEvent): Firing[] {
    const run = this.runIndexOf(event.entity, event.project, event.run);
    const rb = run * this.rowStride + 4;
    const now = this.now(event.timestamp);
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

  /** Firings of one event come in the order of the automation list. */
  private inAutomationOrder(firings: Firing[]): void {
    const index = this.indexById;
    firings.sort((a, b) => (index.get(a.automationId) as number) - (index.get(b.automationId) as number));
  }

  pushColumns(columns: MetricColumns, from = 0, to = columns.run.length): Firing[] {
    const out: Firing[] = [];
    const metricCols: { m: number; col: ArrayLike<number> }[] = [];
    for (const [name, col] of Object.entries(columns.metrics)) {
      const m = this.metricIds.get(name);
      if (m !== undefined) metricCols.push({ m, col });
    }
    const runs = columns.runs.map((r) => this.runFor(r.entity, r.project, { id: r.id, name: r.name, user: r.user }));
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
          const plans = run.plans[m] ?? this.plansFor(run, m);
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
      const plans = run.plans[m] ?? this.plansFor(run, m);
      for (let i = 0; i < plans.length; i++) {
        source.row = row;
        const f = this.pushValue(plans[i] as Plan, run, step, now, v, undefined, source);
        if (f !== undefined) rowFirings = rowFirings === undefined ? f : rowFirings.concat(f);
      }
    }
    if (rowFirings !== undefined) {
      if (rowFirings.length > 1) this.inAutomationOrder(rowFirings);
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
   * Evaluates a plan over rows [from, to) of one run with the columnar kernels (`kernel.ts`), automation by
   * automation, then leaves the slot exactly as streaming the same values would have. Same semantics as
   * `pushValue` row by row: the property tests compare both.
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
        const f = this.pushValue(plan, run, columns.step[row] as number, columns.time[row] as number, v, undefined, source);
        if (f !== undefined) for (const x of f) found.push({ row, automation: this.indexById.get(x.automationId) as number, firing: x });
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
    const sumK = (this.cache[plan.channel] as StateCache).sumK;
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
    const period = this.period;
    for (let j = 0; j < plan.autos.length; j++) {
      if (plan.active[j] === 0) continue;
      const a = plan.autos[j] as number;
      const cdi = ch.cooldownIndex(slot, plan.local[j] as number);
      let last = ch.d[cdi] as number;
      const need = this.aNeed[a] as number;
      const kA = this.aStA[a] as number;
      const kind = this.aKind[a];
      const oA = ch.offsets[kA] as number;
      const wA = ch.widths[kA] as number;
      const t = this.aT[a] as number;
      const cmp = this.aCmp[a] as number;
      const dir = this.aDir[a];
      const relative = this.aRel[a] === 1;
      const kB = this.aStB[a] as number;
      const oB = kB >= 0 ? (ch.offsets[kB] as number) : 0;
      const wB = kB >= 0 ? (ch.widths[kB] as number) : 0;
      const aggA = agg[kA] as Float64Array;
      const errA = err[kA];
      const aggB = kB >= 0 ? (agg[kB] as Float64Array) : aggA;
      const errB = kB >= 0 ? err[kB] : undefined;
      const first = Math.max(prefix, need - base - 1);
      for (let k = first; k < len; k++) {
        const now = time[rows[k] as number] as number;
        if (now - last < period) continue;
        let fires: boolean;
        if (kind === THRESHOLD) {
          let x = aggA[k - oA] as number;
          if (errA !== undefined && Math.abs(x - t) <= (errA[k - oA] as number)) x = exactMean(vals, oA, wA, k);
          fires = thresholdHolds(x, cmp, t);
        } else {
          let cur = aggA[k - oA] as number;
          let prior = aggB[k - oB] as number;
          const ec = errA === undefined ? 0 : (errA[k - oA] as number);
          const ep = errB === undefined ? 0 : (errB[k - oB] as number);
          let d = changeValue(cur, prior, relative);
          // Means are running estimates: near a decision boundary, decide on the exact means.
          if ((ec !== 0 || ep !== 0) && changeNear(cur, prior, ec, ep, d, relative, t)) {
            if (errA !== undefined) cur = exactMean(vals, oA, wA, k);
            if (errB !== undefined) prior = exactMean(vals, oB, wB, k);
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
    return this.explain(this.autos[a] as Compiled, run, event, vals[k] as number, span);
  }

  private rowsBuf(n: number): Int32Array {
    if (this.rowPool.length < n) this.rowPool = new Int32Array(Math.max(n, 2 * this.rowPool.length, 64));
    return this.rowPool;
  }

  /** Appends one value to a run's slot and evaluates the plan's automations (the cold paths' entry). */
  private pushValue(
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
    const young = n < (this.tmplNeed[t] as number);
    const rows = this.rows;
    const at = this.tmplAt;
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
      if (err > 0 && Math.abs(x - threshold) <= err) x = this.exactMean(ch, slot, k);
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
    // The last firing time lives in the slot's own block (see window.ts), after its windows.
    const b = slot * ch.dPer + (rows[r + 2] as number);
    if (now - (ch.d[b] as number) < this.period) return out;
    ch.d[b] = now;
    const run = this.runs[runIndex] as RunInfo;
    const ev = event ?? rowEvent(run, step, now, source as RowSource);
    (out ??= []).push(this.metricFiring(this.autos[rows[r + 1] as number] as Compiled, ch, slot, run, ev, v));
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
    let z = NaN;
    let exact = variance <= 4 * eVar;
    if (!exact) {
      const sigma = Math.sqrt(variance);
      z = (x - mean) / sigma;
      const eMean = (cache.momMeanK[k] as number) * scale;
      const ez = (eMean + 2 * U * Math.abs(x - mean)) / sigma + (Math.abs(z) * eVar) / variance;
      const m = 2 * ez + 8 * U * Math.abs(z);
      exact = Math.abs(Math.abs(z) - t) <= m;
    }
    if (exact) {
      ch.copySpan(slot, ch.offsets[k] as number, cnt, ch.scratch);
      z = zscoreOf(ch.scratch, x, this.zSample ? "sample" : "population", 0, cnt).z;
    }
    return directionHolds(z, this.aDir[a] as number, t);
  }

  private spanValues(ch: Channel, slot: number, k: number): number[] {
    const cnt = ch.spanCount(k, slot);
    ch.copySpan(slot, ch.offsets[k] as number, cnt, ch.scratch);
    const out: number[] = [];
    for (let i = 0; i < cnt; i++) out.push(ch.scratch[i] as number);
    return out;
  }

  private metricFiring(a: Compiled, ch: Channel, slot: number, run: RunInfo, event: RunMetricEvent, latest: number): Firing {
    return this.explain(a, run, event, latest, (k) => this.spanValues(ch, slot, k));
  }

  /** A run-metric firing, its explanation built from the values of each state's span (`span(k)`, oldest first). */
  private explain(a: Compiled, run: RunInfo, event: RunMetricEvent, latest: number, span: (k: number) => number[]): Firing {
    const spec = a.spec;
    const e = spec.event;
    let explanation: Explanation;
    if (e.type === "runMetricThreshold") {
      const values = span(a.stA);
      explanation = { kind: "threshold", metric: e.metric, agg: e.agg, window: e.agg === null ? 1 : e.window, values, value: aggregateOf(e.agg, values), cmp: e.cmp, threshold: e.threshold };
    } else if (e.type === "runMetricChange") {
      const currentValues = span(a.stA);
      const priorValues = span(a.stB);
      const current = aggregateOf(e.agg, currentValues);
      const prior = aggregateOf(e.agg, priorValues);
      explanation = {
        kind: "change",
        metric: e.metric,
        agg: e.agg,
        window: e.agg === null ? 1 : e.window,
        priorWindow: e.agg === null ? 1 : e.priorWindow,
        currentValues,
        priorValues,
        current,
        prior,
        change: e.change,
        delta: changeOf(current, prior, e.change),
        direction: e.direction,
        amount: e.amount,
      };
    } else if (e.type === "runMetricZScore") {
      const values = span(a.stA);
      const stdKind: StdKind = this.zSample ? "sample" : "population";
      const z = zscoreOf(values, latest, stdKind);
      explanation = {
        kind: "zscore",
        metric: e.metric,
        window: e.window,
        windowValues: this.zOffset === 1 ? "preceding" : "including-latest",
        values,
        latest,
        mean: z.mean,
        std: z.std,
        stdKind,
        zscore: z.z,
        direction: e.direction,
        threshold: e.threshold,
      };
    } else {
      throw new TripwireError("TW2900", `internal error: automation ${a.id} is not a run-metric automation`);
    }
    return {
      automationId: a.id,
      automation: spec.name,
      scope: spec.scope,
      eventType: e.type,
      at: event.timestamp,
      event,
      run: { id: run.id, name: run.name, user: run.user },
      step: event.step,
      explanation,
    };
  }

  private pushState(event: RunStateEvent): Firing[] {
    const run = this.runFor(event.entity, event.project, event.run);
    const now = this.now(event.timestamp);
    const from = run.state;
    run.state = event.state;
    const to = effectiveState(event.state);
    if (to === undefined || (from !== null && effectiveState(from) === to)) return [];
    const loc = run.loc;
    loc.runStateAutos ??= this.runStateAutos.filter((a) => scopeContains((this.autos[a] as Compiled).spec.scope, loc.loc, undefined));
    const fields = this.runFields(run);
    const out: Firing[] = [];
    for (const ai of loc.runStateAutos) {
      const a = this.autos[ai] as Compiled;
      const e = a.spec.event;
      if (e.type !== "runState" || !e.states.includes(to) || !a.filter(fields)) continue;
      const key = `${ai}:${run.index}`;
      if (this.runStateLimit) {
        if (!cooldownAllows(this.stateCooldowns.get(key) ?? NaN, now, this.period)) continue;
        this.stateCooldowns.set(key, now);
      }
      out.push({
        automationId: a.id,
        automation: a.spec.name,
        scope: a.spec.scope,
        eventType: "runState",
        at: event.timestamp,
        event,
        run: { id: run.id, name: run.name, user: run.user },
        explanation: { kind: "runState", from, to: event.state, matched: to, states: [...e.states] },
      });
    }
    return out;
  }

  private holderKey(loc: Location, collection: string): string {
    return `${loc.registry ? "registry" : "project"}:${loc.entity}/${loc.name}/${collection}`;
  }

  private pushArtifact(event: ArtifactEvent): Firing[] {
    this.now(event.timestamp);
    const loc = artifactLocation(event, this.options.orgOf);
    const out: Firing[] = [];
    const key = this.holderKey(loc, event.collection);
    const aliases = event.aliases ?? [];
    const addAliases = (list: readonly string[]) => {
      for (const alias of list) {
        let holders = this.aliasHolders.get(key);
        if (holders === undefined) this.aliasHolders.set(key, (holders = new Map()));
        const previous = holders.get(alias);
        if (previous === event.version) continue; // already held: nothing is added
        holders.set(alias, event.version);
        this.fireArtifact(out, "addArtifactAlias", event, loc, "alias", [alias], { alias, previousHolder: previous ?? null });
      }
    };
    switch (event.type) {
      case "artifact.created":
        this.fireArtifact(out, "createArtifact", event, loc, "alias", aliases, {});
        addAliases(aliases);
        break;
      case "artifact.linked":
        this.fireArtifact(out, "linkArtifact", event, loc, "alias", aliases, {});
        addAliases(aliases);
        break;
      case "artifact.unlinked": {
        this.fireArtifact(out, "unlinkArtifact", event, loc, "alias", aliases, {});
        const holders = this.aliasHolders.get(key);
        if (holders) for (const [alias, version] of holders) if (version === event.version) holders.delete(alias);
        break;
      }
      case "artifact.alias_added":
        addAliases([event.alias ?? ""]);
        break;
      case "artifact.tag_added":
        this.fireArtifact(out, "addArtifactTag", event, loc, "tag", [event.tag ?? ""], { tag: event.tag ?? "" });
        break;
      case "artifact.tag_removed":
        this.fireArtifact(out, "removeArtifactTag", event, loc, "tag", [event.tag ?? ""], { tag: event.tag ?? "" });
        break;
    }
    return out;
  }

  private pushCollectionTag(event: CollectionTagEvent): Firing[] {
    this.now(event.timestamp);
    const loc = artifactLocation(event, this.options.orgOf);
    const out: Firing[] = [];
    const type = event.type === "collection.tag_added" ? "addCollectionTag" : "removeCollectionTag";
    this.fireArtifact(out, type, event, loc, "tag", [event.tag], { tag: event.tag });
    return out;
  }

  private fireArtifact(
    out: Firing[],
    type: EventType,
    event: ArtifactEvent | CollectionTagEvent,
    loc: Location,
    field: "alias" | "tag",
    values: readonly string[],
    extra: { alias?: string; tag?: string; previousHolder?: number | null },
  ): void {
    const list = this.artifactAutos.get(type);
    if (list === undefined) return;
    const fields: FieldValues = { [field]: values };
    for (const ai of list) {
      const a = this.autos[ai] as Compiled;
      if (!scopeContains(a.spec.scope, loc, event.collection, a.collectionFilter) || !a.filter(fields)) continue;
      const artifact: NonNullable<Firing["artifact"]> = { entity: event.entity, collection: event.collection };
      if (loc.registry) artifact.registry = loc.name;
      else artifact.project = loc.name;
      if ("version" in event) artifact.version = event.version;
      if (extra.alias !== undefined) artifact.alias = extra.alias;
      if (extra.tag !== undefined) artifact.tag = extra.tag;
      const explanation: ArtifactExplanation = { kind: "artifact", event: event.type, field, values: [...values] };
      out.push({
        automationId: a.id,
        automation: a.spec.name,
        scope: a.spec.scope,
        eventType: type,
        at: event.timestamp,
        event,
        artifact,
        explanation: "previousHolder" in extra ? { ...explanation, previousHolder: extra.previousHolder ?? null } : explanation,
      });
    }
  }

  // ----- snapshot / restore ----------------------------------------------------------------------------------------

  snapshot(): EngineSnapshot {
    const automations = this.autos.filter((a) => a.family !== "none").map((a) => ({ id: a.id, fingerprint: a.fingerprint, epoch: a.epoch }));
    const runs = this.runs.map((r) => ({ entity: r.entity, project: r.project, id: r.id, name: r.name, user: r.user, state: r.state }));
    const series: EngineSnapshot["series"] = [];
    const cooldowns: EngineSnapshot["cooldowns"] = [];
    for (const run of this.runs) {
      for (const plans of run.plans) {
        if (plans === undefined) continue;
        for (const plan of plans) {
          const ch = plan.ch;
          const [metric, epoch] = (this.channelKeys[plan.channel] as string).split(CHANNEL_SEP) as [string, string];
          if (ch.count(plan.slot) > 0) {
            series.push({ run: run.index, metric, epoch: Number(epoch), count: ch.count(plan.slot), lastStep: ch.lastStep(plan.slot), values: ch.retained(plan.slot) });
          }
          plan.autos.forEach((ai, j) => {
            const at = ch.d[ch.cooldownIndex(plan.slot, plan.local[j] as number)] as number;
            if (!Number.isNaN(at)) cooldowns.push({ automation: (this.autos[ai] as Compiled).id, run: run.index, at });
          });
        }
      }
    }
    for (const [key, at] of this.stateCooldowns) {
      const [ai, ri] = key.split(":").map(Number) as [number, number];
      cooldowns.push({ automation: (this.autos[ai] as Compiled).id, run: ri, at });
    }
    const aliases: EngineSnapshot["aliases"] = [];
    for (const [key, holders] of this.aliasHolders) for (const [alias, version] of holders) aliases.push({ key, alias, version });
    return { version: 1, epoch: this.epoch, automations, runs, series, cooldowns, aliases };
  }

  /** Loads a snapshot's state into this (fresh) engine; see `restoreEngine`. */
  load(snapshot: EngineSnapshot): void {
    const runs = snapshot.runs.map((r) => {
      const run = this.runFor(r.entity, r.project, { id: r.id, name: r.name, user: r.user });
      run.state = r.state;
      return run;
    });
    const kept = new Map(this.autos.filter((a) => a.family !== "none").map((a) => [a.id, a]));
    for (const s of snapshot.series) {
      const run = runs[s.run];
      const m = this.metricIds.get(s.metric);
      if (run === undefined || m === undefined) continue;
      const c = this.channelKeys.indexOf(`${s.metric}${CHANNEL_SEP}${s.epoch}`);
      if (c < 0) continue;
      const plan = (run.plans[m] ?? this.plansFor(run, m)).find((p) => p.channel === c);
      if (plan === undefined) continue;
      plan.ch.restore(plan.slot, s.values, s.count, s.lastStep);
    }
    const previous = new Map(snapshot.automations.map((a) => [a.id, a]));
    for (const cd of snapshot.cooldowns) {
      const a = kept.get(cd.automation);
      const run = runs[cd.run];
      const before = previous.get(cd.automation);
      if (a === undefined || run === undefined || before === undefined || before.fingerprint !== a.fingerprint) continue;
      if (a.family === "runState") {
        this.stateCooldowns.set(`${a.index}:${run.index}`, cd.at);
      } else if (a.family === "metric") {
        const m = this.metricIds.get(a.metric) as number;
        const plan = (run.plans[m] ?? this.plansFor(run, m)).find((p) => p.channel === a.channel);
        const j = plan ? plan.autos.indexOf(a.index) : -1;
        if (plan && j >= 0) plan.ch.d[plan.ch.cooldownIndex(plan.slot, plan.local[j] as number)] = cd.at;
      }
    }
    for (const { key, alias, version } of snapshot.aliases) {
      let holders = this.aliasHolders.get(key);
      if (holders === undefined) this.aliasHolders.set(key, (holders = new Map()));
      holders.set(alias, version);
    }
  }

  windowBytes(): number {
    return this.channels.reduce((b, ch) => b + ch.bytes(), 0);
  }

  allocatedWindowBytes(): number {
    return this.channels.reduce((b, ch) => b + ch.allocatedBytes(), 0);
  }
}

/** The state a run-state automation sees: crashed counts as failed; killed never fires. */
function effectiveState(state: EventRunState): RunState | undefined {
  if (state === "crashed") return "failed";
  if (state === "killed") return undefined;
  return state;
}

/** Where a columnar row comes from; the row's event is built once, on its first firing. */
interface RowSource {
  readonly columns: MetricColumns;
  readonly entries: readonly [string, ArrayLike<number>][];
  row: number;
  eventRow: number;
  event: RunMetricEvent | undefined;
}

function rowEvent(run: RunInfo, step: number, now: number, source: RowSource): RunMetricEvent {
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

/**
 * Creates a streaming engine over the automations (plain specs, or `{ id, spec }` with a stable id).
 * Disabled automations and raw events never fire.
 * @example
 * const engine = createEngine([toSpec(lossSpike)], { partialWindows: false });
 * for (const event of events) for (const firing of engine.push(event)) console.log(firing.automation, firing.explanation);
 */
export function createEngine(automations: readonly (AutomationSpec | EngineAutomation)[], options: EngineOptions = {}): Engine {
  return new EngineImpl(normalizeAutomations(automations), options, new Map(), 0);
}

/**
 * Recreates an engine from `snapshot()` data, possibly with a changed automation list: automations whose id and
 * definition (scope and event; for z-scores also the z-score options) are unchanged keep their windows and
 * cooldowns; new or changed ones start with empty windows; removed ones are dropped.
 * @example
 * const saved = JSON.stringify(engine.snapshot());
 * const again = restoreEngine(automations, JSON.parse(saved));
 */
export function restoreEngine(
  automations: readonly (AutomationSpec | EngineAutomation)[],
  snapshot: EngineSnapshot,
  options: EngineOptions = {},
): Engine {
  if (snapshot.version !== 1) throw new TripwireError("TW2032", `unsupported engine snapshot version ${String(snapshot.version)}`);
  const list = normalizeAutomations(automations);
  const previous = new Map(snapshot.automations.map((a) => [a.id, a]));
  const epochs = new Map<string, number>();
  let fresh = false;
  for (const { id, spec } of list) {
    const before = previous.get(id);
    if (before !== undefined && before.fingerprint === fingerprintOf(spec, options)) epochs.set(id, before.epoch);
    else fresh = true;
  }
  const engine = new EngineImpl(list, options, epochs, fresh ? snapshot.epoch + 1 : snapshot.epoch);
  engine.load(snapshot);
  return engine;
}
