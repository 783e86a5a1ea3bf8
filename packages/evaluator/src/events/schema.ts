/**
 * The event JSON the evaluator consumes: a public contract (the server ingests it, backtest files hold it).
 * One event per W&B mutation or logged history row; see the package README for the field reference.
 */
import * as z from "zod";
import { REGISTRY_PREFIX, type JsonValue } from "@tripwire/sdk";

/**
 * Run states as W&B reports them. `crashed` counts as `failed`; `killed` never triggers an automation.
 * @example EVENT_RUN_STATES.includes(event.state) // true for every valid run.state event
 */
export const EVENT_RUN_STATES = ["running", "finished", "failed", "crashed", "killed"] as const;
export type EventRunState = (typeof EVENT_RUN_STATES)[number];

/**
 * The `type` of artifact version events.
 * @example (ARTIFACT_EVENT_KINDS as readonly string[]).includes(event.type)
 */
export const ARTIFACT_EVENT_KINDS = [
  "artifact.created",
  "artifact.linked",
  "artifact.unlinked",
  "artifact.alias_added",
  "artifact.tag_added",
  "artifact.tag_removed",
] as const;
/**
 * The `type` of collection tag events.
 * @example (COLLECTION_EVENT_KINDS as readonly string[]).includes(event.type)
 */
export const COLLECTION_EVENT_KINDS = ["collection.tag_added", "collection.tag_removed"] as const;
export type ArtifactEventKind = (typeof ARTIFACT_EVENT_KINDS)[number];
export type CollectionEventKind = (typeof COLLECTION_EVENT_KINDS)[number];
export type TripwireEventType = "run.metric" | "run.state" | ArtifactEventKind | CollectionEventKind;

/** Where an artifact event happened: a project's own collection (`project`) or a registry collection (`registry`). */
interface CollectionLocation {
  readonly entity: string;
  readonly project?: string;
  readonly registry?: string;
  readonly collection: string;
}

/** An artifact version event. `alias` is set on `artifact.alias_added`, `tag` on the tag events. */
export interface ArtifactEvent extends CollectionLocation {
  readonly type: ArtifactEventKind;
  readonly version: number;
  /** W&B's artifact ID (base64 of `Artifact:<n>`), used by `${artifact_version}` when known. */
  readonly artifactId?: string;
  readonly aliases?: readonly string[];
  readonly tags?: readonly string[];
  readonly metadata?: Readonly<Record<string, JsonValue>>;
  /** For `artifact.linked` / `artifact.unlinked`: the project version that is (un)linked. */
  readonly source?: { readonly entity?: string; readonly project: string; readonly collection: string; readonly version: number };
  readonly alias?: string;
  readonly tag?: string;
  readonly user?: string;
  readonly timestamp: string;
}

export interface CollectionTagEvent extends CollectionLocation {
  readonly type: CollectionEventKind;
  readonly tag: string;
  readonly user?: string;
  readonly timestamp: string;
}

export type TripwireEvent = RunMetricEvent | RunStateEvent | ArtifactEvent | CollectionTagEvent;

const name = z.string().min(1, "must not be empty");
const timestamp = z.iso.datetime({ offset: true, local: false });
const JsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(JsonValue), z.record(z.string(), JsonValue)]),
);
const RunRefSchema = z.object({ id: name, name: z.string(), user: z.string() });
const location = { entity: name, project: name.optional(), registry: name.optional(), collection: name };

/**
 * The `run.metric` event: its one definition (`RunMetricEvent` is its type). Any JSON value is accepted as a metric
 * (W&B history holds media, strings, NaN spelt as text); only finite numbers count.
 * @example RunMetricSchema.safeParse(JSON.parse(line)).success
 */
export const RunMetricSchema = z.object({
  type: z.literal("run.metric"),
  entity: name,
  project: name,
  run: RunRefSchema,
  step: z.number().int().nonnegative(),
  timestamp,
  // Any JSON value is accepted (W&B history holds media, strings, NaN spelt as text); only finite numbers count.
  metrics: z.record(z.string(), JsonValue),
});
const RunStateSchema = z.object({
  type: z.literal("run.state"),
  entity: name,
  project: name,
  run: RunRefSchema,
  state: z.enum(EVENT_RUN_STATES),
  timestamp,
});

/** A schema's output with its fields, and the fields of its nested objects, read-only (events are never changed). */
type Frozen<T> = { readonly [K in keyof T]: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? Readonly<T[K]> : T[K] };

/** The run an event belongs to: `id` is W&B's run ID (unique within its project), `name` its display name. */
export type RunRef = Frozen<z.infer<typeof RunRefSchema>>;
/**
 * One logged history row: every metric logged at `step` (values that are not finite numbers are skipped). The type
 * is the schema's: `RunMetricSchema` is the one definition of the event; `FastRunMetric` (fast.ts) is its fast
 * validator, held to it by a property test.
 */
export type RunMetricEvent = Frozen<z.infer<typeof RunMetricSchema>>;
export type RunStateEvent = Frozen<z.infer<typeof RunStateSchema>>;
const artifactFields = {
  ...location,
  version: z.number().int().nonnegative(),
  artifactId: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  metadata: z.record(z.string(), JsonValue).optional(),
  source: z
    .object({ entity: name.optional(), project: name, collection: name, version: z.number().int().nonnegative() })
    .optional(),
  user: z.string().optional(),
  timestamp,
};
const ArtifactPlainSchema = z.object({
  type: z.enum(["artifact.created", "artifact.linked", "artifact.unlinked"]),
  ...artifactFields,
});
const ArtifactAliasSchema = z.object({ type: z.literal("artifact.alias_added"), ...artifactFields, alias: name });
const ArtifactTagSchema = z.object({ type: z.enum(["artifact.tag_added", "artifact.tag_removed"]), ...artifactFields, tag: name });
const CollectionTagSchema = z.object({
  type: z.enum(COLLECTION_EVENT_KINDS),
  ...location,
  tag: name,
  user: z.string().optional(),
  timestamp,
});

/**
 * Validates one event (see the README for the format). An artifact or collection event names exactly one of
 * `project` (a project's own collection) or `registry` (a registry collection, `entity` being the org's entity).
 * @example
 * EventSchema.parse({ type: "run.state", entity: "acme", project: "llm",
 *   run: { id: "r1", name: "sweep-1", user: "alice" }, state: "failed", timestamp: "2026-11-26T10:00:00Z" });
 */
export const EventSchema: z.ZodType<TripwireEvent> = z
  .discriminatedUnion("type", [
    RunMetricSchema,
    RunStateSchema,
    ArtifactPlainSchema,
    ArtifactAliasSchema,
    ArtifactTagSchema,
    CollectionTagSchema,
  ])
  .superRefine((event, ctx) => {
    if (event.type === "run.metric" || event.type === "run.state") return;
    const { project, registry } = event;
    if ((project === undefined) === (registry === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["project"],
        message: "name exactly one of project (a project's own collection) or registry (a registry collection)",
      });
    } else if (project?.startsWith(REGISTRY_PREFIX)) {
      ctx.addIssue({
        code: "custom",
        path: ["project"],
        message: `"${project}" is a registry's backing project: write registry: "${project.slice(REGISTRY_PREFIX.length)}"`,
      });
    }
  }) as unknown as z.ZodType<TripwireEvent>;

/** A problem found in an event: where (`path`, e.g. `["run", "name"]`) and what. */
export interface EventIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Validates one event without throwing.
 * @example
 * const r = parseEvent(JSON.parse(line));
 * if (!r.ok) console.error(r.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
 */
export function parseEvent(json: unknown): { ok: true; event: TripwireEvent } | { ok: false; issues: EventIssue[] } {
  const result = EventSchema.safeParse(json);
  if (result.success) return { ok: true, event: keepProtoKeys(result.data, json) };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message })),
  };
}

/**
 * Metric names (and metadata keys) are data, `__proto__` too: `JSON.parse` makes it an own key, which zod's record
 * drops while the fast path (FastRunMetric) keeps it. Put back, as an own property, with its value checked as JSON.
 */
function keepProtoKeys(event: TripwireEvent, json: unknown): TripwireEvent {
  const raw = json as { metrics?: unknown; metadata?: unknown };
  for (const field of ["metrics", "metadata"] as const) {
    const from = raw[field];
    const to = (event as { metrics?: object; metadata?: object })[field];
    if (to === undefined || typeof from !== "object" || from === null || !Object.hasOwn(from, "__proto__")) continue;
    const value = (from as Record<string, unknown>)["__proto__"];
    if (!JsonValue.safeParse(value).success) continue;
    Object.defineProperty(to, "__proto__", { value, enumerable: true, writable: true, configurable: true });
  }
  return event;
}

/**
 * Whether an event is about a run (metric or state).
 * @example if (isRunEvent(event)) console.log(event.run.name);
 */
export function isRunEvent(event: TripwireEvent): event is RunMetricEvent | RunStateEvent {
  return event.type === "run.metric" || event.type === "run.state";
}
