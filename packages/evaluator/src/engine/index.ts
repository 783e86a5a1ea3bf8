/**
 * The streaming engine: automations in, events in, firings out (spec §D). Pure: the clock is the events'
 * timestamps; no timers, no I/O; all state is plain data in `snapshot()`.
 *
 * By job: `compile.ts` (automations to channels, states and tables), `runs.ts` (the run registry), `plans.ts`
 * (a run's slots and templates), `metric.ts` (the streaming metric path), `columnar.ts` (backtests over
 * columns), `explain.ts` (why a metric automation fired), `run-state.ts`, `artifacts.ts`, `snapshot.ts`;
 * the decisions and guard bands are `decide.ts`, the windows `../windows/` (reference, streaming, columnar).
 *
 * Layout of the metric hot path: automations watching the same metric (and started together, see "epochs" in
 * `compile.ts`) form a channel (`windows/streaming.ts`); each run that logs the metric gets one slot in it, holding
 * the ring and every distinct aggregate state of the channel; a run's plan for a metric lists its slot and the automations
 * whose scope contains the run's project, so a point touches only automations that can fire, and one window
 * state serves every automation that aggregates the metric the same way.
 */
import { type AutomationSpec, TripwireError } from "@tripwire/sdk";
import type { TripwireEvent } from "../events/index.js";
import { ArtifactPath } from "./artifacts.js";
import { Clock } from "./clock.js";
import { ColumnarPath } from "./columnar.js";
import { Compilation, fingerprintOf, normalizeAutomations } from "./compile.js";
import { MetricPath } from "./metric.js";
import { Plans } from "./plans.js";
import { RunStatePath } from "./run-state.js";
import { RunRegistry } from "./runs.js";
import { loadSnapshot, snapshotOf, type EngineState } from "./snapshot.js";
import type { Engine, EngineAutomation, EngineOptions, EngineSnapshot, Firing, MetricColumns } from "./types.js";

export { automationIdOf } from "./compile.js";
export type {
  EngineAutomation,
  EngineOptions,
  ThresholdExplanation,
  ChangeExplanation,
  ZScoreExplanation,
  RunStateExplanation,
  ArtifactExplanation,
  Explanation,
  Firing,
  EngineSnapshot,
  MetricColumns,
  Engine,
} from "./types.js";

class EngineImpl implements Engine {
  readonly unsupported: { automationId: string; reason: string }[];
  private readonly state: EngineState;
  private readonly metric: MetricPath;
  private readonly columnar: ColumnarPath;
  private readonly runStates: RunStatePath;
  private readonly artifacts: ArtifactPath;

  constructor(
    automations: readonly EngineAutomation[],
    readonly options: EngineOptions,
    epochs: ReadonlyMap<string, number>,
    /** The epoch of automations not in `epochs` (new or changed ones). */
    readonly epoch: number,
  ) {
    const c = new Compilation(automations, options, epochs, epoch);
    const clock = new Clock();
    const plans = new Plans(c);
    const registry = new RunRegistry(c, plans, options.orgOf);
    this.unsupported = c.unsupported;
    this.metric = new MetricPath(c, registry, plans, clock);
    this.columnar = new ColumnarPath(c, registry, plans, this.metric);
    this.runStates = new RunStatePath(c, registry, clock);
    this.artifacts = new ArtifactPath(c, clock);
    this.state = { c, registry, plans, runStates: this.runStates, artifacts: this.artifacts };
  }

  push(event: TripwireEvent): Firing[] {
    switch (event.type) {
      case "run.metric":
        return this.metric.push(event);
      case "run.state":
        return this.runStates.push(event);
      case "collection.tag_added":
      case "collection.tag_removed":
        return this.artifacts.pushCollectionTag(event);
      default:
        return this.artifacts.push(event);
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

  pushColumns(columns: MetricColumns, from = 0, to = columns.run.length): Firing[] {
    return this.columnar.push(columns, from, to);
  }

  snapshot(): EngineSnapshot {
    return snapshotOf(this.state);
  }

  /** Loads a snapshot's state into this (fresh) engine; see `restoreEngine`. */
  load(snapshot: EngineSnapshot): void {
    loadSnapshot(this.state, snapshot);
  }

  windowBytes(): number {
    return this.state.c.channels.reduce((b, ch) => b + ch.bytes(), 0);
  }

  allocatedWindowBytes(): number {
    return this.state.c.channels.reduce((b, ch) => b + ch.allocatedBytes(), 0);
  }
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
