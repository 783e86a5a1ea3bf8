import * as z from "zod";
import { FilterExprSchema, type ArtifactFilter, type RunFilter } from "./filter.js";
import { JsonValueSchema } from "./json.js";

/**
 * Artifact and collection events (W&B "mutation" events, spec §A.3).
 * @example ARTIFACT_EVENT_TYPES.includes(spec.event.type)
 */
export const ARTIFACT_EVENT_TYPES = [
  "createArtifact",
  "linkArtifact",
  "unlinkArtifact",
  "addArtifactAlias",
  "addArtifactTag",
  "removeArtifactTag",
  "addCollectionTag",
  "removeCollectionTag",
] as const;
export type ArtifactEventType = (typeof ARTIFACT_EVENT_TYPES)[number];

/**
 * Run metric events: threshold, change, z-score.
 * @example RUN_METRIC_EVENT_TYPES.includes(spec.event.type)
 */
export const RUN_METRIC_EVENT_TYPES = ["runMetricThreshold", "runMetricChange", "runMetricZScore"] as const;
export type RunMetricEventType = (typeof RUN_METRIC_EVENT_TYPES)[number];
/**
 * Run events: state changes and metric events.
 * @example RUN_EVENT_TYPES.includes(spec.event.type)
 */
export const RUN_EVENT_TYPES = ["runState", ...RUN_METRIC_EVENT_TYPES] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/**
 * Every event type the SDK models.
 * @example for (const type of EVENT_TYPES) console.log(type)
 */
export const EVENT_TYPES = [...ARTIFACT_EVENT_TYPES, ...RUN_EVENT_TYPES] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Run states an automation can listen for. `crashed` is accepted by builders as `failed`; `killed` never fires.
 * @example onRunState([...RUN_STATES])
 */
export const RUN_STATES = ["running", "finished", "failed"] as const;
export type RunState = (typeof RUN_STATES)[number];

/**
 * Aggregation over a window; `null` is the latest value alone. W&B's wire calls `mean` `AVERAGE`.
 * @example AGGREGATIONS.map((a) => metric("loss")[a](5).gt(1))
 */
export const AGGREGATIONS = ["mean", "min", "max"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/**
 * The six comparisons of the W&B UI (its Python SDK writes only the first four).
 * @example COMPARISONS.map((c) => metric("loss")[c](1))
 */
export const COMPARISONS = ["gt", "gte", "lt", "lte", "ne", "eq"] as const;
export type Comparison = (typeof COMPARISONS)[number];

/**
 * How a change is measured: relative to the prior window (`frac`) or absolute (`diff`).
 * @example CHANGE_TYPES.includes(event.change)
 */
export const CHANGE_TYPES = ["relative", "absolute"] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];
/**
 * Which way a change or z-score must go.
 * @example DIRECTIONS.includes(event.direction)
 */
export const DIRECTIONS = ["increase", "decrease", "any"] as const;
export type Direction = (typeof DIRECTIONS)[number];

/**
 * UI defaults (the W&B page): threshold window 5, change windows 10 and 50, z-score window 30.
 * @example metric("loss").mean() // window DEFAULTS.thresholdWindow (5) once compared
 */
export const DEFAULTS = {
  thresholdWindow: 5,
  changeWindow: 10,
  changePriorWindow: 50,
  zscoreWindow: 30,
} as const;

/**
 * The largest window (and prior window, and z-score window) of logged values an automation may use.
 * W&B documents only "a positive int" and its UI offers 5, 10, 50 and 30 as defaults; Tripwire bounds it so one
 * automation cannot make every run hold an unbounded ring of values (the evaluator keeps `window` values per
 * run, per automation's metric). 1,000 is 20 times the largest default. The SDK builders, `validate`, the
 * server's input checks and the evaluator all read this one constant.
 * @example metric("loss").mean(MAX_WINDOW).gt(1) // the largest window allowed
 */
export const MAX_WINDOW = 1000;

const runFilter = FilterExprSchema.optional();

/**
 * An artifact or collection event with an optional alias or tag filter.
 * @example ArtifactEventSchema.parse(onAddArtifactAlias(alias.eq("production")).spec)
 */
export const ArtifactEventSchema = z
  .object({ type: z.enum(ARTIFACT_EVENT_TYPES), filter: FilterExprSchema.optional() })
  .strict();

/**
 * A run entering one of the listed states.
 * @example RunStateEventSchema.parse(onRunState(["failed"]).spec)
 */
export const RunStateEventSchema = z
  .object({ type: z.literal("runState"), states: z.array(z.enum(RUN_STATES)), runFilter })
  .strict();

/**
 * A run metric (aggregated over a window, or its latest value) compared with a threshold.
 * @example RunMetricThresholdSchema.parse(onRunMetric(metric("loss").mean(5).gt(0.6)).spec)
 */
export const RunMetricThresholdSchema = z
  .object({
    type: z.literal("runMetricThreshold"),
    metric: z.string(),
    agg: z.enum(AGGREGATIONS).nullable(),
    window: z.number(),
    cmp: z.enum(COMPARISONS),
    threshold: z.number(),
    runFilter,
  })
  .strict();

/**
 * A run metric changing between its current window and the prior window.
 * @example RunMetricChangeSchema.parse(onRunMetric(metric("loss").mean(10).decreasesBy({ frac: 0.25 })).spec)
 */
export const RunMetricChangeSchema = z
  .object({
    type: z.literal("runMetricChange"),
    metric: z.string(),
    agg: z.enum(AGGREGATIONS).nullable(),
    window: z.number(),
    priorWindow: z.number(),
    change: z.enum(CHANGE_TYPES),
    direction: z.enum(DIRECTIONS),
    amount: z.number(),
    runFilter,
  })
  .strict();

/**
 * A run metric's z-score against its recent values.
 * @example RunMetricZScoreSchema.parse(onRunMetric(metric("loss").zscore(30).abs().gt(3)).spec)
 */
export const RunMetricZScoreSchema = z
  .object({
    type: z.literal("runMetricZScore"),
    metric: z.string(),
    window: z.number(),
    direction: z.enum(DIRECTIONS),
    threshold: z.number(),
    runFilter,
  })
  .strict();

/**
 * An event W&B can store but the SDK cannot model (a future event type, a legacy one such as
 * `UPDATE_ARTIFACT_ALIAS`, or a metric filter with fields we do not know). Kept verbatim and flagged:
 * it round-trips unchanged, and is never evaluated.
 * @example RawEventSchema.parse(onRawEvent("WEAVE_METRIC_THRESHOLD", {}).spec)
 */
export const RawEventSchema = z
  .object({ type: z.literal("raw"), wireType: z.string(), filter: JsonValueSchema })
  .strict();

/**
 * Any event.
 * @example EventSpecSchema.parse(JSON.parse(text))
 */
export const EventSpecSchema = z.discriminatedUnion("type", [
  ArtifactEventSchema,
  RunStateEventSchema,
  RunMetricThresholdSchema,
  RunMetricChangeSchema,
  RunMetricZScoreSchema,
  RawEventSchema,
]);

type WithRunFilter<T> = Omit<T, "runFilter"> & { runFilter?: RunFilter };
export type ArtifactEventSpec = Omit<z.infer<typeof ArtifactEventSchema>, "filter"> & { filter?: ArtifactFilter };
export type RunStateEventSpec = WithRunFilter<z.infer<typeof RunStateEventSchema>>;
export type RunMetricThresholdSpec = WithRunFilter<z.infer<typeof RunMetricThresholdSchema>>;
export type RunMetricChangeSpec = WithRunFilter<z.infer<typeof RunMetricChangeSchema>>;
export type RunMetricZScoreSpec = WithRunFilter<z.infer<typeof RunMetricZScoreSchema>>;
export type RunMetricEventSpec = RunMetricThresholdSpec | RunMetricChangeSpec | RunMetricZScoreSpec;
export type RawEventSpec = z.infer<typeof RawEventSchema>;
export type EventSpec = ArtifactEventSpec | RunStateEventSpec | RunMetricEventSpec | RawEventSpec;

/**
 * Whether an event type is an artifact or collection event.
 * @example isArtifactEventType("addArtifactAlias") // true
 */
export function isArtifactEventType(type: string): type is ArtifactEventType {
  return (ARTIFACT_EVENT_TYPES as readonly string[]).includes(type);
}
/**
 * Whether an event type is a run event (state or metric).
 * @example isRunEventType("runState") // true
 */
export function isRunEventType(type: string): type is RunEventType {
  return (RUN_EVENT_TYPES as readonly string[]).includes(type);
}
/**
 * Whether an event type is a run metric event.
 * @example isRunMetricEventType("runMetricChange") // true
 */
export function isRunMetricEventType(type: string): type is RunMetricEventType {
  return (RUN_METRIC_EVENT_TYPES as readonly string[]).includes(type);
}
