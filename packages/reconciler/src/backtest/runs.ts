/**
 * Runs and their metric history from the live backend, with the documents W&B's own clients send (facts:
 * ../shared/spec/wandb-history-api.md): the run listing is the public API's `Runs` (lazy=False, so `historyKeys`
 * comes with each run, 50 per page, paged by the last edge's cursor), and history is read exactly in step windows of
 * 1,000 (`samples` = the window, so nothing is downsampled) with wandb-core's `HistoryPage`, or — when a run logs many
 * more keys than the automations read — with `sampledHistory`, one spec per metric, so only those keys travel.
 * Retries and rate-limit pacing are the transport's.
 */
import { ReconcilerError } from "../model/errors.js";
import type { Transport } from "../model/transport.js";

/**
 * W&B's `Runs` document (wandb/apis/public/runs.py `_create_runs_query`, lazy=False: `RunFragment`), as sent, plus
 * `eventsLineCount` beside `projectId` (the rows of the run's system-metrics stream, as the spec's `BacktestRuns`
 * lists it), so system metrics are asked for with their count and without a request per run to learn it.
 */
export const RUNS_QUERY = `
        query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50, $order: String, $filters: JSONString) {
            project(name: $project, entityName: $entity) {
                internalId
                runCount(filters: $filters)
                readOnly
                runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {
                    edges {
                        node {
                            projectId
                            eventsLineCount
                            ...RunFragment
                        }
                        cursor
                    }
                    pageInfo {
                        endCursor
                        hasNextPage
                    }
                }
            }
        }
        fragment RunFragment on Run {
    id
    tags
    name
    displayName
    sweepName
    state
    config
    group
    jobType
    commit
    readOnly
    createdAt
    heartbeatAt
    description
    notes
    systemMetrics
    summaryMetrics
    historyLineCount
    user {
        name
        username
    }
    historyKeys
}
`;

/** wandb-core's `HistoryPage` (core/api/graphql/query_runhistory_backend.graphql), as sent. */
export const HISTORY_PAGE_QUERY = `query HistoryPage ($entity: String!, $project: String!, $run: String!, $minStep: Int64!, $maxStep: Int64!, $pageSize: Int!) {
	project(name: $project, entityName: $entity) {
		run(name: $run) {
			history(minStep: $minStep, maxStep: $maxStep, samples: $pageSize)
		}
	}
}`;

/** `sampledHistory` with one spec per metric (W&B's `SampledHistoryPage` sends one spec; the field takes a list). */
export const SAMPLED_HISTORY_QUERY = `query BacktestSampledHistory($entity: String!, $project: String!, $run: String!, $specs: [JSONString!]!) {
  project(name: $project, entityName: $entity) {
    run(name: $run) {
      sampledHistory(specs: $specs)
    }
  }
}`;

/**
 * The run's system-metrics stream, as W&B's `Run.history(stream="system")` reads it (`RunFullHistory` with `events`,
 * runs.py `_full_history`). The field has no step range: one request per run, asking for `samples` rows.
 */
export const SYSTEM_METRICS_QUERY = `query BacktestSystemMetrics($entity: String!, $project: String!, $run: String!, $samples: Int) {
  project(name: $project, entityName: $entity) {
    run(name: $run) {
      events(samples: $samples)
    }
  }
}`;

/**
 * The most system-metric rows asked for per run: one answer holds them all (about 1.5 KB a row on an 8-GPU machine,
 * so at most ~15 MB), which is 41 hours of W&B's 15-second samples. A longer run's rows come back sampled.
 */
export const SYSTEM_SAMPLES_MAX = 10_000;

/** Runs per listing page (W&B's `per_page` default) and steps per history window (W&B's `page_size` default). */
export const RUNS_PER_PAGE = 50;
export const STEPS_PER_WINDOW = 1000;

/** A run as the listing describes it: what the backtest and the cache need. */
export interface LiveRun {
  /** The run id (W&B's `name`). */
  readonly id: string;
  /** The display name. */
  readonly name: string;
  readonly user: string;
  readonly state: string;
  /** Epoch ms (UTC). */
  readonly createdAt: number;
  readonly heartbeatAt: number;
  readonly historyLineCount: number;
  /** Rows in the run's system-metrics stream (`eventsLineCount`; 0 when the backend does not say). */
  readonly eventsLineCount: number;
  /** `historyKeys.lastStep`; -1 without history. */
  readonly lastStep: number;
  /** The keys the run has logged (`historyKeys.keys`). */
  readonly keys: readonly string[];
}

/** One run's history of some metrics, columnar: row `i` is step `steps[i]` at `times[i]` (epoch ms). */
export interface HistoryColumns {
  readonly steps: ArrayLike<number>;
  readonly times: ArrayLike<number>;
  /** Per metric, its value at each row (`NaN`: not logged in that row, or not a number). */
  readonly values: Readonly<Record<string, ArrayLike<number>>>;
}

/** Columns being filled. */
interface Building {
  steps: number[];
  times: number[];
  values: Record<string, number[]>;
}

/** Times without a zone are UTC (W&B sends `2023-11-05T17:46:35`). */
export function parseWandbTime(value: unknown): number {
  if (typeof value !== "string") return Number.NaN;
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
}

/**
 * Parses a history row, which may hold bare `NaN`, `Infinity` and `-Infinity` (W&B writes them; `JSON.parse`
 * refuses them): those tokens outside strings become their numbers.
 */
export function parseHistoryRow(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    let out = "";
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (inString) {
        out += c;
        if (c === "\\") out += text[++i] ?? "";
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') {
        inString = true;
        out += c;
        continue;
      }
      const rest = text.startsWith("NaN", i) ? "NaN" : text.startsWith("-Infinity", i) ? "-Infinity" : text.startsWith("Infinity", i) ? "Infinity" : undefined;
      if (rest !== undefined) {
        out += `"\\u0000${rest}"`;
        i += rest.length - 1;
      } else out += c;
    }
    const special: Record<string, number> = { "\u0000NaN": Number.NaN, "\u0000Infinity": Number.POSITIVE_INFINITY, "\u0000-Infinity": Number.NEGATIVE_INFINITY };
    try {
      return JSON.parse(out, (_k, v: unknown) => (typeof v === "string" && v in special ? special[v] : v)) as Record<string, unknown>;
    } catch {
      throw error;
    }
  }
}

interface RunNode {
  name: string;
  displayName: string | null;
  state: string | null;
  createdAt: string;
  heartbeatAt: string | null;
  historyLineCount: number | null;
  eventsLineCount?: number | null;
  user: { username: string | null; name: string } | null;
  historyKeys: { keys?: Record<string, unknown>; lastStep?: number } | string | null;
}

interface RunsData {
  project: {
    runCount: number | null;
    runs: { edges: { node: RunNode; cursor: string }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } | null;
  } | null;
}

async function query<T>(transport: Transport, document: string, variables: Record<string, unknown>, what: string): Promise<T> {
  const res = await transport.request<T>({ query: document, variables });
  if (res.errors && res.errors.length > 0) throw new ReconcilerError("TW4010", `${what}: the backend answered: ${res.errors.map((e) => e.message).join("; ")}`, { status: res.status });
  if (res.data === null || res.data === undefined) throw new ReconcilerError("TW4010", `${what}: the backend answered HTTP ${res.status} without data`, { status: res.status });
  return res.data;
}

/**
 * The runs of a project created up to `to` that were alive at or after `from` (heartbeat not before it, or still
 * running), oldest first. `createdAt` is filtered by the backend (a documented filter); `heartbeatAt` here.
 * `onPage` is told the runs read so far and the project's count.
 */
export async function listRuns(
  transport: Transport,
  entity: string,
  project: string,
  range: { from: number; to: number },
  onPage?: (read: number, total: number) => void,
): Promise<LiveRun[] | undefined> {
  const out: LiveRun[] = [];
  const filters = JSON.stringify({ createdAt: { $lte: new Date(range.to).toISOString() } });
  let cursor: string | null = null;
  let read = 0;
  for (;;) {
    const data: RunsData = await query<RunsData>(transport, RUNS_QUERY, { entity, project, cursor, perPage: RUNS_PER_PAGE, order: "+created_at", filters }, `listing the runs of ${entity}/${project}`);
    if (data.project === null) return undefined;
    const conn = data.project.runs;
    if (!conn) return out;
    for (const { node } of conn.edges) {
      read++;
      const heartbeat = parseWandbTime(node.heartbeatAt ?? node.createdAt);
      const state = node.state ?? "running";
      if (heartbeat < range.from && state !== "running") continue;
      const hk = typeof node.historyKeys === "string" ? (JSON.parse(node.historyKeys) as RunNode["historyKeys"]) : node.historyKeys;
      const keys = hk && typeof hk === "object" ? Object.keys(hk.keys ?? {}) : [];
      const lastStep = hk && typeof hk === "object" && typeof hk.lastStep === "number" ? hk.lastStep : -1;
      out.push({
        id: node.name,
        name: node.displayName ?? node.name,
        user: node.user?.username ?? node.user?.name ?? "",
        state,
        createdAt: parseWandbTime(node.createdAt),
        heartbeatAt: heartbeat,
        historyLineCount: node.historyLineCount ?? 0,
        eventsLineCount: node.eventsLineCount ?? 0,
        lastStep,
        keys,
      });
    }
    onPage?.(read, data.project.runCount ?? read);
    const last = conn.edges.at(-1);
    if (!conn.pageInfo.hasNextPage || !last) return out;
    // W&B's client pages with the last edge's cursor, not pageInfo.endCursor (runs.py).
    cursor = last.cursor;
  }
}

/** Whether to read all of a run's keys (`HistoryPage`) or only the metrics (`sampledHistory`, one spec each). */
export function historyMode(run: Pick<LiveRun, "keys">, metrics: readonly string[]): "page" | "sampled" {
  return run.keys.length <= 2 * metrics.length + 4 ? "page" : "sampled";
}

/** Requests `readHistory` makes for a run from `fromStep` on. */
export function historyRequests(run: Pick<LiveRun, "lastStep">, fromStep: number): number {
  return run.lastStep < fromStep ? 0 : Math.ceil((run.lastStep + 1 - fromStep) / STEPS_PER_WINDOW);
}

const numberOr = (v: unknown) => (typeof v === "number" ? v : Number.NaN);

/**
 * Reads the metrics of a run's rows with `fromStep <= _step <= lastStep`, window by window (an empty window does
 * not end the read: history may have gaps), into columns in step order.
 */
export async function readHistory(transport: Transport, entity: string, project: string, run: LiveRun, metrics: readonly string[], fromStep: number): Promise<Building> {
  const out: Building = { steps: [], times: [], values: Object.fromEntries(metrics.map((m) => [m, []])) };
  const mode = historyMode(run, metrics);
  const what = `reading the history of run ${entity}/${project}/${run.id}`;
  const wanted = metrics.filter((m) => run.keys.includes(m));
  for (let s = fromStep; s <= run.lastStep; s += STEPS_PER_WINDOW) {
    if (mode === "page") {
      type Page = { project: { run: { history: string[] } | null } | null };
      const data = await query<Page>(transport, HISTORY_PAGE_QUERY, { entity, project, run: run.id, minStep: s, maxStep: s + STEPS_PER_WINDOW, pageSize: STEPS_PER_WINDOW }, what);
      const rows = data.project?.run?.history ?? [];
      for (const text of rows) {
        const row = parseHistoryRow(text);
        out.steps.push(Number(row._step));
        out.times.push(Math.round(Number(row._timestamp) * 1000));
        for (const m of metrics) (out.values[m] as number[]).push(numberOr(row[m]));
      }
      continue;
    }
    if (wanted.length === 0) continue;
    type Sampled = { project: { run: { sampledHistory: Record<string, unknown>[][] } | null } | null };
    const specs = wanted.map((m) => JSON.stringify({ keys: ["_step", "_timestamp", m], minStep: s, maxStep: s + STEPS_PER_WINDOW - 1, samples: STEPS_PER_WINDOW }));
    const data = await query<Sampled>(transport, SAMPLED_HISTORY_QUERY, { entity, project, run: run.id, specs }, what);
    const lists = data.project?.run?.sampledHistory ?? [];
    // Join the per-metric rows on (step, time): each list is in step order.
    const rows = new Map<string, { step: number; time: number; values: Map<string, number> }>();
    lists.forEach((list, k) => {
      const m = wanted[k] as string;
      for (const row of list) {
        const step = Number(row._step);
        const time = Math.round(Number(row._timestamp) * 1000);
        const key = `${step}|${time}`;
        let r = rows.get(key);
        if (r === undefined) rows.set(key, (r = { step, time, values: new Map() }));
        r.values.set(m, numberOr(row[m]));
      }
    });
    for (const r of [...rows.values()].sort((a, b) => a.step - b.step || a.time - b.time)) {
      out.steps.push(r.step);
      out.times.push(r.time);
      for (const m of metrics) (out.values[m] as number[]).push(r.values.get(m) ?? Number.NaN);
    }
  }
  return out;
}

/**
 * The system metrics of a run (`metrics`: the automations' names, each read under its stream key `system.<name>`),
 * as columns. W&B's rows have no `_step`: they are ordered by `_timestamp` (stable for equal times, the order the
 * backend sent), which is the order they were sampled in, so an automation's window holds the most recently sampled
 * values, as it would live; each row's step is its position in that order (0, 1, 2, …), which is what a firing
 * reports as its step. `sampled` is true when fewer rows came back than the stream holds (`eventsLineCount`): the
 * backend downsampled them, or the run has more than {@link SYSTEM_SAMPLES_MAX}.
 */
export async function readSystemMetrics(
  transport: Transport,
  entity: string,
  project: string,
  run: LiveRun,
  metrics: readonly { metric: string; key: string }[],
): Promise<{ columns: Building; sampled: boolean }> {
  type Events = { project: { run: { events: string[] | null } | null } | null };
  const samples = Math.min(run.eventsLineCount, SYSTEM_SAMPLES_MAX);
  const data = await query<Events>(transport, SYSTEM_METRICS_QUERY, { entity, project, run: run.id, samples }, `reading the system metrics of run ${entity}/${project}/${run.id}`);
  const rows = (data.project?.run?.events ?? []).map((text) => parseHistoryRow(text));
  const at = rows.map((row) => Math.round(Number(row._timestamp) * 1000));
  const order = rows.map((_, i) => i).sort((a, b) => (at[a] as number) - (at[b] as number) || a - b);
  const out: Building = { steps: [], times: [], values: Object.fromEntries(metrics.map((m) => [m.metric, []])) };
  order.forEach((i, position) => {
    const row = rows[i] as Record<string, unknown>;
    out.steps.push(position);
    out.times.push(at[i] as number);
    for (const m of metrics) (out.values[m.metric] as number[]).push(numberOr(row[m.key]));
  });
  return { columns: out, sampled: rows.length < run.eventsLineCount };
}
