import { type Connection, now, page, type Row } from "./connection.js";
import type { AttemptRecord, AttemptUpdate, ExecutionQuery, ExecutionRecord, ExecutionSettle, HistoryQuery, NewExecution, Page, PageArgs } from "./types.js";

const execution = (r: Row): ExecutionRecord => ({
  id: r.id as number,
  key: r.key as string,
  triggerId: r.trigger_id as number,
  triggerName: r.trigger_name as string,
  entityId: r.entity_id as number,
  projectId: (r.project_id as number | null) ?? null,
  collectionId: (r.collection_id as number | null) ?? null,
  scopeType: r.scope_type as ExecutionRecord["scopeType"],
  scopeId: r.scope_id as number,
  batchId: r.batch_id as number,
  eventType: r.event_type as string,
  actionType: r.action_type as string,
  action: r.action as string,
  firing: r.firing as string,
  state: r.state as ExecutionRecord["state"],
  attempts: r.attempts as number,
  dispatched: (r.dispatched as number | undefined) ?? 0,
  nextAttemptAt: (r.next_attempt_at as number | null) ?? null,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
  statusCode: (r.status_code as number | null) ?? null,
  error: (r.error as string | null) ?? null,
  response: (r.response as string | null) ?? null,
});

const attempt = (r: Row): AttemptRecord => ({
  executionId: r.execution_id as number,
  attempt: r.attempt as number,
  startedAt: r.started_at as string,
  durationMs: r.duration_ms as number,
  statusCode: (r.status_code as number | null) ?? null,
  outcome: r.outcome as AttemptRecord["outcome"],
  error: (r.error as string | null) ?? null,
  response: (r.response as string | null) ?? null,
  retryInMs: (r.retry_in_ms as number | null) ?? null,
  request: (r.request as string | null) ?? null,
});

/** Executions (the outbox) and their delivery attempts. */
export class Executions {
  constructor(private readonly c: Connection) {}

  insertExecutions(list: readonly NewExecution[]): number[] {
    const stmt = this.c.q(`INSERT INTO executions (key, trigger_id, trigger_name, entity_id, project_id, collection_id, scope_type, scope_id, batch_id, event_type,
      action_type, action, firing, state, attempts, next_attempt_at, created_at, updated_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`);
    const at = now();
    return list.map(
      (x) =>
        Number(
          stmt.run(x.key, x.triggerId, x.triggerName, x.entityId, x.projectId, x.collectionId, x.scopeType, x.scopeId, x.batchId, x.eventType, x.actionType,
            x.action, x.firing, x.state, x.nextAttemptAt, at, at, x.error).lastInsertRowid,
        ),
    );
  }
  executionById(id: number): ExecutionRecord | undefined {
    const r = this.c.q("SELECT * FROM executions WHERE id = ?").get(id) as Row | undefined;
    return r && execution(r);
  }
  pendingExecutions(): readonly { id: number; nextAttemptAt: number }[] {
    return (this.c.q("SELECT id, next_attempt_at FROM executions WHERE state = 'PENDING' ORDER BY next_attempt_at, id").all() as Row[]).map((r) => ({
      id: r.id as number,
      nextAttemptAt: (r.next_attempt_at as number | null) ?? 0,
    }));
  }
  listExecutions(query: ExecutionQuery, { after, limit }: PageArgs): Page<ExecutionRecord> & { totalCount: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.triggerId !== undefined) (where.push("trigger_id = ?"), args.push(query.triggerId));
    if (query.projectId !== undefined) (where.push("project_id = ?"), args.push(query.projectId));
    if (query.collectionId !== undefined) (where.push("collection_id = ?"), args.push(query.collectionId));
    if (query.entityIds !== undefined) (where.push("entity_id IN (SELECT value FROM json_each(?))"), args.push(JSON.stringify(query.entityIds)));
    if (query.state !== undefined) (where.push("state = ?"), args.push(query.state));
    if (query.scope !== undefined) (where.push("scope_type = ? AND scope_id = ?"), args.push(query.scope.type, query.scope.id));
    const filter = where.length > 0 ? where.join(" AND ") : "1";
    const total = (this.c.q(`SELECT COUNT(*) AS n FROM executions WHERE ${filter}`).get(...args) as { n: number }).n;
    const rows = this.c.q(`SELECT * FROM executions WHERE ${filter} AND id > ? ORDER BY id LIMIT ?`).all(...args, after, limit + 1) as Row[];
    return { ...page(rows.map(execution), limit), totalCount: total };
  }
  attempts(executionId: number): readonly AttemptRecord[] {
    return (this.c.q("SELECT * FROM execution_attempts WHERE execution_id = ? ORDER BY attempt").all(executionId) as Row[]).map(attempt);
  }
  executionHistory(query: HistoryQuery): readonly ExecutionRecord[] {
    if (query.entityIds.length === 0) return [];
    const where: string[] = ["entity_id IN (SELECT value FROM json_each(?))", "id > ?"];
    const args: unknown[] = [JSON.stringify(query.entityIds), query.afterId ?? 0];
    if (query.triggerName !== undefined) (where.push("trigger_name = ?"), args.push(query.triggerName));
    if (query.state !== undefined) (where.push("state = ?"), args.push(query.state));
    if (query.since !== undefined) (where.push("created_at >= ?"), args.push(query.since));
    if (query.run !== undefined) {
      where.push("(json_extract(firing, '$.run.id') = ? OR json_extract(firing, '$.run.name') = ?)");
      args.push(query.run, query.run);
    }
    const rows = this.c.q(`SELECT * FROM executions WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT ?`).all(...args, query.limit) as Row[];
    return rows.reverse().map(execution);
  }
  lastExecutedAt(triggerId: number): string | null {
    const r = this.c.q("SELECT created_at FROM executions WHERE trigger_id = ? ORDER BY id DESC LIMIT 1").get(triggerId) as { created_at: string } | undefined;
    return r?.created_at ?? null;
  }
  /**
   * Records delivery attempts (and settles) in one transaction. The dispatcher writes these after the fact and
   * nobody is answered on them: losing the last group only repeats a delivery with the same idempotency key.
   * So the commit is relaxed ({@link Connection.relaxed}): with `durability: full` it does not block the event loop
   * on fsync.
   */
  recordAttempts(updates: readonly AttemptUpdate[], settles: readonly ExecutionSettle[] = []): void {
    // One statement per attempt: the row's trigger (migration 4) moves the execution to the attempt's state.
    const ins = this.c.q(`INSERT INTO execution_attempts (execution_id, attempt, started_at, duration_ms, status_code, outcome, error, response, retry_in_ms,
      state, next_attempt_at, request) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (execution_id, attempt) DO NOTHING`);
    const settle = this.c.q("UPDATE executions SET state = ?, error = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?");
    const write = () =>
      this.c.transaction(() => {
        for (const u of updates) {
          ins.run(u.executionId, u.attempt, u.startedAt, u.durationMs, u.statusCode, u.outcome, u.error, u.response, u.retryInMs, u.state, u.nextAttemptAt, u.request ?? null);
        }
        const at = now();
        for (const s of settles) settle.run(s.state, s.error, at, s.executionId);
      });
    this.c.relaxed(write);
  }
  /**
   * Marks attempts as started. Written like attempt results (`synchronous = NORMAL`, WAL fsynced in the
   * background): it survives `kill -9`; a power cut may lose the last marks, and then a redelivery is not marked.
   */
  markDispatched(marks: readonly { readonly executionId: number; readonly attempt: number }[]): void {
    if (marks.length === 0) return;
    const up = this.c.q("UPDATE executions SET dispatched = MAX(dispatched, ?) WHERE id = ?");
    const write = () => this.c.transaction(() => {
      for (const m of marks) up.run(m.attempt, m.executionId);
    });
    this.c.relaxed(write);
  }
}
