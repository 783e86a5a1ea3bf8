/**
 * W&B's run and run-history queries (`Runs`, `Run`, `RunHistoryKeys`, `HistoryPage`, `sampledHistory`), answered
 * from the server's event log: what was ingested as `run.metric` and `run.state` events is the runs' history.
 *
 * The log is indexed once per store and extended with the batches appended since the last query, so a query costs
 * the new batches plus its own answer. Per run the index keeps its rows as W&B serves them (`{"_step", "_timestamp",
 * "_runtime", …metrics}` JSON text, one row per `run.metric` event), in step order, plus the key statistics of
 * `historyKeys`. W&B has no state transitions in its API: a run has its current state, `createdAt` (its first event
 * here) and `heartbeatAt` (its last).
 *
 * System metrics (a metric named as one: `system/gpu.0.temp`, `system.cpu`, or a dotted name of a system family such
 * as `gpu.0.temp`; the SDK's `systemEventsKey`) are not history in W&B: they are the run's system-metrics stream,
 * which W&B's API serves as `Run.events(samples:)`, rows `{"_wandb": true, "_timestamp", "_runtime",
 * "system.<name>": value}` with no `_step` (wandb-core's filestream/updatestats.go). So here too: the system metrics of
 * an ingested `run.metric` become one row of the run's events (in `_timestamp` order), its other metrics one history
 * row, and an event holding only system metrics adds no history row.
 */
import { parseTimestamp, type TripwireEvent } from "@tripwire/evaluator";
import { systemEventsKey } from "@tripwire/sdk";
import { gqlError } from "../errors.js";
import type { ProjectRecord } from "../store/types.js";
import type { GraphQLContext } from "./context.js";
import { EventLogIndex, perStore } from "./log-index.js";

interface KeyStats {
  count: number;
  type: string;
  last: unknown;
}

/** One run's history as the index holds it. */
interface RunHistory {
  readonly projectId: number;
  readonly runId: string;
  name: string;
  user: string;
  state: string;
  createdAt: number;
  heartbeatAt: number;
  /** Rows in step order (stable for equal steps), as W&B's `history` returns them. */
  readonly rows: string[];
  readonly steps: number[];
  readonly keys: Map<string, KeyStats>;
  lastStep: number;
  /** The parsed rows, for `sampledHistory` (made on first use, dropped when rows arrive). */
  parsed: Record<string, unknown>[] | undefined;
  /** The system-metrics stream (`events`): rows as JSON text in `_timestamp` order, and their times (ms). */
  readonly events: string[];
  readonly eventTimes: number[];
  /** The latest value of each system metric (`systemMetrics`), by its stream key. */
  readonly system: Map<string, unknown>;
}

class HistoryIndex extends EventLogIndex {
  readonly runs = new Map<string, RunHistory>();
  /** Runs per project id, in first-seen order. */
  readonly byProject = new Map<number, RunHistory[]>();

  protected add(e: TripwireEvent): void {
    if (e.type !== "run.metric" && e.type !== "run.state") return;
    const projectId = this.projectId(e.entity, e.project);
    if (projectId === undefined) return;
    const t = parseTimestamp(e.timestamp);
    const key = `${projectId}\u0000${e.run.id}`;
    let run = this.runs.get(key);
    if (run === undefined) {
      run = { projectId, runId: e.run.id, name: e.run.name, user: e.run.user, state: "running", createdAt: t, heartbeatAt: t, rows: [], steps: [], keys: new Map(), lastStep: -1, parsed: undefined, events: [], eventTimes: [], system: new Map() };
      this.runs.set(key, run);
      let list = this.byProject.get(projectId);
      if (list === undefined) this.byProject.set(projectId, (list = []));
      list.push(run);
    }
    run.name = e.run.name;
    run.user = e.run.user;
    if (t < run.createdAt) run.createdAt = t;
    if (t > run.heartbeatAt) run.heartbeatAt = t;
    if (e.type === "run.state") {
      run.state = e.state;
      return;
    }
    const row: Record<string, unknown> = { _step: e.step, _timestamp: t / 1000, _runtime: (t - run.createdAt) / 1000 };
    let system: Record<string, unknown> | undefined;
    let history = 0;
    for (const [k, v] of Object.entries(e.metrics)) {
      if (k === "_step" || k === "_timestamp" || k === "_runtime") continue;
      const streamKey = systemEventsKey(k);
      if (streamKey !== undefined) {
        system ??= { _wandb: true, _timestamp: t / 1000, _runtime: (t - run.createdAt) / 1000 };
        Object.defineProperty(system, streamKey, { value: v, enumerable: true, writable: true, configurable: true });
        run.system.set(streamKey, v);
        continue;
      }
      history++;
      Object.defineProperty(row, k, { value: v, enumerable: true, writable: true, configurable: true });
      let s = run.keys.get(k);
      if (s === undefined) run.keys.set(k, (s = { count: 0, type: jsonType(v), last: v }));
      s.count++;
      s.last = v;
    }
    if (system !== undefined) {
      // Times arrive in order almost always: insert after the last row not later than this one.
      let j = run.eventTimes.length;
      while (j > 0 && (run.eventTimes[j - 1] as number) > t) j--;
      run.eventTimes.splice(j, 0, t);
      run.events.splice(j, 0, JSON.stringify(system));
      if (history === 0) return;
    }
    const text = JSON.stringify(row);
    // Steps arrive in order almost always: insert after the last row with a step not above this one.
    let i = run.steps.length;
    while (i > 0 && (run.steps[i - 1] as number) > e.step) i--;
    run.steps.splice(i, 0, e.step);
    run.rows.splice(i, 0, text);
    run.parsed = undefined;
    if (e.step > run.lastStep) run.lastStep = e.step;
  }
}

const jsonType = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "list" : typeof v === "object" ? "map" : typeof v);

const indexOf = perStore((store) => new HistoryIndex(store));

/** First row at or after `step` (the rows are in step order). */
function lowerBound(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((steps[mid] as number) < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** At most `samples` of `n` items, evenly spaced (all of them when they fit): W&B downsamples to `samples`. */
function sampleIndexes(n: number, samples: number): number[] {
  if (n <= samples) return Array.from({ length: n }, (_, i) => i);
  if (samples <= 0) return [];
  if (samples === 1) return [0];
  return Array.from({ length: samples }, (_, i) => Math.round((i * (n - 1)) / (samples - 1)));
}

const iso = (ms: number) => new Date(ms).toISOString();

function runNode(ctx: GraphQLContext, p: ProjectRecord, run: RunHistory) {
  const historyKeys = () => ({
    keys: Object.fromEntries([...run.keys].map(([k, s]) => [k, { typeCounts: [{ type: s.type, count: s.count }], previousValue: s.last }])),
    lastStep: run.lastStep,
  });
  return {
    __typename: "Run",
    id: Buffer.from(`Run:v1:${run.runId}:${p.name}:${p.entityName}`, "utf8").toString("base64"),
    name: run.runId,
    displayName: run.name,
    projectId: p.id,
    tags: [],
    sweepName: null,
    state: run.state,
    group: null,
    jobType: null,
    commit: null,
    readOnly: false,
    createdAt: iso(run.createdAt),
    heartbeatAt: iso(run.heartbeatAt),
    description: null,
    notes: null,
    historyLineCount: run.rows.length,
    eventsLineCount: run.events.length,
    user: () => {
      const u = ctx.store.userByName(run.user);
      return { __typename: "User", id: Buffer.from(`User:${u?.id ?? 0}`, "utf8").toString("base64"), username: run.user, name: run.user };
    },
    config: "{}",
    summaryMetrics: () => JSON.stringify(Object.fromEntries([...run.keys].map(([k, s]) => [k, s.last]))),
    systemMetrics: () => JSON.stringify(Object.fromEntries(run.system)),
    historyKeys,
    history: (args: { minStep?: number | null; maxStep?: number | null; samples?: number | null }) => {
      const from = args.minStep ?? 0;
      const to = args.maxStep ?? Number.POSITIVE_INFINITY;
      const samples = args.samples ?? 500;
      if (!Number.isInteger(samples) || samples < 0) throw gqlError("BAD_USER_INPUT", `history(samples:) must be a non-negative integer, got ${String(args.samples)}`);
      const start = lowerBound(run.steps, from);
      const end = to === Number.POSITIVE_INFINITY ? run.steps.length : lowerBound(run.steps, to);
      return sampleIndexes(Math.max(0, end - start), samples).map((i) => run.rows[start + i] as string);
    },
    sampledHistory: (args: { specs: readonly string[] }) => args.specs.map((text, n) => sampled(run, text, n)),
    events: (args: { samples?: number | null }) => {
      const samples = args.samples ?? 500;
      if (!Number.isInteger(samples) || samples < 0) throw gqlError("BAD_USER_INPUT", `events(samples:) must be a non-negative integer, got ${String(args.samples)}`);
      return sampleIndexes(run.events.length, samples).map((i) => run.events[i] as string);
    },
  };
}

/** One `sampledHistory` spec: the rows of `[minStep, maxStep]` (inclusive, as W&B) holding every key, those keys only. */
function sampled(run: RunHistory, text: string, n: number): Record<string, unknown>[] {
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch {
    throw gqlError("BAD_USER_INPUT", `sampledHistory(specs:) item ${n} is not valid JSON`);
  }
  const s = spec as { keys?: unknown; minStep?: unknown; maxStep?: unknown; samples?: unknown };
  if (typeof spec !== "object" || spec === null || !Array.isArray(s.keys) || !s.keys.every((k) => typeof k === "string")) {
    throw gqlError("BAD_USER_INPUT", `sampledHistory(specs:) item ${n} needs "keys": a list of key names`);
  }
  const num = (v: unknown, name: string, fallback: number) => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v)) throw gqlError("BAD_USER_INPUT", `sampledHistory(specs:) item ${n}: "${name}" must be a number`);
    return v;
  };
  const keys = s.keys as string[];
  const from = num(s.minStep, "minStep", 0);
  const to = num(s.maxStep, "maxStep", Number.POSITIVE_INFINITY);
  const samples = num(s.samples, "samples", 500);
  run.parsed ??= run.rows.map((r) => JSON.parse(r) as Record<string, unknown>);
  const start = lowerBound(run.steps, from);
  const end = to === Number.POSITIVE_INFINITY ? run.steps.length : lowerBound(run.steps, Math.floor(to) + 1);
  const rows: Record<string, unknown>[] = [];
  for (let i = start; i < end; i++) {
    const row = run.parsed[i] as Record<string, unknown>;
    if (!keys.every((k) => Object.hasOwn(row, k))) continue;
    const out: Record<string, unknown> = {};
    for (const k of keys) Object.defineProperty(out, k, { value: row[k], enumerable: true, writable: true, configurable: true });
    rows.push(out);
  }
  return sampleIndexes(rows.length, samples).map((i) => rows[i] as Record<string, unknown>);
}

/** The run columns `filters` may compare, as W&B spells them. */
const FILTER_FIELDS: Record<string, (r: RunHistory) => string | number> = {
  createdAt: (r) => r.createdAt,
  created_at: (r) => r.createdAt,
  heartbeatAt: (r) => r.heartbeatAt,
  heartbeat_at: (r) => r.heartbeatAt,
  name: (r) => r.runId,
  displayName: (r) => r.name,
  display_name: (r) => r.name,
  state: (r) => r.state,
  username: (r) => r.user,
};
const TIME_FIELDS = new Set(["createdAt", "created_at", "heartbeatAt", "heartbeat_at"]);
const OPS = new Set(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"]);

type Predicate = (r: RunHistory) => boolean;

/** W&B's MongoDB-style run filters, the subset this server answers; anything else is refused by name. */
function parseFilters(text: string | null | undefined): Predicate {
  if (text === null || text === undefined || text === "") return () => true;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw gqlError("BAD_USER_INPUT", "filters is not valid JSON");
  }
  return predicate(json, "filters");
}

function predicate(json: unknown, where: string): Predicate {
  if (json === null) return () => true;
  if (typeof json !== "object" || Array.isArray(json)) throw gqlError("BAD_USER_INPUT", `${where} must be a JSON object`);
  const parts: Predicate[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (key === "$and" || key === "$or") {
      if (!Array.isArray(value)) throw gqlError("BAD_USER_INPUT", `${where}.${key} must be a list`);
      const subs = value.map((v, i) => predicate(v, `${where}.${key}[${i}]`));
      parts.push(key === "$and" ? (r) => subs.every((p) => p(r)) : (r) => subs.some((p) => p(r)));
      continue;
    }
    const field = FILTER_FIELDS[key];
    if (!field) {
      throw gqlError("BAD_USER_INPUT", `${where}: this server filters runs on ${Object.keys(FILTER_FIELDS).join(", ")} (with $and, $or), not on "${key}"`);
    }
    const time = TIME_FIELDS.has(key);
    const operand = (v: unknown): string | number => {
      if (!time) {
        if (typeof v !== "string") throw gqlError("BAD_USER_INPUT", `${where}.${key}: expected a string, got ${JSON.stringify(v)}`);
        return v;
      }
      // W&B's times may come without a zone: UTC.
      const ms = typeof v === "string" ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`) : Number.NaN;
      if (!Number.isFinite(ms)) throw gqlError("BAD_USER_INPUT", `${where}.${key}: expected an ISO 8601 time, got ${JSON.stringify(v)}`);
      return ms;
    };
    const conditions = typeof value === "object" && value !== null && !Array.isArray(value) ? Object.entries(value) : [["$eq", value] as [string, unknown]];
    for (const [op, v] of conditions) {
      if (!OPS.has(op)) throw gqlError("BAD_USER_INPUT", `${where}.${key}: this server knows the operators ${[...OPS].join(", ")}, not "${op}"`);
      if (op === "$in" || op === "$nin") {
        if (!Array.isArray(v)) throw gqlError("BAD_USER_INPUT", `${where}.${key}.${op} must be a list`);
        const set = new Set(v.map(operand));
        parts.push(op === "$in" ? (r) => set.has(field(r)) : (r) => !set.has(field(r)));
        continue;
      }
      const b = operand(v);
      const cmp: Record<string, (a: string | number) => boolean> = {
        $eq: (a) => a === b,
        $ne: (a) => a !== b,
        $gt: (a) => a > b,
        $gte: (a) => a >= b,
        $lt: (a) => a < b,
        $lte: (a) => a <= b,
      };
      const test = cmp[op] as (a: string | number) => boolean;
      parts.push((r) => test(field(r)));
    }
  }
  return (r) => parts.every((p) => p(r));
}

/** `+created_at` (W&B's default), `-created_at`, `±heartbeat_at`, `±name`. */
function ordering(order: string | null | undefined): (a: RunHistory, b: RunHistory) => number {
  const text = order ?? "+created_at";
  const m = /^([+-]?)(created_at|createdAt|heartbeat_at|heartbeatAt|name)$/.exec(text);
  if (!m) throw gqlError("BAD_USER_INPUT", `order: this server orders runs by created_at, heartbeat_at or name (prefix + or -), not "${text}"`);
  const sign = m[1] === "-" ? -1 : 1;
  const key = m[2] as string;
  const value: (r: RunHistory) => number | string = key.startsWith("created") ? (r) => r.createdAt : key.startsWith("heartbeat") ? (r) => r.heartbeatAt : (r) => r.runId;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    return sign * (x < y ? -1 : x > y ? 1 : a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);
  };
}

const runCursor = (r: RunHistory) => Buffer.from(`run:${r.runId}`, "utf8").toString("base64");

/** The run fields of `Project`: `runCount`, `runs`, `run`, and `internalId`. */
export function projectRunFields(ctx: GraphQLContext, p: ProjectRecord) {
  const runsOf = () => indexOf(ctx.store).byProject.get(p.id) ?? [];
  return {
    internalId: String(p.id),
    runCount: (args: { filters?: string | null }) => {
      const keep = parseFilters(args.filters);
      return runsOf().filter(keep).length;
    },
    runs: (args: { filters?: string | null; after?: string | null; first?: number | null; order?: string | null }) => {
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 0) throw gqlError("BAD_USER_INPUT", `first must be a non-negative integer, got ${String(args.first)}`);
      const keep = parseFilters(args.filters);
      const sorted = runsOf().filter(keep).sort(ordering(args.order));
      let start = 0;
      if (args.after) {
        const at = sorted.findIndex((r) => runCursor(r) === args.after);
        if (at < 0 && !Buffer.from(args.after, "base64").toString("utf8").startsWith("run:")) throw gqlError("BAD_USER_INPUT", `after: "${args.after}" is not a cursor this server issued`);
        start = at + 1;
      }
      const page = sorted.slice(start, start + Math.min(first, 1000));
      const edges = page.map((r) => ({ node: runNode(ctx, p, r), cursor: runCursor(r) }));
      return {
        edges,
        pageInfo: { startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: start + page.length < sorted.length, hasPreviousPage: start > 0 },
      };
    },
    run: (args: { name: string }) => {
      const r = indexOf(ctx.store).runs.get(`${p.id}\u0000${args.name}`);
      return r ? runNode(ctx, p, r) : null;
    },
  };
}

/** The SDL of runs and their history, W&B's type and field names. */
export const RUNS_SDL = /* GraphQL */ `
scalar JSON

type RunConnection {
  edges: [RunEdge!]!
  pageInfo: PageInfo!
}
type RunEdge {
  node: Run!
  cursor: String!
}
"A run, as W&B's public API answers it. Read from the event log: no config or tags are recorded."
type Run {
  "W&B's storage id, not the run id (that is name)."
  id: ID!
  "The run id."
  name: String!
  displayName: String
  projectId: Int
  tags: [String!]
  sweepName: String
  state: String
  group: String
  jobType: String
  commit: String
  readOnly: Boolean
  "The run's first event."
  createdAt: DateTime!
  "The run's last event."
  heartbeatAt: DateTime
  description: String
  notes: String
  historyLineCount: Int
  "Rows in the system-metrics stream (events)."
  eventsLineCount: Int
  user: User
  config: JSONString
  summaryMetrics: JSONString
  "The latest value of each system metric, by its stream key (system.<name>)."
  systemMetrics: JSONString
  "{keys: {<key>: {typeCounts, previousValue}}, lastStep}"
  historyKeys: JSON
  "Rows with minStep <= _step < maxStep as JSON text, downsampled to at most samples (default 500)."
  history(minStep: Int64, maxStep: Int64, samples: Int): [String!]!
  "Per spec {keys, minStep, maxStep (inclusive), samples}: the rows holding every key, those keys only."
  sampledHistory(specs: [JSONString!]!): [JSON!]!
  "The system-metrics stream: rows {_wandb, _timestamp, _runtime, system.<name>…} as JSON text, no _step, in _timestamp order, downsampled to at most samples (default 500)."
  events(samples: Int): [String!]!
}
`;
