import { ConflictError } from "../errors.js";
import { type Connection, now, page, type Row } from "./connection.js";
import type { EventLog } from "./events.js";
import type { Page, PageArgs, TriggerInput, TriggerQuery, TriggerRecord, TriggerVersion } from "./types.js";

const trigger = (r: Row): TriggerRecord => ({
  id: r.id as number,
  name: r.name as string,
  description: (r.description as string | null) ?? null,
  enabled: r.enabled === 1,
  scopeType: r.scope_type as TriggerRecord["scopeType"],
  scopeId: r.scope_id as number,
  entityId: r.entity_id as number,
  projectId: (r.project_id as number | null) ?? null,
  eventType: r.event_type as string,
  eventFilter: r.event_filter as string,
  actionType: r.action_type as string,
  actionConfig: r.action_config as string,
  integrationId: (r.integration_id as number | null) ?? null,
  createdBy: (r.created_by as number | null) ?? null,
  createdAt: r.created_at as string,
  updatedAt: (r.updated_at as string | null) ?? null,
  effectiveBatch: r.effective_batch as number,
});

/** The columns an automation's definition fills, in the order the INSERT and the UPDATE name them. */
function triggerColumns(t: TriggerInput): (string | number | null)[] {
  return [t.name, t.description, t.enabled ? 1 : 0, t.scopeType, t.scopeId, t.entityId, t.projectId, t.eventType, t.eventFilter, t.actionType, t.actionConfig, t.integrationId];
}

/** Automations (triggers), their version log for replay, and change notification. */
export class Triggers {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly c: Connection,
    private readonly events: EventLog,
  ) {}

  triggerById(id: number): TriggerRecord | undefined {
    const r = this.c.q("SELECT * FROM triggers WHERE id = ?").get(id) as Row | undefined;
    return r && trigger(r);
  }
  listTriggers(query: TriggerQuery, { after, limit }: PageArgs): Page<TriggerRecord> {
    const { where, args } = triggerWhere(query, ["id > ?"], [after]);
    const rows = this.c.q(`SELECT * FROM triggers WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`).all(...args, limit + 1) as Row[];
    return page(rows.map(trigger), limit);
  }
  countTriggers(query: TriggerQuery): number {
    const { where, args } = triggerWhere(query, ["1 = 1"], []);
    return Number((this.c.q(`SELECT COUNT(*) AS n FROM triggers WHERE ${where.join(" AND ")}`).get(...args) as Row).n);
  }
  allTriggers(): readonly TriggerRecord[] {
    return (this.c.q("SELECT * FROM triggers ORDER BY id").all() as Row[]).map(trigger);
  }
  private conflict<T>(name: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
        throw new ConflictError(`an automation named "${name}" already exists in this scope; names are unique per scope`);
      }
      throw e;
    }
  }
  private version(id: number, record: TriggerRecord | null): void {
    this.c.q("INSERT INTO trigger_versions (trigger_id, effective_batch, deleted, record) VALUES (?, ?, ?, ?)").run(
      id,
      this.events.lastBatchId(),
      record ? 0 : 1,
      record ? JSON.stringify(record) : null,
    );
  }
  triggerVersions(): readonly TriggerVersion[] {
    return (this.c.q("SELECT * FROM trigger_versions ORDER BY seq").all() as Row[]).map((r) => ({
      seq: r.seq as number,
      triggerId: r.trigger_id as number,
      effectiveBatch: r.effective_batch as number,
      record: r.record === null ? null : (JSON.parse(r.record as string) as TriggerRecord),
    }));
  }
  pruneTriggerVersions(batchId: number): void {
    // A replay from a snapshot at batchId needs, per automation, the last version in force for batch
    // batchId + 1 and everything later; older versions are history nobody reads.
    this.c.q(`DELETE FROM trigger_versions WHERE seq < (
      SELECT MAX(v.seq) FROM trigger_versions v WHERE v.trigger_id = trigger_versions.trigger_id AND v.effective_batch <= ?)`).run(batchId);
    this.c.q(`DELETE FROM trigger_versions WHERE deleted = 1 AND effective_batch <= ? AND seq = (
      SELECT MAX(v.seq) FROM trigger_versions v WHERE v.trigger_id = trigger_versions.trigger_id)`).run(batchId);
  }
  createTrigger(t: TriggerInput, createdBy: number | null): TriggerRecord {
    return this.c.transaction(() => this.createTriggerTx(t, createdBy));
  }
  private createTriggerTx(t: TriggerInput, createdBy: number | null): TriggerRecord {
    const id = this.conflict(t.name, () =>
      this.c.q(`INSERT INTO triggers (name, description, enabled, scope_type, scope_id, entity_id, project_id, event_type, event_filter, action_type,
        action_config, integration_id, created_by, created_at, updated_at, effective_batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`).run(
        ...triggerColumns(t),
        createdBy,
        now(),
        this.events.lastBatchId(),
      ).lastInsertRowid,
    );
    const record = this.triggerById(Number(id)) as TriggerRecord;
    this.version(record.id, record);
    this.changed();
    return record;
  }
  updateTrigger(id: number, t: TriggerInput): TriggerRecord {
    return this.c.transaction(() => this.updateTriggerTx(id, t));
  }
  private updateTriggerTx(id: number, t: TriggerInput): TriggerRecord {
    this.conflict(t.name, () =>
      this.c.q(`UPDATE triggers SET name = ?, description = ?, enabled = ?, scope_type = ?, scope_id = ?, entity_id = ?, project_id = ?, event_type = ?,
        event_filter = ?, action_type = ?, action_config = ?, integration_id = ?, updated_at = ?, effective_batch = ? WHERE id = ?`).run(
        ...triggerColumns(t),
        now(),
        this.events.lastBatchId(),
        id,
      ),
    );
    const record = this.triggerById(id) as TriggerRecord;
    this.version(id, record);
    this.changed();
    return record;
  }
  deleteTrigger(id: number): boolean {
    return this.c.transaction(() => {
      const ok = this.c.q("DELETE FROM triggers WHERE id = ?").run(id).changes > 0;
      if (ok) {
        this.version(id, null);
        this.changed();
      }
      return ok;
    });
  }
  onTriggersChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private changed(): void {
    for (const l of this.listeners) l();
  }
  catalogVersion(): number {
    // A real read, not just `PRAGMA data_version`: inside the group commit's transaction it fixes the snapshot the
    // batch is then evaluated and written against, so a write by another process lands either before the check
    // (and is loaded) or after the commit (and applies to the next batch), as the change log says for replay.
    return (this.c.q("SELECT version FROM catalog_version WHERE id = 1").pluck().get() as number | undefined) ?? 0;
  }
}

/** The WHERE clauses and arguments of a trigger query, after the ones given (a listing's cursor). */
function triggerWhere(query: TriggerQuery, where: string[], args: unknown[]): { where: string[]; args: unknown[] } {
  if (query.entityIds !== undefined) {
    where.push("entity_id IN (SELECT value FROM json_each(?))");
    args.push(JSON.stringify(query.entityIds));
  }
  if (query.projectId !== undefined) {
    where.push("project_id = ?");
    args.push(query.projectId);
  }
  if (query.name !== undefined) {
    where.push("name = ?");
    args.push(query.name);
  }
  return { where, args };
}
