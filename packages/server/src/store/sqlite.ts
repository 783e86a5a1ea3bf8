import { createHash } from "node:crypto";
import { closeSync, fsync, openSync } from "node:fs";
import Database from "better-sqlite3";
import { ConflictError } from "../errors.js";
import { MIGRATIONS } from "./migrations.js";
import type {
  AttemptRecord,
  AttemptUpdate,
  CollectionRecord,
  EntityRecord,
  EntityType,
  EventBatchRecord,
  ExecutionQuery,
  ExecutionRecord,
  ExecutionSettle,
  HistoryQuery,
  IntegrationRecord,
  NewExecution,
  OrgRecord,
  Page,
  PageArgs,
  ProjectRecord,
  Role,
  RunUpsert,
  SecretRecord,
  SnapshotRecord,
  Store,
  TriggerInput,
  TriggerQuery,
  TriggerRecord,
  TriggerVersion,
  UserRecord,
  VersionUpsert,
} from "./types.js";

/** How hard a commit waits for the disk (SQLite `synchronous` in WAL mode). */
export type Durability = "full" | "normal";

export interface SqliteStoreOptions {
  /**
   * `full` (default): every commit is fsynced before it returns, so an acknowledged write survives a
   * power cut as well as `kill -9`. `normal`: WAL without fsync per commit; survives `kill -9` (the OS
   * holds the pages) but a power cut may lose the last commits.
   */
  readonly durability?: Durability;
}

type Row = Record<string, unknown>;
const now = (): string => new Date().toISOString();
const hashKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

const user = (r: Row): UserRecord => ({
  id: r.id as number,
  username: r.username as string,
  email: (r.email as string | null) ?? null,
  admin: r.admin === 1,
  createdAt: r.created_at as string,
});
const entity = (r: Row): EntityRecord => ({
  id: r.id as number,
  name: r.name as string,
  type: r.type as EntityType,
  orgId: (r.org_id as number | null) ?? null,
  createdAt: r.created_at as string,
});
const org = (r: Row): OrgRecord => ({ id: r.id as number, name: r.name as string, entityId: r.entity_id as number, createdAt: r.created_at as string });
const project = (r: Row): ProjectRecord => ({
  id: r.id as number,
  entityId: r.entity_id as number,
  entityName: r.entity_name as string,
  name: r.name as string,
  description: (r.description as string | null) ?? null,
  createdAt: r.created_at as string,
});
const collection = (r: Row): CollectionRecord => ({
  id: r.id as number,
  projectId: r.project_id as number,
  name: r.name as string,
  kind: r.kind as "sequence" | "portfolio",
  createdAt: r.created_at as string,
});
const integration = (r: Row): IntegrationRecord => ({
  id: r.id as number,
  entityId: r.entity_id as number,
  kind: r.kind as "slack" | "webhook",
  name: (r.name as string | null) ?? null,
  url: r.url as string,
  secretRef: (r.secret_ref as string | null) ?? null,
  accessTokenRef: (r.access_token_ref as string | null) ?? null,
  teamName: (r.team_name as string | null) ?? null,
  channelName: (r.channel_name as string | null) ?? null,
  timeoutMs: (r.timeout_ms as number | null) ?? null,
  createdAt: r.created_at as string,
});
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

function page<T>(rows: T[], limit: number): Page<T> {
  return rows.length > limit ? { items: rows.slice(0, limit), hasNextPage: true } : { items: rows, hasNextPage: false };
}

const PROJECT_SELECT = "SELECT p.*, e.name AS entity_name FROM projects p JOIN entities e ON e.id = p.entity_id";

/**
 * The SQLite store: WAL journal, foreign keys on, migrations applied on open.
 */
/** The columns an automation's definition fills, in the order the INSERT and the UPDATE name them. */
function triggerColumns(t: TriggerInput): (string | number | null)[] {
  return [t.name, t.description, t.enabled ? 1 : 0, t.scopeType, t.scopeId, t.entityId, t.projectId, t.eventType, t.eventFilter, t.actionType, t.actionConfig, t.integrationId];
}

/**
 * Creates a new database file readable by its owner only (0600): it holds API keys, secret values and every
 * event. SQLite gives the WAL and shared-memory files the database file's mode. An existing file keeps its mode.
 */
function createPrivately(path: string): void {
  if (path === ":memory:" || path === "" || path.startsWith("file:")) return;
  try {
    closeSync(openSync(path, "wx", 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}

function batchRecord(r: Row): EventBatchRecord {
  return {
    id: r.id as number,
    firstSeq: r.first_seq as number,
    count: r.count as number,
    userId: (r.user_id as number | null) ?? null,
    receivedAt: r.received_at as string,
    body: r.body as string,
  };
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly listeners = new Set<() => void>();
  private readonly stmts = new Map<string, Database.Statement>();
  /** `synchronous = FULL`: attempt history is then fsynced off the event loop (see recordAttempts). */
  private readonly fullSync: boolean;
  private walSyncing = false;
  private walSyncAgain = false;
  /** The WAL file, opened once: SQLite keeps it (same inode) while this connection is open. */
  private walFd: number | undefined;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    createPrivately(path);
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.fullSync = options.durability !== "normal";
    this.db.pragma(`synchronous = ${this.fullSync ? "FULL" : "NORMAL"}`);
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    this.migrate();
  }

  private migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    for (const m of MIGRATIONS) {
      // BEGIN IMMEDIATE takes the write lock before the version is read, so processes opening a new database at
      // the same time (several CLI runs, a server) apply each migration once; the others wait, then skip it.
      this.db
        .transaction(() => {
          if (m.version <= this.schemaVersion()) return;
          // Foreign keys name tables created later in the same step, so check them at commit.
          this.db.pragma("defer_foreign_keys = ON");
          this.db.exec(m.sql);
          this.db.prepare("DELETE FROM schema_version").run();
          this.db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(m.version);
        })
        .immediate();
    }
  }

  private q(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    // Closing checkpoints the WAL into the database and syncs it, so a pending WAL fsync is moot.
    if (this.db.open) this.db.close();
    // An fsync in flight closes the file when it returns.
    if (this.walFd !== undefined && !this.walSyncing) closeSync(this.walFd);
    this.walFd = undefined;
  }

  schemaVersion(): number {
    const r = this.db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null };
    return r.v ?? 0;
  }

  // users and keys
  userById(id: number): UserRecord | undefined {
    const r = this.q("SELECT * FROM users WHERE id = ?").get(id) as Row | undefined;
    return r && user(r);
  }
  userByName(username: string): UserRecord | undefined {
    const r = this.q("SELECT * FROM users WHERE username = ?").get(username) as Row | undefined;
    return r && user(r);
  }
  userByApiKey(key: string): UserRecord | undefined {
    const r = this.q("SELECT u.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?").get(hashKey(key)) as Row | undefined;
    return r && user(r);
  }
  upsertUser(input: { username: string; email?: string | null; admin?: boolean }): UserRecord {
    const existing = this.userByName(input.username);
    if (existing) {
      this.q("UPDATE users SET email = ?, admin = ? WHERE id = ?").run(
        input.email === undefined ? existing.email : input.email,
        (input.admin ?? existing.admin) ? 1 : 0,
        existing.id,
      );
      return this.userById(existing.id) as UserRecord;
    }
    const id = this.q("INSERT INTO users (username, email, admin, created_at) VALUES (?, ?, ?, ?)").run(
      input.username,
      input.email ?? null,
      input.admin ? 1 : 0,
      now(),
    ).lastInsertRowid;
    return this.userById(Number(id)) as UserRecord;
  }
  addApiKey(userId: number, key: string): void {
    this.q("INSERT INTO api_keys (key_hash, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT (key_hash) DO UPDATE SET user_id = excluded.user_id").run(
      hashKey(key),
      userId,
      now(),
    );
  }

  hasApiKeys(): boolean {
    return this.q("SELECT 1 FROM api_keys LIMIT 1").get() !== undefined;
  }

  // entities
  entityById(id: number): EntityRecord | undefined {
    const r = this.q("SELECT * FROM entities WHERE id = ?").get(id) as Row | undefined;
    return r && entity(r);
  }
  entityByName(name: string): EntityRecord | undefined {
    const r = this.q("SELECT * FROM entities WHERE name = ?").get(name) as Row | undefined;
    return r && entity(r);
  }
  createEntity(name: string, type: EntityType, orgId: number | null): EntityRecord {
    const id = this.q("INSERT INTO entities (name, type, org_id, created_at) VALUES (?, ?, ?, ?)").run(name, type, orgId, now()).lastInsertRowid;
    return this.entityById(Number(id)) as EntityRecord;
  }
  setEntityOrg(entityId: number, orgId: number | null): void {
    this.q("UPDATE entities SET org_id = ? WHERE id = ?").run(orgId, entityId);
  }
  orgById(id: number): OrgRecord | undefined {
    const r = this.q("SELECT * FROM organizations WHERE id = ?").get(id) as Row | undefined;
    return r && org(r);
  }
  orgByName(name: string): OrgRecord | undefined {
    const r = this.q("SELECT * FROM organizations WHERE name = ?").get(name) as Row | undefined;
    return r && org(r);
  }
  createOrg(name: string, entityName: string): OrgRecord {
    return this.transaction(() => {
      const e = this.entityByName(entityName) ?? this.createEntity(entityName, "organization", null);
      const id = Number(this.q("INSERT INTO organizations (name, entity_id, created_at) VALUES (?, ?, ?)").run(name, e.id, now()).lastInsertRowid);
      this.setEntityOrg(e.id, id);
      return this.orgById(id) as OrgRecord;
    });
  }
  entitiesOfOrg(orgId: number): readonly EntityRecord[] {
    return (this.q("SELECT * FROM entities WHERE org_id = ? ORDER BY id").all(orgId) as Row[]).map(entity);
  }
  role(entityId: number, userId: number): Role | undefined {
    const r = this.q("SELECT role FROM members WHERE entity_id = ? AND user_id = ?").get(entityId, userId) as { role: Role } | undefined;
    return r?.role;
  }
  setRole(entityId: number, userId: number, role: Role): void {
    this.q("INSERT INTO members (entity_id, user_id, role) VALUES (?, ?, ?) ON CONFLICT (entity_id, user_id) DO UPDATE SET role = excluded.role").run(
      entityId,
      userId,
      role,
    );
  }
  memberships(userId: number): readonly { entity: EntityRecord; role: Role }[] {
    const rows = this.q("SELECT e.*, m.role FROM members m JOIN entities e ON e.id = m.entity_id WHERE m.user_id = ? ORDER BY e.id").all(userId) as Row[];
    return rows.map((r) => ({ entity: entity(r), role: r.role as Role }));
  }
  membersOf(entityId: number): readonly { user: UserRecord; role: Role }[] {
    const rows = this.q("SELECT u.*, m.role AS member_role FROM members m JOIN users u ON u.id = m.user_id WHERE m.entity_id = ? ORDER BY u.id").all(entityId) as Row[];
    return rows.map((r) => ({ user: user(r), role: r.member_role as Role }));
  }
  apiKeysOf(userId: number): readonly { id: number; hash: string; createdAt: string }[] {
    const rows = this.q("SELECT rowid AS id, key_hash, created_at FROM api_keys WHERE user_id = ? ORDER BY rowid").all(userId) as Row[];
    return rows.map((r) => ({ id: Number(r.id), hash: String(r.key_hash), createdAt: String(r.created_at) }));
  }
  allEntities(): readonly EntityRecord[] {
    return (this.q("SELECT * FROM entities ORDER BY id").all() as Row[]).map(entity);
  }

  // projects and collections
  projectById(id: number): ProjectRecord | undefined {
    const r = this.q(`${PROJECT_SELECT} WHERE p.id = ?`).get(id) as Row | undefined;
    return r && project(r);
  }
  projectByName(entityId: number, name: string): ProjectRecord | undefined {
    const r = this.q(`${PROJECT_SELECT} WHERE p.entity_id = ? AND p.name = ?`).get(entityId, name) as Row | undefined;
    return r && project(r);
  }
  listProjects(entityIds: readonly number[], { after, limit }: PageArgs): Page<ProjectRecord> {
    if (entityIds.length === 0) return { items: [], hasNextPage: false };
    const rows = this.q(`${PROJECT_SELECT} WHERE p.entity_id IN (SELECT value FROM json_each(?)) AND p.id > ? ORDER BY p.id LIMIT ?`).all(
      JSON.stringify(entityIds),
      after,
      limit + 1,
    ) as Row[];
    return page(rows.map(project), limit);
  }
  upsertProject(entityId: number, name: string, description?: string | null): { project: ProjectRecord; inserted: boolean } {
    return this.transaction(() => {
      const existing = this.projectByName(entityId, name);
      if (existing) {
        if (description !== undefined && description !== existing.description) {
          this.q("UPDATE projects SET description = ? WHERE id = ?").run(description, existing.id);
          return { project: this.projectById(existing.id) as ProjectRecord, inserted: false };
        }
        return { project: existing, inserted: false };
      }
      const id = this.q("INSERT INTO projects (entity_id, name, description, created_at) VALUES (?, ?, ?, ?)").run(entityId, name, description ?? null, now())
        .lastInsertRowid;
      return { project: this.projectById(Number(id)) as ProjectRecord, inserted: true };
    });
  }
  collectionById(id: number): CollectionRecord | undefined {
    const r = this.q("SELECT * FROM collections WHERE id = ?").get(id) as Row | undefined;
    return r && collection(r);
  }
  collectionByName(projectId: number, name: string): CollectionRecord | undefined {
    const r = this.q("SELECT * FROM collections WHERE project_id = ? AND name = ?").get(projectId, name) as Row | undefined;
    return r && collection(r);
  }
  listCollections(projectId: number, { after, limit }: PageArgs): Page<CollectionRecord> {
    const rows = this.q("SELECT * FROM collections WHERE project_id = ? AND id > ? ORDER BY id LIMIT ?").all(projectId, after, limit + 1) as Row[];
    return page(rows.map(collection), limit);
  }
  ensureCollection(projectId: number, name: string, kind: "sequence" | "portfolio"): CollectionRecord {
    const existing = this.collectionByName(projectId, name);
    if (existing) return existing;
    const id = this.q("INSERT INTO collections (project_id, name, kind, created_at) VALUES (?, ?, ?, ?)").run(projectId, name, kind, now()).lastInsertRowid;
    return this.collectionById(Number(id)) as CollectionRecord;
  }
  upsertRuns(runs: readonly RunUpsert[]): void {
    const stmt = this.q(`INSERT INTO runs (project_id, run_id, name, username, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (project_id, run_id) DO UPDATE SET name = COALESCE(excluded.name, runs.name), username = COALESCE(excluded.username, runs.username),
      state = COALESCE(excluded.state, runs.state), updated_at = excluded.updated_at`);
    for (const r of runs) stmt.run(r.projectId, r.runId, r.name, r.username, r.state, r.at, r.at);
  }
  runState(projectId: number, runId: string): string | null | undefined {
    const r = this.q("SELECT state FROM runs WHERE project_id = ? AND run_id = ?").get(projectId, runId) as { state: string | null } | undefined;
    return r === undefined ? undefined : r.state;
  }
  upsertVersions(versions: readonly VersionUpsert[]): void {
    const get = this.q("SELECT aliases, tags FROM artifact_versions WHERE collection_id = ? AND version = ?");
    const put = this.q(`INSERT INTO artifact_versions (collection_id, version, aliases, tags, linked, created_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (collection_id, version) DO UPDATE SET aliases = excluded.aliases, tags = excluded.tags, linked = excluded.linked`);
    const holders = this.q("SELECT version, aliases FROM artifact_versions WHERE collection_id = ? AND version != ? AND aliases LIKE ?");
    const setAliases = this.q("UPDATE artifact_versions SET aliases = ? WHERE collection_id = ? AND version = ?");
    for (const v of versions) {
      const row = get.get(v.collectionId, v.version) as { aliases: string; tags: string } | undefined;
      const aliases = new Set<string>(v.aliases ?? (row ? (JSON.parse(row.aliases) as string[]) : []));
      const tags = new Set<string>(v.tags ?? (row ? (JSON.parse(row.tags) as string[]) : []));
      if (v.addAlias !== undefined) aliases.add(v.addAlias);
      if (v.addTag !== undefined) tags.add(v.addTag);
      if (v.removeTag !== undefined) tags.delete(v.removeTag);
      // One version holds an alias at a time (W&B): moving it takes it off the others.
      for (const alias of v.addAlias !== undefined ? [v.addAlias] : (v.aliases ?? [])) {
        for (const h of holders.all(v.collectionId, v.version, `%${JSON.stringify(alias)}%`) as { version: number; aliases: string }[]) {
          const rest = (JSON.parse(h.aliases) as string[]).filter((a) => a !== alias);
          setAliases.run(JSON.stringify(rest), v.collectionId, h.version);
        }
      }
      put.run(v.collectionId, v.version, JSON.stringify([...aliases]), JSON.stringify([...tags]), v.unlink ? 0 : 1, v.at);
    }
  }
  addCollectionTags(collectionId: number, add: readonly string[], remove: readonly string[]): void {
    const r = this.q("SELECT tags FROM collections WHERE id = ?").get(collectionId) as { tags: string } | undefined;
    if (!r) return;
    const tags = new Set(JSON.parse(r.tags) as string[]);
    for (const t of add) tags.add(t);
    for (const t of remove) tags.delete(t);
    this.q("UPDATE collections SET tags = ? WHERE id = ?").run(JSON.stringify([...tags]), collectionId);
  }

  // integrations and secrets
  integrationById(id: number): IntegrationRecord | undefined {
    const r = this.q("SELECT * FROM integrations WHERE id = ?").get(id) as Row | undefined;
    return r && integration(r);
  }
  listIntegrations(entityId: number, { after, limit }: PageArgs): Page<IntegrationRecord> {
    const rows = this.q("SELECT * FROM integrations WHERE entity_id = ? AND id > ? ORDER BY id LIMIT ?").all(entityId, after, limit + 1) as Row[];
    return page(rows.map(integration), limit);
  }
  createIntegration(i: Omit<IntegrationRecord, "id" | "createdAt">): IntegrationRecord {
    try {
      const id = this.q(`INSERT INTO integrations (entity_id, kind, name, url, secret_ref, access_token_ref, team_name, channel_name, timeout_ms, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(i.entityId, i.kind, i.name, i.url, i.secretRef, i.accessTokenRef, i.teamName, i.channelName, i.timeoutMs, now())
        .lastInsertRowid;
      return this.integrationById(Number(id)) as IntegrationRecord;
    } catch (e) {
      if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
        throw new ConflictError(i.kind === "webhook" ? `a webhook integration named "${i.name}" already exists` : `a Slack integration for channel "${i.channelName}" already exists`);
      }
      throw e;
    }
  }
  upsertIntegration(i: Omit<IntegrationRecord, "id" | "createdAt">): IntegrationRecord {
    return this.transaction(() => {
      const r = (
        i.kind === "webhook"
          ? this.q("SELECT id FROM integrations WHERE entity_id = ? AND kind = 'webhook' AND name = ?").get(i.entityId, i.name)
          : this.q("SELECT id FROM integrations WHERE entity_id = ? AND kind = 'slack' AND channel_name = ?").get(i.entityId, i.channelName)
      ) as { id: number } | undefined;
      if (!r) return this.createIntegration(i);
      this.q("UPDATE integrations SET url = ?, secret_ref = ?, access_token_ref = ?, team_name = ?, timeout_ms = ? WHERE id = ?").run(
        i.url,
        i.secretRef,
        i.accessTokenRef,
        i.teamName,
        i.timeoutMs,
        r.id,
      );
      return this.integrationById(r.id) as IntegrationRecord;
    });
  }
  deleteIntegration(id: number): boolean {
    return this.q("DELETE FROM integrations WHERE id = ?").run(id).changes > 0;
  }
  listSecrets(entityId: number): readonly SecretRecord[] {
    const rows = this.q("SELECT entity_id, name, created_at FROM secrets WHERE entity_id = ? ORDER BY name").all(entityId) as Row[];
    return rows.map((r) => ({ entityId: r.entity_id as number, name: r.name as string, createdAt: r.created_at as string }));
  }
  secretValues(entityId: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.q("SELECT name, value FROM secrets WHERE entity_id = ?").all(entityId) as { name: string; value: string }[]) out[r.name] = r.value;
    return out;
  }
  upsertSecret(entityId: number, name: string, value: string): void {
    this.q("INSERT INTO secrets (entity_id, name, value, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (entity_id, name) DO UPDATE SET value = excluded.value").run(
      entityId,
      name,
      value,
      now(),
    );
  }
  deleteSecret(entityId: number, name: string): boolean {
    return this.q("DELETE FROM secrets WHERE entity_id = ? AND name = ?").run(entityId, name).changes > 0;
  }

  // automations
  triggerById(id: number): TriggerRecord | undefined {
    const r = this.q("SELECT * FROM triggers WHERE id = ?").get(id) as Row | undefined;
    return r && trigger(r);
  }
  listTriggers(query: TriggerQuery, { after, limit }: PageArgs): Page<TriggerRecord> {
    const where: string[] = ["id > ?"];
    const args: unknown[] = [after];
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
    const rows = this.q(`SELECT * FROM triggers WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`).all(...args, limit + 1) as Row[];
    return page(rows.map(trigger), limit);
  }
  countTriggers(query: TriggerQuery): number {
    const where: string[] = ["1 = 1"];
    const args: unknown[] = [];
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
    return Number((this.q(`SELECT COUNT(*) AS n FROM triggers WHERE ${where.join(" AND ")}`).get(...args) as Row).n);
  }
  allTriggers(): readonly TriggerRecord[] {
    return (this.q("SELECT * FROM triggers ORDER BY id").all() as Row[]).map(trigger);
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
    this.q("INSERT INTO trigger_versions (trigger_id, effective_batch, deleted, record) VALUES (?, ?, ?, ?)").run(
      id,
      this.lastBatchId(),
      record ? 0 : 1,
      record ? JSON.stringify(record) : null,
    );
  }
  triggerVersions(): readonly TriggerVersion[] {
    return (this.q("SELECT * FROM trigger_versions ORDER BY seq").all() as Row[]).map((r) => ({
      seq: r.seq as number,
      triggerId: r.trigger_id as number,
      effectiveBatch: r.effective_batch as number,
      record: r.record === null ? null : (JSON.parse(r.record as string) as TriggerRecord),
    }));
  }
  pruneTriggerVersions(batchId: number): void {
    // A replay from a snapshot at batchId needs, per automation, the last version in force for batch
    // batchId + 1 and everything later; older versions are history nobody reads.
    this.q(`DELETE FROM trigger_versions WHERE seq < (
      SELECT MAX(v.seq) FROM trigger_versions v WHERE v.trigger_id = trigger_versions.trigger_id AND v.effective_batch <= ?)`).run(batchId);
    this.q(`DELETE FROM trigger_versions WHERE deleted = 1 AND effective_batch <= ? AND seq = (
      SELECT MAX(v.seq) FROM trigger_versions v WHERE v.trigger_id = trigger_versions.trigger_id)`).run(batchId);
  }
  createTrigger(t: TriggerInput, createdBy: number | null): TriggerRecord {
    return this.transaction(() => this.createTriggerTx(t, createdBy));
  }
  private createTriggerTx(t: TriggerInput, createdBy: number | null): TriggerRecord {
    const id = this.conflict(t.name, () =>
      this.q(`INSERT INTO triggers (name, description, enabled, scope_type, scope_id, entity_id, project_id, event_type, event_filter, action_type,
        action_config, integration_id, created_by, created_at, updated_at, effective_batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`).run(
        ...triggerColumns(t),
        createdBy,
        now(),
        this.lastBatchId(),
      ).lastInsertRowid,
    );
    const record = this.triggerById(Number(id)) as TriggerRecord;
    this.version(record.id, record);
    this.changed();
    return record;
  }
  updateTrigger(id: number, t: TriggerInput): TriggerRecord {
    return this.transaction(() => this.updateTriggerTx(id, t));
  }
  private updateTriggerTx(id: number, t: TriggerInput): TriggerRecord {
    this.conflict(t.name, () =>
      this.q(`UPDATE triggers SET name = ?, description = ?, enabled = ?, scope_type = ?, scope_id = ?, entity_id = ?, project_id = ?, event_type = ?,
        event_filter = ?, action_type = ?, action_config = ?, integration_id = ?, updated_at = ?, effective_batch = ? WHERE id = ?`).run(
        ...triggerColumns(t),
        now(),
        this.lastBatchId(),
        id,
      ),
    );
    const record = this.triggerById(id) as TriggerRecord;
    this.version(id, record);
    this.changed();
    return record;
  }
  deleteTrigger(id: number): boolean {
    return this.transaction(() => {
      const ok = this.q("DELETE FROM triggers WHERE id = ?").run(id).changes > 0;
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
    return (this.q("SELECT version FROM catalog_version WHERE id = 1").pluck().get() as number | undefined) ?? 0;
  }

  // event log
  lastBatchId(): number {
    const r = this.q("SELECT MAX(id) AS id FROM event_batches").get() as { id: number | null };
    return r.id ?? 0;
  }
  lastEventSeq(): number {
    const r = this.q("SELECT first_seq + count - 1 AS seq FROM event_batches ORDER BY id DESC LIMIT 1").get() as { seq: number } | undefined;
    return r?.seq ?? 0;
  }
  appendBatch(b: Omit<EventBatchRecord, "id">): number {
    return Number(
      this.q("INSERT INTO event_batches (first_seq, count, user_id, received_at, body) VALUES (?, ?, ?, ?, ?)").run(b.firstSeq, b.count, b.userId, b.receivedAt, b.body)
        .lastInsertRowid,
    );
  }
  *batchesAfter(afterId: number): IterableIterator<EventBatchRecord> {
    // Paged so a long log is never held in memory at once.
    let after = afterId;
    for (;;) {
      const rows = this.q("SELECT * FROM event_batches WHERE id > ? ORDER BY id LIMIT 256").all(after) as Row[];
      if (rows.length === 0) return;
      for (const r of rows) {
        after = r.id as number;
        yield batchRecord(r);
      }
    }
  }
  batchById(id: number): EventBatchRecord | undefined {
    const r = this.q("SELECT * FROM event_batches WHERE id = ?").get(id) as Row | undefined;
    return r && batchRecord(r);
  }
  eventCount(): number {
    const r = this.q("SELECT COALESCE(SUM(count), 0) AS n FROM event_batches").get() as { n: number };
    return r.n;
  }
  snapshot(): SnapshotRecord | undefined {
    const r = this.q("SELECT * FROM engine_snapshots WHERE id = 1").get() as Row | undefined;
    return r && { batchId: r.batch_id as number, takenAt: r.taken_at as string, state: r.state as string };
  }
  saveSnapshot(s: SnapshotRecord): void {
    this.q(
      "INSERT INTO engine_snapshots (id, batch_id, taken_at, state) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET batch_id = excluded.batch_id, taken_at = excluded.taken_at, state = excluded.state",
    ).run(s.batchId, s.takenAt, s.state);
  }

  // executions
  insertExecutions(list: readonly NewExecution[]): number[] {
    const stmt = this.q(`INSERT INTO executions (key, trigger_id, trigger_name, entity_id, project_id, collection_id, scope_type, scope_id, batch_id, event_type,
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
    const r = this.q("SELECT * FROM executions WHERE id = ?").get(id) as Row | undefined;
    return r && execution(r);
  }
  pendingExecutions(): readonly { id: number; nextAttemptAt: number }[] {
    return (this.q("SELECT id, next_attempt_at FROM executions WHERE state = 'PENDING' ORDER BY next_attempt_at, id").all() as Row[]).map((r) => ({
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
    const total = (this.q(`SELECT COUNT(*) AS n FROM executions WHERE ${filter}`).get(...args) as { n: number }).n;
    const rows = this.q(`SELECT * FROM executions WHERE ${filter} AND id > ? ORDER BY id LIMIT ?`).all(...args, after, limit + 1) as Row[];
    return { ...page(rows.map(execution), limit), totalCount: total };
  }
  attempts(executionId: number): readonly AttemptRecord[] {
    return (this.q("SELECT * FROM execution_attempts WHERE execution_id = ? ORDER BY attempt").all(executionId) as Row[]).map(attempt);
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
    const rows = this.q(`SELECT * FROM executions WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT ?`).all(...args, query.limit) as Row[];
    return rows.reverse().map(execution);
  }
  lastExecutedAt(triggerId: number): string | null {
    const r = this.q("SELECT created_at FROM executions WHERE trigger_id = ? ORDER BY id DESC LIMIT 1").get(triggerId) as { created_at: string } | undefined;
    return r?.created_at ?? null;
  }
  /**
   * Records delivery attempts (and settles) in one transaction. The dispatcher writes these after the fact and
   * nobody is answered on them: losing the last group only repeats a delivery with the same idempotency key.
   * So with `durability: full` the commit does not block the event loop on fsync: it is written to the WAL
   * with `synchronous = NORMAL` (atomic, and it survives `kill -9`, as the OS holds the pages), and the WAL is
   * fsynced right after on the libuv thread pool (any later FULL commit, e.g. the next group commit of events,
   * fsyncs it as well).
   */
  recordAttempts(updates: readonly AttemptUpdate[], settles: readonly ExecutionSettle[] = []): void {
    // One statement per attempt: the row's trigger (migration 4) moves the execution to the attempt's state.
    const ins = this.q(`INSERT INTO execution_attempts (execution_id, attempt, started_at, duration_ms, status_code, outcome, error, response, retry_in_ms,
      state, next_attempt_at, request) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (execution_id, attempt) DO NOTHING`);
    const settle = this.q("UPDATE executions SET state = ?, error = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?");
    const write = () =>
      this.transaction(() => {
        for (const u of updates) {
          ins.run(u.executionId, u.attempt, u.startedAt, u.durationMs, u.statusCode, u.outcome, u.error, u.response, u.retryInMs, u.state, u.nextAttemptAt, u.request ?? null);
        }
        const at = now();
        for (const s of settles) settle.run(s.state, s.error, at, s.executionId);
      });
    if (!this.fullSync || this.db.inTransaction || this.db.memory) return write();
    this.q("PRAGMA synchronous = NORMAL").run();
    try {
      write();
    } finally {
      this.q("PRAGMA synchronous = FULL").run();
    }
    this.syncWal();
  }

  ingestKey(userId: number, key: string): string | undefined {
    const r = this.q("SELECT result FROM ingest_keys WHERE user_id = ? AND key = ?").get(userId, key) as { result: string } | undefined;
    return r?.result;
  }
  saveIngestKey(userId: number, key: string, batchId: number, result: string, at: number): void {
    this.q("INSERT INTO ingest_keys (user_id, key, batch_id, result, created_at) VALUES (?, ?, ?, ?, ?)").run(userId, key, batchId, result, at);
  }
  pruneIngestKeys(before: number): number {
    return this.q("DELETE FROM ingest_keys WHERE created_at < ?").run(before).changes;
  }

  /**
   * Marks attempts as started. Written like attempt results (`synchronous = NORMAL`, WAL fsynced in the
   * background): it survives `kill -9`; a power cut may lose the last marks, and then a redelivery is not marked.
   */
  markDispatched(marks: readonly { readonly executionId: number; readonly attempt: number }[]): void {
    if (marks.length === 0) return;
    const up = this.q("UPDATE executions SET dispatched = MAX(dispatched, ?) WHERE id = ?");
    const write = () => this.transaction(() => {
      for (const m of marks) up.run(m.attempt, m.executionId);
    });
    if (!this.fullSync || this.db.inTransaction || this.db.memory) return write();
    this.q("PRAGMA synchronous = NORMAL").run();
    try {
      write();
    } finally {
      this.q("PRAGMA synchronous = FULL").run();
    }
    this.syncWal();
  }

  /** fsyncs the WAL file on the thread pool; calls arriving meanwhile are folded into one more fsync. */
  private syncWal(): void {
    if (this.walSyncing) {
      this.walSyncAgain = true;
      return;
    }
    if (this.walFd === undefined) {
      try {
        this.walFd = openSync(`${this.db.name}-wal`, "r");
      } catch {
        // No WAL file: nothing was written through it.
        return;
      }
    }
    this.walSyncing = true;
    const fd = this.walFd;
    fsync(fd, () => {
      this.walSyncing = false;
      if (this.walFd === undefined) return closeSync(fd);
      if (this.walSyncAgain) {
        this.walSyncAgain = false;
        this.syncWal();
      }
    });
  }
}

/**
 * Opens (creating if needed) a SQLite store at `path` and applies pending migrations.
 * @example const store = openStore(".tripwire/local.db");
 */
export function openStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}
