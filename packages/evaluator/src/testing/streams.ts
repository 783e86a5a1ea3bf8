/**
 * Builders of test input: a run's logged history (`runStream`) and a collection's artifact events
 * (`artifactEvents`), as the evaluator's events with sensible timestamps. Immutable: every call returns a new
 * builder; `events()` returns frozen plain data.
 */
import { TripwireError, type JsonValue } from "@tripwire/sdk";
import type { ArtifactEvent, CollectionTagEvent, EventRunState, RunMetricEvent, RunStateEvent, TripwireEvent } from "../events/index.js";
import { formatTimestamp, parseTimestamp } from "../time.js";
import { parseSeries, type Series } from "./series.js";

/** A duration: milliseconds, or text such as `"15s"`, `"1m"`, `"2h"`, `"1d"`, `"1h30m"`. */
export type Duration = number | string;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds of a duration.
 * @example durationMs("1h30m") // 5_400_000
 */
export function durationMs(d: Duration): number {
  if (typeof d === "number") {
    if (!Number.isFinite(d) || d < 0) throw new TripwireError("TW2021", `duration ${d} must be a finite number of milliseconds ≥ 0`);
    return d;
  }
  const parts = [...d.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== d.trim().replace(/\s+/g, "")) {
    throw new TripwireError("TW2021", `duration "${d}" is not a number followed by ms, s, m, h or d (e.g. "15s", "1h30m")`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNITS[p[2] as string] as number), 0);
}

/**
 * When test streams start unless told: a fixed instant, so tests are deterministic.
 * @example runStream("r1").metric("loss", [1]).events({ project: "acme/llm" })[0]?.timestamp === DEFAULT_START // true
 */
export const DEFAULT_START = "2026-01-01T00:00:00.000Z";

function startMs(start: string | number | undefined): number {
  if (start === undefined) return parseTimestamp(DEFAULT_START);
  const t = typeof start === "number" ? start : parseTimestamp(start);
  if (!Number.isFinite(t)) throw new TripwireError("TW2021", `start ${JSON.stringify(start)} is not an ISO 8601 date-time or epoch milliseconds`);
  return t;
}

function splitPath(path: string, what: string): { entity: string; name: string } {
  const i = path.indexOf("/");
  if (i <= 0 || i === path.length - 1 || path.indexOf("/", i + 1) >= 0) throw new TripwireError("TW2021", `${what} "${path}" must be written "entity/name"`);
  return { entity: path.slice(0, i), name: path.slice(i + 1) };
}

/** A run event before it is placed in a project (see `RunStream.events`). */
type RunDraft = { kind: "metric"; step: number; t: number; metrics: Record<string, number> } | { kind: "state"; t: number; state: EventRunState };

export interface RunStreamOptions {
  /** Display name (default: the run ID). */
  readonly name?: string;
  /** The user who ran it (default `"user"`). */
  readonly user?: string;
  /** `"entity/project"`; optional when `evaluate` can tell it from the automations (they watch one project). */
  readonly project?: string;
  /** Time of the first event (ISO 8601 or epoch ms; default 2026-01-01T00:00:00Z). */
  readonly start?: string | number;
  /** Time between steps (default one minute). */
  readonly every?: Duration;
  /** The first step (default 0). */
  readonly firstStep?: number;
}

const RUN_STREAM = Symbol.for("tripwire/run-stream");
const ARTIFACT_STREAM = Symbol.for("tripwire/artifact-stream");

/** The history of one run: metrics logged at consecutive steps, state changes, pauses. */
export interface RunStream {
  readonly [RUN_STREAM]: true;
  readonly id: string;
  /** The project it was given (`undefined`: left to `evaluate`). */
  readonly project: string | undefined;
  /** Logs `values` of one metric at the next steps (one step each; `null` / `_`: not logged at that step). */
  metric(name: string, values: Series): RunStream;
  /** Logs several metrics at the same steps: the i-th value of each at the i-th step. */
  metrics(series: Readonly<Record<string, Series>>): RunStream;
  /** The run enters a state (after the steps logged so far). */
  state(state: EventRunState): RunStream;
  /** Lets time pass before the next event (e.g. past W&B's 24 hour limit: `.wait("24h")`). */
  wait(duration: Duration): RunStream;
  /** The events; `project` ("entity/project") places a run that was given none. */
  events(defaults?: { project?: string }): readonly TripwireEvent[];
}

interface RunState {
  readonly id: string;
  readonly name: string;
  readonly user: string;
  readonly project: string | undefined;
  readonly every: number;
  readonly step: number;
  readonly t: number;
  readonly drafts: readonly RunDraft[];
}

function makeRunStream(s: RunState): RunStream {
  const next = (patch: Partial<RunState>) => makeRunStream(Object.freeze({ ...s, ...patch }));
  const log = (series: Readonly<Record<string, Series>>): RunStream => {
    const columns = Object.entries(series).map(([name, values]) => [name, parseSeries(values)] as const);
    const rows = Math.max(0, ...columns.map(([, v]) => v.length));
    const drafts: RunDraft[] = [...s.drafts];
    for (let i = 0; i < rows; i++) {
      const metrics: Record<string, number> = {};
      for (const [name, values] of columns) {
        const v = values[i];
        if (v !== undefined && v !== null) metrics[name] = v;
      }
      if (Object.keys(metrics).length > 0) drafts.push({ kind: "metric", step: s.step + i, t: s.t + i * s.every, metrics });
    }
    return next({ drafts: Object.freeze(drafts), step: s.step + rows, t: s.t + rows * s.every });
  };
  return Object.freeze({
    [RUN_STREAM]: true as const,
    id: s.id,
    project: s.project,
    metric: (name: string, values: Series) => log({ [name]: values }),
    metrics: log,
    state: (state: EventRunState) => next({ drafts: Object.freeze([...s.drafts, { kind: "state" as const, t: s.t, state }]), t: s.t + s.every }),
    wait: (d: Duration) => next({ t: s.t + durationMs(d) }),
    events: (defaults: { project?: string } = {}) => {
      const where = s.project ?? defaults.project;
      if (where === undefined) throw new TripwireError("TW2022", `runStream("${s.id}") names no project: pass runStream("${s.id}", { project: "entity/project" })`);
      const { entity, name: project } = splitPath(where, "project");
      const run = Object.freeze({ id: s.id, name: s.name, user: s.user });
      return Object.freeze(
        s.drafts.map((d): TripwireEvent => {
          const timestamp = formatTimestamp(d.t);
          if (d.kind === "state") return Object.freeze({ type: "run.state", entity, project, run, state: d.state, timestamp } satisfies RunStateEvent);
          return Object.freeze({ type: "run.metric", entity, project, run, step: d.step, timestamp, metrics: Object.freeze({ ...d.metrics }) } satisfies RunMetricEvent);
        }),
      );
    },
  });
}

/**
 * A run's history for tests: metrics at consecutive steps (one minute apart unless told), states, pauses.
 * @example
 * runStream("r1", { name: "sweep-1", user: "alice" }).metric("loss", [0.5, 0.7, 0.9, 0.9, 0.9]).state("failed")
 * runStream("r2", { project: "acme/llm", every: "15s" }).metrics({ loss: "0.5 0.6 0.9x3", gpu: "90x4 _" })
 */
export function runStream(id: string, options: RunStreamOptions = {}): RunStream {
  if (typeof id !== "string" || id === "") throw new TripwireError("TW2021", "runStream(id) needs the run's ID");
  if (options.project !== undefined) splitPath(options.project, "project");
  const firstStep = options.firstStep ?? 0;
  if (!Number.isInteger(firstStep) || firstStep < 0) throw new TripwireError("TW2021", `firstStep ${firstStep} must be an integer ≥ 0`);
  return makeRunStream(
    Object.freeze({ id, name: options.name ?? id, user: options.user ?? "user", project: options.project, every: durationMs(options.every ?? "1m"), step: firstStep, t: startMs(options.start), drafts: Object.freeze([]) }),
  );
}

export interface ArtifactEventsOptions {
  /** `"entity/project"` for a project's own collection. */
  readonly project?: string;
  /** `"org/registry"` (the registry's name without `wandb-registry-`) for a registry collection. */
  readonly registry?: string;
  readonly collection: string;
  /** Who acts (default `"user"`). */
  readonly user?: string;
  readonly start?: string | number;
  /** Time between events (default one minute). */
  readonly every?: Duration;
}

/** Where a linked version came from: `"entity/project/collection:v5"` or the fields. */
export type LinkSource = string | { readonly entity?: string; readonly project: string; readonly collection: string; readonly version: number };

/** Events of one artifact collection, one `every` apart. */
export interface ArtifactStream {
  readonly [ARTIFACT_STREAM]: true;
  /** A new version (`artifact.created`), with the aliases, tags and metadata it is created with. */
  create(version: number, details?: { aliases?: readonly string[]; tags?: readonly string[]; metadata?: Readonly<Record<string, JsonValue>> }): ArtifactStream;
  /** A version linked into a registry collection (`artifact.linked`). */
  link(version: number, details?: { source?: LinkSource; aliases?: readonly string[]; tags?: readonly string[] }): ArtifactStream;
  unlink(version: number): ArtifactStream;
  addAlias(version: number, alias: string): ArtifactStream;
  addTag(version: number, tag: string): ArtifactStream;
  removeTag(version: number, tag: string): ArtifactStream;
  addCollectionTag(tag: string): ArtifactStream;
  removeCollectionTag(tag: string): ArtifactStream;
  wait(duration: Duration): ArtifactStream;
  events(): readonly TripwireEvent[];
}

function parseSource(source: LinkSource): NonNullable<ArtifactEvent["source"]> {
  if (typeof source !== "string") return source;
  const m = /^([^/]+)\/([^/]+)\/([^/:]+):v(\d+)$/.exec(source);
  if (!m) throw new TripwireError("TW2021", `link source "${source}" must be written "entity/project/collection:vN"`);
  return { entity: m[1] as string, project: m[2] as string, collection: m[3] as string, version: Number(m[4]) };
}

/**
 * A collection's artifact events for tests.
 * @example
 * artifactEvents({ registry: "acme/model", collection: "llm-7b" }).link(2, { source: "acme/llm/ckpt:v5" }).addAlias(2, "production")
 * artifactEvents({ project: "acme/llm", collection: "dataset" }).create(3, { aliases: ["latest"] }).addTag(3, "europe")
 */
export function artifactEvents(options: ArtifactEventsOptions): ArtifactStream {
  if ((options.project === undefined) === (options.registry === undefined)) throw new TripwireError("TW2021", "artifactEvents() needs exactly one of project (\"entity/project\") or registry (\"org/registry\")");
  const where = splitPath((options.project ?? options.registry) as string, options.project !== undefined ? "project" : "registry");
  const location = options.project !== undefined ? { entity: where.entity, project: where.name } : { entity: where.entity, registry: where.name };
  const user = options.user ?? "user";
  const every = durationMs(options.every ?? "1m");
  const make = (t: number, events: readonly TripwireEvent[]): ArtifactStream => {
    const add = (event: Omit<ArtifactEvent, "timestamp" | "entity" | "collection" | "user"> | Omit<CollectionTagEvent, "timestamp" | "entity" | "collection" | "user">) =>
      make(t + every, Object.freeze([...events, Object.freeze({ ...location, collection: options.collection, user, ...event, timestamp: formatTimestamp(t) } as TripwireEvent)]));
    return Object.freeze({
      [ARTIFACT_STREAM]: true as const,
      create: (version: number, d: { aliases?: readonly string[]; tags?: readonly string[]; metadata?: Readonly<Record<string, JsonValue>> } = {}) =>
        add({ type: "artifact.created", version, aliases: d.aliases ?? [], tags: d.tags ?? [], metadata: d.metadata ?? {} }),
      link: (version: number, d: { source?: LinkSource; aliases?: readonly string[]; tags?: readonly string[] } = {}) =>
        add({ type: "artifact.linked", version, aliases: d.aliases ?? [], tags: d.tags ?? [], ...(d.source ? { source: parseSource(d.source) } : {}) }),
      unlink: (version: number) => add({ type: "artifact.unlinked", version }),
      addAlias: (version: number, alias: string) => add({ type: "artifact.alias_added", version, alias }),
      addTag: (version: number, tag: string) => add({ type: "artifact.tag_added", version, tag }),
      removeTag: (version: number, tag: string) => add({ type: "artifact.tag_removed", version, tag }),
      addCollectionTag: (tag: string) => add({ type: "collection.tag_added", tag }),
      removeCollectionTag: (tag: string) => add({ type: "collection.tag_removed", tag }),
      wait: (d: Duration) => make(t + durationMs(d), events),
      events: () => events,
    });
  };
  return make(startMs(options.start), Object.freeze([]));
}

/**
 * Whether a value is a `runStream()` builder.
 * @example isRunStream(runStream("r1")) // true
 */
export function isRunStream(value: unknown): value is RunStream {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[RUN_STREAM] === true;
}

/**
 * Whether a value is an `artifactEvents()` builder.
 * @example isArtifactStream(artifactEvents({ project: "acme/llm", collection: "dataset" })) // true
 */
export function isArtifactStream(value: unknown): value is ArtifactStream {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ARTIFACT_STREAM] === true;
}
