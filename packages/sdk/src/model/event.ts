import { z } from "zod";
import { FilterExprSchema, type ArtifactFilter, type RunFilter } from "./filter.js";
import { JsonValueSchema } from "./json.js";

/** Artifact and collection events (W&B "mutation" events, spec §A.3). */
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

export const RUN_METRIC_EVENT_TYPES = ["runMetricThreshold", "runMetricChange", "runMetricZScore"] as const;
export type RunMetricEventType = (typeof RUN_METRIC_EVENT_TYPES)[number];
export const RUN_EVENT_TYPES = ["runState", ...RUN_METRIC_EVENT_TYPES] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export const EVENT_TYPES = [...ARTIFACT_EVENT_TYPES, ...RUN_EVENT_TYPES] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Run states an automation can listen for. `crashed` is accepted by builders as `failed`; `killed` never fires. */
export const RUN_STATES = ["running", "finished", "failed"] as const;
export type RunState = (typeof RUN_STATES)[number];

/** Aggregation over a window; `null` is the latest value alone. W&B's wire calls `mean` `AVERAGE`. */
export const AGGREGATIONS = ["mean", "min", "max"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** The six comparisons of the W&B UI (its Python SDK writes only the first four). */
export const COMPARISONS = ["gt", "gte", "lt", "lte", "ne", "eq"] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const CHANGE_TYPES = ["relative", "absolute"] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];
export const DIRECTIONS = ["increase", "decrease", "any"] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** UI defaults (the W&B page): threshold window 5, change windows 10 and 50, z-score window 30. */
export const DEFAULTS = {
  thresholdWindow: 5,
  changeWindow: 10,
  changePriorWindow: 50,
  zscoreWindow: 30,
} as const;

const runFilter = FilterExprSchema.optional();

export const ArtifactEventSchema = z
  .object({ type: z.enum(ARTIFACT_EVENT_TYPES), filter: FilterExprSchema.optional() })
  .strict();

export const RunStateEventSchema = z
  .object({ type: z.literal("runState"), states: z.array(z.enum(RUN_STATES)), runFilter })
  .strict();

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
 */
export const RawEventSchema = z
  .object({ type: z.literal("raw"), wireType: z.string(), filter: JsonValueSchema })
  .strict();

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

export function isArtifactEventType(type: string): type is ArtifactEventType {
  return (ARTIFACT_EVENT_TYPES as readonly string[]).includes(type);
}
export function isRunEventType(type: string): type is RunEventType {
  return (RUN_EVENT_TYPES as readonly string[]).includes(type);
}
export function isRunMetricEventType(type: string): type is RunMetricEventType {
  return (RUN_METRIC_EVENT_TYPES as readonly string[]).includes(type);
}
