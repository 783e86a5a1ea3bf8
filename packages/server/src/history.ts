import { renderPayload, type Firing } from "@tripwire/evaluator";
import type { WebhookActionSpec } from "@tripwire/sdk";
import { Access } from "./access.js";
import { toGlobalId } from "./ids.js";
import { deliveryOutcome, MASK } from "./runtime/mask.js";
import type { ExecutionRecord, ExecutionState, Store, UserRecord } from "./store/types.js";

/** An execution's status as `tripwire history` spells it. */
export type HistoryStatus = "pending" | "finished" | "failed" | "skipped";
export const HISTORY_STATUSES: readonly HistoryStatus[] = ["pending", "finished", "failed", "skipped"];

/** What to list: names, as users write them, never IDs. */
export interface HistoryFilter {
  /** The automation's name (as it was when it fired). */
  readonly automation?: string;
  /** A run's ID or display name. */
  readonly run?: string;
  readonly status?: HistoryStatus;
  /** Fired at or after this ISO timestamp. */
  readonly since?: string;
  /** Only executions after this cursor (the `cursor` of an earlier answer): what `--follow` asks for. */
  readonly after?: number;
  /** At most this many, the newest (default 100, at most 1,000). */
  readonly limit?: number;
}

/** One execution as `tripwire history` shows it (the JSON contract of `GET /api/v1/history`). */
export interface HistoryEntry {
  /** The `TriggerExecution` ID. */
  readonly id: string;
  /** Where `--follow` continues from. */
  readonly cursor: number;
  /** When the automation fired. */
  readonly time: string;
  readonly updatedAt: string;
  readonly automation: string;
  readonly automationId: string;
  readonly entity: string | null;
  readonly project: string | null;
  /** The SDK's event type (`runMetricThreshold`, `runState`, `addArtifactAlias`, …). */
  readonly event: string;
  /** The run's display name (its ID when it has none); null for artifact events. */
  readonly run: string | null;
  readonly runId: string | null;
  /** W&B's action type: `NOTIFICATION`, `GENERIC_WEBHOOK`, `NO_OP`. */
  readonly action: string;
  readonly status: HistoryStatus;
  readonly attempts: number;
  /** The receiver's HTTP status of the last attempt. */
  readonly statusCode: number | null;
  readonly error: string | null;
  /** What was sent: a webhook's body with the secrets' values masked, a Slack message as posted; null for no-ops. */
  readonly request: string | null;
  /** The start of the receiver's answer to the last attempt. */
  readonly response: string | null;
  /** Why it fired: the window's values against the threshold (the evaluator's explanation). */
  readonly explanation: unknown;
}

/** The executions a user may see, newest `limit` of them, oldest first; `cursor` is where to continue from. */
export function readHistory(store: Store, user: UserRecord, filter: HistoryFilter = {}): { entries: HistoryEntry[]; cursor: number } {
  const access = new Access(store, user);
  const rows = store.executionHistory({
    entityIds: access.visibleEntities().map((e) => e.id),
    ...(filter.automation !== undefined ? { triggerName: filter.automation } : {}),
    ...(filter.run !== undefined ? { run: filter.run } : {}),
    ...(filter.status !== undefined ? { state: filter.status.toUpperCase() as ExecutionState } : {}),
    ...(filter.since !== undefined ? { since: filter.since } : {}),
    ...(filter.after !== undefined ? { afterId: filter.after } : {}),
    limit: Math.min(Math.max(1, filter.limit ?? 100), 1_000),
  });
  return { entries: rows.map((x) => historyEntry(store, x)), cursor: rows.at(-1)?.id ?? filter.after ?? 0 };
}

/** The same entries again, by cursor, when they may have moved on (a pending delivery settling). */
export function reReadHistory(store: Store, user: UserRecord, cursors: readonly number[]): HistoryEntry[] {
  const access = new Access(store, user);
  const out: HistoryEntry[] = [];
  for (const id of cursors.slice(0, 1_000)) {
    const x = store.executionById(id);
    if (x && access.canSee(store.entityById(x.entityId))) out.push(historyEntry(store, x));
  }
  return out;
}

function historyEntry(store: Store, x: ExecutionRecord): HistoryEntry {
  const f = JSON.parse(x.firing) as Partial<Firing>;
  // A receiver may echo secrets back: history shows its answer and the error with them masked.
  const outcome = deliveryOutcome(store, x);
  const event = (f.event ?? {}) as { entity?: string; project?: string; registry?: string };
  return {
    id: toGlobalId("TriggerExecution", x.id),
    cursor: x.id,
    time: x.createdAt,
    updatedAt: x.updatedAt,
    automation: x.triggerName,
    automationId: toGlobalId("Trigger", x.triggerId),
    entity: event.entity ?? null,
    project: event.project ?? (event.registry !== undefined ? `registry ${event.registry}` : null),
    event: f.eventType ?? x.eventType,
    run: f.run ? f.run.name || f.run.id : null,
    runId: f.run?.id ?? null,
    action: x.actionType,
    status: x.state.toLowerCase() as HistoryStatus,
    attempts: x.attempts,
    statusCode: x.statusCode,
    error: outcome.error,
    request: x.actionType === "GENERIC_WEBHOOK" ? webhookBody(store, x) : x.actionType === "NOTIFICATION" ? (store.attempts(x.id).at(-1)?.request ?? null) : null,
    response: outcome.response,
    explanation: f.explanation ?? null,
  };
}

/** A webhook execution's body as sent, with the integration's secret values masked (history never shows them). */
export function webhookBody(store: Store, x: ExecutionRecord): string | null {
  if (x.actionType !== "GENERIC_WEBHOOK") return null;
  const action = JSON.parse(x.action) as { integrationId?: number; requestPayload?: string };
  if (action.requestPayload === undefined) return null;
  const integration = action.integrationId === undefined ? undefined : store.integrationById(action.integrationId);
  const secrets = Object.fromEntries(Object.keys(integration ? store.secretValues(integration.entityId) : {}).map((k) => [k, MASK]));
  const spec: WebhookActionSpec = { type: "webhook", integration: { kind: "webhook", name: integration?.name ?? "" }, payloadText: action.requestPayload };
  return renderPayload(spec, JSON.parse(x.firing) as Firing, { secrets: { ...secrets, ACCESS_TOKEN: MASK } }) ?? null;
}

/** The answer of `GET /api/v1/history`: the entries, where to continue from, and re-read entries asked for by cursor. */
export interface HistoryAnswer {
  readonly entries: HistoryEntry[];
  readonly cursor: number;
  /** The entries named by `recheck` (pending ones a follower watches), as they are now. */
  readonly rechecked: HistoryEntry[];
}

const INT = /^\d+$/;

/**
 * `GET /api/v1/history?automation=&run=&status=&since=&after=&limit=&recheck=` for a user: a 400 message when a
 * parameter is invalid (naming it), else the answer.
 */
export function answerHistory(store: Store, user: UserRecord, params: URLSearchParams): HistoryAnswer | { error: string } {
  const status = params.get("status");
  if (status !== null && !(HISTORY_STATUSES as readonly string[]).includes(status)) return { error: `status must be one of ${HISTORY_STATUSES.join(", ")}, not "${status}"` };
  const since = params.get("since");
  if (since !== null && Number.isNaN(Date.parse(since))) return { error: `since must be an ISO timestamp, not "${since}"` };
  for (const name of ["after", "limit"]) {
    const v = params.get(name);
    if (v !== null && !INT.test(v)) return { error: `${name} must be a non-negative integer, not "${v}"` };
  }
  const recheck = params.get("recheck");
  const cursors = recheck === null || recheck === "" ? [] : recheck.split(",");
  if (cursors.some((c) => !INT.test(c))) return { error: "recheck must be a comma-separated list of cursors" };
  const automation = params.get("automation");
  const run = params.get("run");
  const after = params.get("after");
  const limit = params.get("limit");
  const { entries, cursor } = readHistory(store, user, {
    ...(automation !== null ? { automation } : {}),
    ...(run !== null ? { run } : {}),
    ...(status !== null ? { status: status as HistoryStatus } : {}),
    ...(since !== null ? { since: new Date(since).toISOString() } : {}),
    ...(after !== null ? { after: Number(after) } : {}),
    ...(limit !== null ? { limit: Number(limit) } : {}),
  });
  return { entries, cursor, rechecked: reReadHistory(store, user, cursors.map(Number)) };
}
