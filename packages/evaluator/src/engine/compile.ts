/**
 * Compilation: automations in, the engine's tables out. Each automation gets a dense index and a `Compiled`
 * record; a run-metric automation joins the channel of its metric and epoch (`windows/streaming.ts`), names the aggregate
 * states it decides on, and its parameters are laid out as structure-of-arrays tables the hot path reads.
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
  type EventType,
  MAX_WINDOW,
  type RunMetricEventSpec,
  TripwireError,
} from "@tripwire/sdk";
import { CMP_CODE, DIR_CODE, momentMeanFactor, momentVarFactor, sumFactor } from "../decide.js";
import { DEFAULT_COOLDOWN_MS } from "../time.js";
import { compileFilter, UnsupportedFilterError, type Predicate } from "../filter.js";
import { LAST, MAX, MIN, MOMENTS, SUM, type StateKind, type StateSpec } from "../windows/layout.js";
import { Channel } from "../windows/streaming.js";
import type { EngineAutomation, EngineOptions } from "./types.js";

/** Evaluation kinds of run-metric automations. */
export const THRESHOLD = 0;
export const CHANGE = 1;
export const ZSCORE = 2;

/** Separates the parts of a channel key (metric, epoch) and of a location key (entity, project). */
export const CHANNEL_SEP = "\u0000";

export interface Compiled {
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

/** Per channel: guard-band factors of its states. */
export interface StateCache {
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

export function normalizeAutomations(list: readonly (AutomationSpec | EngineAutomation)[]): EngineAutomation[] {
  const out = list.map((a): EngineAutomation => ("spec" in a && "id" in a && typeof a.id === "string" ? a : { id: automationIdOf(a as AutomationSpec), spec: a as AutomationSpec }));
  const seen = new Set<string>();
  for (const a of out) {
    if (seen.has(a.id)) throw new TripwireError("TW2030", `two automations have the id "${a.id}"; ids must be unique`);
    seen.add(a.id);
  }
  return out;
}

/** What an automation's windows and cooldowns depend on: its scope and event (for z-scores also the options). */
export function fingerprintOf(spec: AutomationSpec, options: EngineOptions): string {
  const n = normalizeSpec(spec);
  const z = n.event.type === "runMetricZScore" ? { zscoreWindow: options.zscoreWindow ?? "including-latest", zscoreStd: options.zscoreStd ?? "population" } : {};
  return canonicalJson({ scope: n.scope, event: n.event, ...z });
}

const stateKindOf = (agg: Aggregation | null): StateKind => (agg === null ? LAST : agg === "mean" ? SUM : agg === "min" ? MIN : MAX);

/** The compiled automations and channels of one engine, and its options as the paths read them. */
export class Compilation {
  readonly unsupported: { automationId: string; reason: string }[] = [];
  readonly autos: Compiled[] = [];
  readonly channels: Channel[] = [];
  /** Per channel: `${metric}${CHANNEL_SEP}${epoch}`. */
  readonly channelKeys: string[] = [];
  /** Per channel: its automations' indices (an automation's position here is its local index in the channel). */
  readonly channelAutos: number[][] = [];
  /** Watched metric name → dense id (and back); per metric id, its channels. */
  readonly metricIds = new Map<string, number>();
  readonly metricNames: string[] = [];
  readonly indexById = new Map<string, number>();
  readonly metricChannels: number[][] = [];
  readonly metricChans: Int32Array[];
  readonly runStateAutos: number[] = [];
  readonly artifactAutos = new Map<EventType, number[]>();
  readonly cache: StateCache[] = [];
  /** The per-run limit in milliseconds. */
  readonly period: number;
  readonly partial: boolean;
  readonly runStateLimit: boolean;
  readonly zOffset: number;
  readonly zSample: boolean;
  // Run-metric automation parameters, structure of arrays indexed by automation index (the hot path reads these).
  readonly aNeed: Float64Array;
  readonly aKind: Int8Array;
  readonly aStA: Int32Array;
  readonly aStB: Int32Array;
  readonly aCmp: Int8Array;
  readonly aT: Float64Array;
  readonly aDir: Int8Array;
  readonly aRel: Uint8Array;

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
}
