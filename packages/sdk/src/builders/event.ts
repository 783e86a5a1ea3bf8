import { brand, isBranded, type Branded } from "../brand.js";
import {
  RUN_STATES,
  type ArtifactEventType,
  type EventSpec,
  type EventType,
  type RunMetricEventSpec,
  type RunMetricEventType,
  type RunState,
} from "../model/event.js";
import type { ArtifactField, FilterExpr, RunFilter } from "../model/filter.js";
import type { JsonValue } from "../model/json.js";
import { TripwireError } from "../issues.js";
import type { MetricCondition } from "./metric.js";
import { compact, deepFreeze } from "./util.js";

/** An event value: what an automation listens for. */
export interface EventRef<T extends EventType | "raw" = EventType | "raw"> extends Branded<"event"> {
  readonly type: T;
  readonly spec: EventSpec;
  toJSON(): EventSpec;
}

/** A run event; `.where()` narrows it to runs by display name or user. */
export interface RunEventRef<T extends EventType> extends EventRef<T> {
  /** @example onRunState(["failed"]).where(runUser.eq("alice")) */
  where(filter: RunFilter): RunEventRef<T>;
}

/** An artifact or collection event; `.where()` narrows it by alias or tag. */
export interface ArtifactEventRef<T extends ArtifactEventType, F extends ArtifactField> extends EventRef<T> {
  /** @example onLinkArtifact().where(alias.eq("staging")) */
  where(filter: FilterExpr<F>): ArtifactEventRef<T, F>;
}

const andWith = <F extends ArtifactField | "runName" | "runUser">(
  current: FilterExpr<F> | undefined,
  next: FilterExpr<F>,
): FilterExpr<F> => (current === undefined ? next : { op: "and", args: [current, next] });

// Shorthand methods rather than arrow properties: an event is built for each automation of a definition file, and
// every named arrow costs a `name` definition when TypeScript is run through tsx (esbuild's keepNames).
function runEvent<T extends EventType>(spec: EventSpec & { runFilter?: RunFilter }): RunEventRef<T> {
  const frozen = deepFreeze(spec);
  return Object.freeze(
    brand("event", {
      type: spec.type as T,
      spec: frozen,
      toJSON() {
        return frozen;
      },
      where(filter: RunFilter) {
        return runEvent<T>({ ...spec, runFilter: andWith(spec.runFilter, filter) });
      },
    }),
  );
}

function artifactEvent<T extends ArtifactEventType, F extends ArtifactField>(type: T, filter?: FilterExpr<F>): ArtifactEventRef<T, F> {
  const spec = deepFreeze(compact({ type, filter })) as EventSpec;
  return Object.freeze(
    brand("event", {
      type,
      spec,
      toJSON() {
        return spec;
      },
      where(next: FilterExpr<F>) {
        return artifactEvent<T, F>(type, andWith(filter, next));
      },
    }),
  );
}

type MetricEventTypeOf<C> = C extends MetricCondition<infer D> ? D["type"] : never;

/**
 * A run metric crosses a threshold, changes by an amount between windows, or has an extreme z-score.
 * Each run is evaluated alone; an automation fires at most once per run in 24 hours.
 * @example
 * automation("loss-spike").in(project("acme/llm"))
 *   .on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(runName.contains("sweep-")))
 *   .do(sendNotification(slack("ml-alerts")))
 */
export function onRunMetric<C extends MetricCondition>(condition: C): RunEventRef<MetricEventTypeOf<C> & RunMetricEventType> {
  if (!isBranded(condition, "condition")) {
    throw new TripwireError("TW1000", "onRunMetric needs a metric condition, e.g. onRunMetric(metric(\"loss\").mean(5).gt(0.6))");
  }
  return runEvent({ ...condition.spec } as RunMetricEventSpec);
}

/** States a run-state automation can name: `crashed` means `failed`; `killed` runs never trigger automations. */
export type RunStateInput = RunState | "crashed" | Uppercase<RunState | "crashed">;

/**
 * A run enters one of the states: running, finished (completed successfully) or failed (`crashed` is the same).
 * @example onRunState(["failed", "finished"]).where(runName.regex("^train-"))
 */
export function onRunState(states: RunStateInput | readonly RunStateInput[]): RunEventRef<"runState"> {
  const list = (Array.isArray(states) ? states : [states]) as readonly string[];
  const normalised = list.map((s) => {
    const lower = String(s).trim().toLowerCase();
    if (lower === "crashed") return "failed";
    if (lower === "killed") {
      throw new TripwireError("TW1009", "killed runs never trigger automations in W&B (an admin stopped them); choose running, finished or failed");
    }
    if (!(RUN_STATES as readonly string[]).includes(lower)) {
      throw new TripwireError("TW1009", `unknown run state "${s}"; choose running, finished or failed (crashed means failed)`);
    }
    return lower as RunState;
  });
  return runEvent({ type: "runState", states: [...new Set(normalised)].sort() });
}

/**
 * A new version is created in a collection (only on collection scopes).
 * @example automation("retrain").in(project("acme/llm").collection("dataset")).on(onCreateArtifact()).do(doNothing())
 */
export function onCreateArtifact(filter?: FilterExpr<"alias">): ArtifactEventRef<"createArtifact", "alias"> {
  return artifactEvent("createArtifact", filter);
}
/**
 * A version is linked into a collection (a registry collection, typically).
 * @example onLinkArtifact(alias.eq("staging"))
 */
export function onLinkArtifact(filter?: FilterExpr<"alias">): ArtifactEventRef<"linkArtifact", "alias"> {
  return artifactEvent("linkArtifact", filter);
}
/**
 * A version is unlinked from a collection.
 * @example onUnlinkArtifact()
 */
export function onUnlinkArtifact(filter?: FilterExpr<"alias">): ArtifactEventRef<"unlinkArtifact", "alias"> {
  return artifactEvent("unlinkArtifact", filter);
}
/**
 * An alias is added to a version (moving an alias adds it to the new holder).
 * @example onAddArtifactAlias(alias.eq("production"))
 */
export function onAddArtifactAlias(filter?: FilterExpr<"alias">): ArtifactEventRef<"addArtifactAlias", "alias"> {
  return artifactEvent("addArtifactAlias", filter);
}
/**
 * A tag is added to a version.
 * @example onAddArtifactTag(tag.eq("europe"))
 */
export function onAddArtifactTag(filter?: FilterExpr<"tag">): ArtifactEventRef<"addArtifactTag", "tag"> {
  return artifactEvent("addArtifactTag", filter);
}
/**
 * A tag is removed from a version.
 * @example onRemoveArtifactTag(tag.eq("candidate"))
 */
export function onRemoveArtifactTag(filter?: FilterExpr<"tag">): ArtifactEventRef<"removeArtifactTag", "tag"> {
  return artifactEvent("removeArtifactTag", filter);
}
/**
 * A tag is added to a collection.
 * @example onAddCollectionTag(tag.eq("gold"))
 */
export function onAddCollectionTag(filter?: FilterExpr<"tag">): ArtifactEventRef<"addCollectionTag", "tag"> {
  return artifactEvent("addCollectionTag", filter);
}
/**
 * A tag is removed from a collection.
 * @example onRemoveCollectionTag(tag.eq("gold"))
 */
export function onRemoveCollectionTag(filter?: FilterExpr<"tag">): ArtifactEventRef<"removeCollectionTag", "tag"> {
  return artifactEvent("removeCollectionTag", filter);
}

/**
 * An event in W&B's own wire form, for event types the builders do not cover. Kept verbatim; never evaluated.
 * @example onRawEvent("WEAVE_METRIC_THRESHOLD", { metric: "latency", threshold: 2 })
 */
export function onRawEvent(wireType: string, filter: JsonValue): EventRef<"raw"> {
  const spec = deepFreeze({ type: "raw" as const, wireType, filter: structuredClone(filter) });
  return Object.freeze(brand("event", { type: "raw" as const, spec, toJSON: () => spec }));
}
