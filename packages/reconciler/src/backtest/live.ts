/**
 * The backtest's history read from the live backend instead of files: the runs of every project a run automation
 * watches, alive during the period, and their history of the metrics the automations read (backtest/runs.ts),
 * through the cache (cache.ts), into the same sink a file backtest fills.
 *
 * Each run is replayed whole (state windows and "changed by" baselines need the steps before the period), and only
 * firings inside the period are counted. System metrics (an automation on `system/gpu.0.temp`, `gpu.0.temp`, …) come
 * from each run's system-metrics stream (`Run.events`, readSystemMetrics in runs.ts), ordered by `_timestamp`, and a
 * note says when the backend returned them sampled. W&B's API keeps no run-state transitions: a run is `running` from its
 * `createdAt`, and a finished, failed, crashed or killed run takes that state at its `heartbeatAt`.
 *
 * Artifact automations: a version's creation is exact (its `createdAt` in its collection, backtest/artifacts.ts), so
 * `createArtifact` automations of a project, one of its collections or a filtered set of them are backtested. The
 * API has no time for anything else — aliases and tags are only the ones versions hold now, and registry links carry
 * no link time W&B's SDK reads — so those automations (and a `createArtifact` filtered on aliases, which are the ones
 * a version was created with) are reported as not backtested with the reason, never as firing zero times.
 */
import type { LiveStats } from "../model/backtest.js";
import { formatTimestamp, type TripwireEvent } from "@tripwire/evaluator";
import { isArtifactEventType, systemEventsKey, type AutomationSpec, type JsonValue } from "@tripwire/sdk";
import { isReconcilerError } from "../model/errors.js";
import { listArtifactVersions } from "./artifacts.js";
import { mapLimit } from "../model/limit.js";
import { historyRequests, listRuns, readHistory, readSystemMetrics, RUNS_PER_PAGE, STEPS_PER_WINDOW, SYSTEM_SAMPLES_MAX, type HistoryColumns, type LiveRun } from "./runs.js";
import type { Transport } from "../model/transport.js";
import { cachePath, readCached, rowsBefore, writeCached } from "./cache.js";
import type { HistorySink } from "./sink.js";

/** Where and over when the live history is read. */
export interface LiveSource {
  readonly transport: Transport;
  /** The cache folder (`.tripwire/history`); absent: no cache. */
  readonly cacheDir?: string;
  /** The period, epoch ms (UTC). */
  readonly from: number;
  readonly to: number;
  /** Runs read at once (default 8, the client's parallelism). */
  readonly parallelism?: number;
  /** A progress line per project (`acme/llm: 312 of 1,204 runs`), at most about once a second, and when done. */
  readonly onProgress?: (line: string) => void;
}

/** The projects whose runs the automations watch, `entity/project`, sorted. */
export function watchedProjects(specs: readonly AutomationSpec[]): { entity: string; project: string }[] {
  const seen = new Map<string, { entity: string; project: string }>();
  for (const s of specs) {
    if (isArtifactEventType(s.event.type) || s.event.type === "raw") continue;
    if (s.scope.type === "project") seen.set(`${s.scope.entity}/${s.scope.project}`, { entity: s.scope.entity, project: s.scope.project });
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, p]) => p);
}

/** Why an automation cannot be backtested over live history, or undefined when it can. */
export function liveUnsupported(spec: AutomationSpec): string | undefined {
  const fallback = "backtest it over exported history with --history";
  switch (spec.event.type) {
    case "createArtifact": {
      const s = spec.scope;
      const inProject = s.type === "project" || s.type === "collections" || (s.type === "collection" && s.parent.type === "project");
      if (!inProject) return `the live history reads the versions of projects' own collections, not of a ${s.type}'s (registry collections hold links): ${fallback}`;
      if (spec.event.filter !== undefined) return `W&B's API gives the aliases a version holds now, not the ones it was created with, so an alias filter cannot be replayed: ${fallback}`;
      return undefined;
    }
    case "linkArtifact":
    case "unlinkArtifact":
      return `W&B's API gives no time a version was linked into or unlinked from a registry collection: ${fallback}`;
    case "addArtifactAlias":
      return `W&B's API gives only the aliases versions hold now, with no time each was added: ${fallback}`;
    case "addArtifactTag":
    case "removeArtifactTag":
      return `W&B's API gives only the tags versions hold now, with no time each was added or removed: ${fallback}`;
    case "addCollectionTag":
    case "removeCollectionTag":
      return `W&B's API gives only the tags collections hold now, with no time each was added or removed: ${fallback}`;
    default:
      return undefined;
  }
}

/**
 * The projects whose artifact versions the backtestable `createArtifact` automations watch, with the collections
 * they name (`undefined`: every collection, for a project or a filtered collection set), sorted.
 */
export function artifactProjects(specs: readonly AutomationSpec[]): { entity: string; project: string; collections: Set<string> | undefined }[] {
  const seen = new Map<string, { entity: string; project: string; collections: Set<string> | undefined }>();
  for (const spec of specs) {
    if (spec.event.type !== "createArtifact" || liveUnsupported(spec) !== undefined) continue;
    const s = spec.scope;
    const parent = s.type === "project" ? s : s.type === "collections" ? s.parent : s.type === "collection" && s.parent.type === "project" ? s.parent : undefined;
    if (parent === undefined) continue;
    const key = `${parent.entity}/${parent.project}`;
    let entry = seen.get(key);
    if (entry === undefined) seen.set(key, (entry = { entity: parent.entity, project: parent.project, collections: new Set() }));
    if (s.type === "collection") entry.collections?.add(s.collection);
    else entry.collections = undefined;
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, p]) => p);
}

const num = (n: number) => n.toLocaleString("en-US");

/** Reads the live history into the sink. Throws a ReconcilerError (TW4010) when the backend refuses a query. */
export async function feedLive(specs: readonly AutomationSpec[], metrics: readonly string[], sink: HistorySink, source: LiveSource): Promise<LiveStats> {
  const before = source.transport.requestCount;
  const notes: string[] = [];
  let runs = 0;
  let cachedRuns = 0;
  let minimum = 0;
  const projects = watchedProjects(specs);
  if (specs.some((s) => isArtifactEventType(s.event.type) && liveUnsupported(s) !== undefined)) notes.push("artifact automations on alias and tag changes, on registry links, and on creations filtered on aliases are not backtested: W&B's API gives only the aliases and tags versions and collections hold now, with no time each was added or removed, and no time a version was linked");
  const system = metrics.flatMap((metric) => {
    const key = systemEventsKey(metric);
    return key === undefined ? [] : [{ metric, key }];
  });
  let sampledRuns = 0;
  if (specs.some((s) => s.event.type === "runState")) notes.push("run states: W&B's API keeps only each run's current state, taken at its last heartbeat");
  for (const { entity, project } of projects) {
    const name = `${entity}/${project}`;
    let last = 0;
    const progress = (done: number, total: number, force = false) => {
      const now = Date.now();
      if (!force && now - last < 1000) return;
      last = now;
      source.onProgress?.(`${name}: ${num(done)} of ${num(total)} runs`);
    };
    let listed = 0;
    const list = await listRuns(source.transport, entity, project, { from: source.from, to: source.to }, (read) => (listed = read));
    minimum += Math.max(1, Math.ceil(listed / RUNS_PER_PAGE));
    if (list === undefined) {
      notes.push(`project ${name} does not exist on the backend: no runs`);
      continue;
    }
    runs += list.length;
    let done = 0;
    progress(0, list.length);
    await mapLimit(list, source.parallelism ?? 8, async (run) => {
      const needed = metrics.some((m) => run.keys.includes(m));
      if (needed) minimum += historyRequests(run, 0);
      const { columns, fromCache } = await historyOf(source, entity, project, run, metrics, needed);
      // A system metric the run logged into its history under that name is read there; the others from its stream.
      const streamed = system.filter((s) => !run.keys.includes(s.metric));
      const sys = streamed.length > 0 && run.eventsLineCount > 0 ? await systemOf(source, entity, project, run, streamed) : undefined;
      if (sys !== undefined) {
        minimum += 1;
        if (sys.sampled) sampledRuns++;
      }
      if (fromCache && (sys === undefined || sys.fromCache)) cachedRuns++;
      replayRun(sink, { entity, project, id: run.id, name: run.name, user: run.user }, run, columns, sys?.columns);
      progress(++done, list.length);
    });
    progress(done, list.length, true);
  }
  if (sampledRuns > 0) {
    notes.push(
      `system metrics (${system.map((s) => s.metric).join(", ")}) are sampled for ${num(sampledRuns)} run${sampledRuns === 1 ? "" : "s"}: W&B's API returned fewer rows than the run's system-metrics stream holds (at most ${num(SYSTEM_SAMPLES_MAX)} are asked for), so their firings are estimates from the samples, not exact`,
    );
  }
  let artifactVersions = 0;
  const artifactEvents: TripwireEvent[] = [];
  for (const { entity, project, collections } of artifactProjects(specs)) {
    const listed = await listArtifactVersions(source.transport, entity, project, collections, source.cacheDir);
    minimum += listed.minimumRequests;
    if (listed.versions === undefined) {
      notes.push(`project ${entity}/${project} does not exist on the backend: no artifact versions`);
      continue;
    }
    for (const v of listed.versions) {
      if (!Number.isFinite(v.createdAt) || v.createdAt > source.to) continue;
      artifactVersions++;
      // The version's aliases at its creation are not known (only the ones it holds now): none are given.
      const event = { type: "artifact.created", entity, project, collection: v.collection, version: v.version, artifactId: v.id, timestamp: formatTimestamp(v.createdAt) } as const;
      artifactEvents.push(v.metadata === undefined ? event : ({ ...event, metadata: v.metadata as Record<string, JsonValue> } as TripwireEvent));
    }
  }
  artifactEvents.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  for (const e of artifactEvents) sink.event(e);
  const allProjects = [...new Set([...projects.map((p) => `${p.entity}/${p.project}`), ...artifactProjects(specs).map((p) => `${p.entity}/${p.project}`)])].sort();
  return {
    backend: source.transport.url,
    projects: allProjects,
    runs,
    artifactVersions,
    cachedRuns,
    requests: source.transport.requestCount - before,
    minimumRequests: minimum,
    notes,
  };
}

const empty = (metrics: readonly string[]): HistoryColumns => ({ steps: [], times: [], values: Object.fromEntries(metrics.map((m) => [m, []])) });

/** A run's history: from the cache when the listing says it is unchanged, else read (from where the cache ends). */
export async function historyOf(
  source: LiveSource,
  entity: string,
  project: string,
  run: LiveRun,
  metrics: readonly string[],
  needed: boolean,
): Promise<{ columns: HistoryColumns; fromCache: boolean }> {
  if (!needed) return { columns: empty(metrics), fromCache: true };
  const path = source.cacheDir === undefined ? undefined : cachePath(source.cacheDir, entity, project, run.id);
  const cached = path === undefined ? undefined : readCached(path);
  const usable = cached !== undefined && metrics.every((m) => cached.metrics.includes(m));
  const cachedLast = usable && typeof cached.run.lastStep === "number" ? cached.run.lastStep : -1;
  if (usable && cachedLast === run.lastStep && cached.run.historyLineCount === run.historyLineCount) return { columns: cached.columns, fromCache: true };
  let columns: HistoryColumns;
  if (usable && run.lastStep >= cachedLast && cachedLast >= 0) {
    // Grown: keep the windows before the one the cached history ended in, read that one and the rest again.
    const from = Math.floor(cachedLast / STEPS_PER_WINDOW) * STEPS_PER_WINDOW;
    const kept = rowsBefore(cached.columns, from);
    const read = await readHistory(source.transport, entity, project, run, metrics, from);
    columns = {
      steps: kept.steps.concat(read.steps),
      times: kept.times.concat(read.times),
      values: Object.fromEntries(metrics.map((m) => [m, (kept.values[m] ?? []).concat(read.values[m] ?? [])])),
    };
  } else columns = await readHistory(source.transport, entity, project, run, metrics, 0);
  if (path !== undefined) writeCached(path, { lastStep: run.lastStep, historyLineCount: run.historyLineCount }, metrics, columns);
  return { columns, fromCache: false };
}

/** A run's system metrics: from the cache when its stream has as many rows as then, else read (whole: no step range). */
async function systemOf(
  source: LiveSource,
  entity: string,
  project: string,
  run: LiveRun,
  metrics: readonly { metric: string; key: string }[],
): Promise<{ columns: HistoryColumns; sampled: boolean; fromCache: boolean }> {
  const names = metrics.map((m) => m.metric);
  const path = source.cacheDir === undefined ? undefined : cachePath(source.cacheDir, entity, project, run.id, "system");
  const cached = path === undefined ? undefined : readCached(path);
  if (cached !== undefined && names.every((m) => cached.metrics.includes(m)) && cached.run.eventsLineCount === run.eventsLineCount) {
    return { columns: cached.columns, sampled: cached.run.sampled === true, fromCache: true };
  }
  const { columns, sampled } = await readSystemMetrics(source.transport, entity, project, run, metrics);
  if (path !== undefined) writeCached(path, { eventsLineCount: run.eventsLineCount, sampled }, names, columns);
  return { columns, sampled, fromCache: false };
}

/**
 * A run's events in order: `running` at its creation, its rows, its system-metric rows (their own series: each
 * automation reads one metric, so how they interleave with the history rows changes nothing), and its final state
 * at its last heartbeat.
 */
function replayRun(
  sink: HistorySink,
  meta: { entity: string; project: string; id: string; name: string; user: string },
  run: LiveRun,
  columns: HistoryColumns,
  system?: HistoryColumns,
): void {
  const runRef = { id: meta.id, name: meta.name, user: meta.user };
  const state = (s: string, at: number): TripwireEvent => ({ type: "run.state", entity: meta.entity, project: meta.project, run: runRef, state: s as "running", timestamp: formatTimestamp(at) }) as TripwireEvent;
  if (Number.isFinite(run.createdAt)) sink.event(state("running", run.createdAt));
  sink.runRows(meta, columns.steps, columns.times, columns.values);
  if (system !== undefined) sink.runRows(meta, system.steps, system.times, system.values);
  if (run.state !== "running" && ["finished", "failed", "crashed", "killed"].includes(run.state) && Number.isFinite(run.heartbeatAt)) sink.event(state(run.state, run.heartbeatAt));
}

/** How the period is given: `since` (`7d`, `36h`, `90m`, `2w`; default 7 days), or `from`/`to` (ISO 8601, UTC without a zone). */
export interface PeriodArgs {
  readonly since?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * The period a live backtest covers, epoch ms. A mistake is the user's: the error names the flag and what to write.
 * @example resolvePeriod({ since: "7d" }, Date.now()) // { from: now - 7 days, to: now }
 */
export function resolvePeriod(args: PeriodArgs, now: number): { from: number; to: number } | { error: string } {
  const time = (flag: string, v: string): number | string => {
    const ms = Date.parse(/^\d{4}-\d\d-\d\d$/.test(v) ? `${v}T00:00:00Z` : /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
    return Number.isFinite(ms) ? ms : `--${flag} ${v} is not a time: write an ISO 8601 date or time, e.g. 2026-11-20 or 2026-11-20T08:00:00Z`;
  };
  if (args.since !== undefined && (args.from !== undefined || args.to !== undefined)) return { error: "choose one period: --since, or --from (and --to)" };
  let from: number;
  let to = now;
  if (args.to !== undefined) {
    const t = time("to", args.to);
    if (typeof t === "string") return { error: t };
    to = t;
  }
  if (args.from !== undefined) {
    const f = time("from", args.from);
    if (typeof f === "string") return { error: f };
    from = f;
  } else {
    const since = args.since ?? "7d";
    const m = /^(\d+(?:\.\d+)?)\s*([mhdw])$/.exec(since.trim());
    if (!m) return { error: `--since ${since} is not a duration: write a number and m, h, d or w, e.g. 7d or 36h` };
    from = to - Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  }
  if (from >= to) return { error: `the period is empty: --from ${formatTimestamp(from)} is not before --to ${formatTimestamp(to)}` };
  return { from, to };
}
