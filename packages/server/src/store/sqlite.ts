import type Database from "better-sqlite3";
import { ArtifactVersions } from "./artifacts.js";
import { Connection, type SqliteStoreOptions } from "./connection.js";
import { Entities } from "./entities.js";
import { EventLog } from "./events.js";
import { Executions } from "./executions.js";
import { IngestKeys } from "./ingest-keys.js";
import { Integrations } from "./integrations.js";
import { schemaVersion } from "./migrations.js";
import { Projects } from "./projects.js";
import { Runs } from "./runs.js";
import { Secrets } from "./secrets.js";
import { Triggers } from "./triggers.js";
import { Users } from "./users.js";
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

export type { Durability, SqliteStoreOptions } from "./connection.js";

/**
 * The SQLite store: one connection (connection.ts: WAL journal, foreign keys on, migrations applied on open) shared
 * by one module per aggregate, which this class puts behind the {@link Store} interface.
 */
export class SqliteStore implements Store {
  readonly #c: Connection;
  readonly #users: Users;
  readonly #entities: Entities;
  readonly #projects: Projects;
  readonly #runs: Runs;
  readonly #artifacts: ArtifactVersions;
  readonly #integrations: Integrations;
  readonly #secrets: Secrets;
  readonly #events: EventLog;
  readonly #triggers: Triggers;
  readonly #ingestKeys: IngestKeys;
  readonly #executions: Executions;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    const c = new Connection(path, options);
    this.#c = c;
    this.#users = new Users(c);
    this.#entities = new Entities(c);
    this.#projects = new Projects(c);
    this.#runs = new Runs(c);
    this.#artifacts = new ArtifactVersions(c);
    this.#integrations = new Integrations(c);
    this.#secrets = new Secrets(c);
    this.#events = new EventLog(c);
    this.#triggers = new Triggers(c, this.#events);
    this.#ingestKeys = new IngestKeys(c);
    this.#executions = new Executions(c);
  }

  /** The better-sqlite3 connection (tests and tools; the store's callers go through its methods). */
  get db(): Database.Database {
    return this.#c.db;
  }

  transaction<T>(fn: () => T): T {
    return this.#c.transaction(fn);
  }
  close(): void {
    this.#c.close();
  }
  schemaVersion(): number {
    return schemaVersion(this.#c.db);
  }

  // users and API keys
  userById(id: number): UserRecord | undefined {
    return this.#users.userById(id);
  }
  userByName(username: string): UserRecord | undefined {
    return this.#users.userByName(username);
  }
  userByApiKey(key: string): UserRecord | undefined {
    return this.#users.userByApiKey(key);
  }
  upsertUser(input: { username: string; email?: string | null; admin?: boolean }): UserRecord {
    return this.#users.upsertUser(input);
  }
  addApiKey(userId: number, key: string): void {
    return this.#users.addApiKey(userId, key);
  }
  hasApiKeys(): boolean {
    return this.#users.hasApiKeys();
  }
  apiKeysOf(userId: number): readonly { id: number; hash: string; createdAt: string }[] {
    return this.#users.apiKeysOf(userId);
  }

  // entities, organizations, memberships
  entityById(id: number): EntityRecord | undefined {
    return this.#entities.entityById(id);
  }
  entityByName(name: string): EntityRecord | undefined {
    return this.#entities.entityByName(name);
  }
  createEntity(name: string, type: EntityType, orgId: number | null): EntityRecord {
    return this.#entities.createEntity(name, type, orgId);
  }
  setEntityOrg(entityId: number, orgId: number | null): void {
    return this.#entities.setEntityOrg(entityId, orgId);
  }
  orgById(id: number): OrgRecord | undefined {
    return this.#entities.orgById(id);
  }
  orgByName(name: string): OrgRecord | undefined {
    return this.#entities.orgByName(name);
  }
  createOrg(name: string, entityName: string): OrgRecord {
    return this.#entities.createOrg(name, entityName);
  }
  entitiesOfOrg(orgId: number): readonly EntityRecord[] {
    return this.#entities.entitiesOfOrg(orgId);
  }
  role(entityId: number, userId: number): Role | undefined {
    return this.#entities.role(entityId, userId);
  }
  setRole(entityId: number, userId: number, role: Role): void {
    return this.#entities.setRole(entityId, userId, role);
  }
  memberships(userId: number): readonly { entity: EntityRecord; role: Role }[] {
    return this.#entities.memberships(userId);
  }
  membersOf(entityId: number): readonly { user: UserRecord; role: Role }[] {
    return this.#entities.membersOf(entityId);
  }
  allEntities(): readonly EntityRecord[] {
    return this.#entities.allEntities();
  }

  // projects and collections
  projectById(id: number): ProjectRecord | undefined {
    return this.#projects.projectById(id);
  }
  projectByName(entityId: number, name: string): ProjectRecord | undefined {
    return this.#projects.projectByName(entityId, name);
  }
  listProjects(entityIds: readonly number[], page: PageArgs): Page<ProjectRecord> {
    return this.#projects.listProjects(entityIds, page);
  }
  upsertProject(entityId: number, name: string, description?: string | null): { project: ProjectRecord; inserted: boolean } {
    return this.#projects.upsertProject(entityId, name, description);
  }
  collectionById(id: number): CollectionRecord | undefined {
    return this.#projects.collectionById(id);
  }
  collectionByName(projectId: number, name: string): CollectionRecord | undefined {
    return this.#projects.collectionByName(projectId, name);
  }
  listCollections(projectId: number, page: PageArgs): Page<CollectionRecord> {
    return this.#projects.listCollections(projectId, page);
  }
  ensureCollection(projectId: number, name: string, kind: "sequence" | "portfolio"): CollectionRecord {
    return this.#projects.ensureCollection(projectId, name, kind);
  }
  addCollectionTags(collectionId: number, add: readonly string[], remove: readonly string[]): void {
    return this.#projects.addCollectionTags(collectionId, add, remove);
  }

  // runs
  upsertRuns(runs: readonly RunUpsert[]): void {
    return this.#runs.upsertRuns(runs);
  }
  runState(projectId: number, runId: string): string | null | undefined {
    return this.#runs.runState(projectId, runId);
  }

  // artifact versions
  upsertVersions(versions: readonly VersionUpsert[]): void {
    return this.#artifacts.upsertVersions(versions);
  }

  // integrations
  integrationById(id: number): IntegrationRecord | undefined {
    return this.#integrations.integrationById(id);
  }
  listIntegrations(entityId: number, page: PageArgs): Page<IntegrationRecord> {
    return this.#integrations.listIntegrations(entityId, page);
  }
  createIntegration(i: Omit<IntegrationRecord, "id" | "createdAt">): IntegrationRecord {
    return this.#integrations.createIntegration(i);
  }
  upsertIntegration(i: Omit<IntegrationRecord, "id" | "createdAt">): IntegrationRecord {
    return this.#integrations.upsertIntegration(i);
  }
  deleteIntegration(id: number): boolean {
    return this.#integrations.deleteIntegration(id);
  }

  // secrets
  listSecrets(entityId: number): readonly SecretRecord[] {
    return this.#secrets.listSecrets(entityId);
  }
  secretValues(entityId: number): Record<string, string> {
    return this.#secrets.secretValues(entityId);
  }
  upsertSecret(entityId: number, name: string, value: string): void {
    return this.#secrets.upsertSecret(entityId, name, value);
  }
  deleteSecret(entityId: number, name: string): boolean {
    return this.#secrets.deleteSecret(entityId, name);
  }

  // automations
  triggerById(id: number): TriggerRecord | undefined {
    return this.#triggers.triggerById(id);
  }
  listTriggers(query: TriggerQuery, page: PageArgs): Page<TriggerRecord> {
    return this.#triggers.listTriggers(query, page);
  }
  countTriggers(query: TriggerQuery): number {
    return this.#triggers.countTriggers(query);
  }
  allTriggers(): readonly TriggerRecord[] {
    return this.#triggers.allTriggers();
  }
  triggerVersions(): readonly TriggerVersion[] {
    return this.#triggers.triggerVersions();
  }
  pruneTriggerVersions(batchId: number): void {
    return this.#triggers.pruneTriggerVersions(batchId);
  }
  createTrigger(t: TriggerInput, createdBy: number | null): TriggerRecord {
    return this.#triggers.createTrigger(t, createdBy);
  }
  updateTrigger(id: number, t: TriggerInput): TriggerRecord {
    return this.#triggers.updateTrigger(id, t);
  }
  deleteTrigger(id: number): boolean {
    return this.#triggers.deleteTrigger(id);
  }
  onTriggersChanged(listener: () => void): () => void {
    return this.#triggers.onTriggersChanged(listener);
  }
  catalogVersion(): number {
    return this.#triggers.catalogVersion();
  }

  // event log and engine snapshot
  lastBatchId(): number {
    return this.#events.lastBatchId();
  }
  lastEventSeq(): number {
    return this.#events.lastEventSeq();
  }
  appendBatch(b: Omit<EventBatchRecord, "id">): number {
    return this.#events.appendBatch(b);
  }
  batchesAfter(afterId: number): IterableIterator<EventBatchRecord> {
    return this.#events.batchesAfter(afterId);
  }
  batchById(id: number): EventBatchRecord | undefined {
    return this.#events.batchById(id);
  }
  eventCount(): number {
    return this.#events.eventCount();
  }
  snapshot(): SnapshotRecord | undefined {
    return this.#events.snapshot();
  }
  saveSnapshot(s: SnapshotRecord): void {
    return this.#events.saveSnapshot(s);
  }

  // ingestion idempotency keys
  ingestKey(userId: number, key: string): string | undefined {
    return this.#ingestKeys.ingestKey(userId, key);
  }
  saveIngestKey(userId: number, key: string, batchId: number, result: string, at: number): void {
    return this.#ingestKeys.saveIngestKey(userId, key, batchId, result, at);
  }
  pruneIngestKeys(before: number): number {
    return this.#ingestKeys.pruneIngestKeys(before);
  }

  // executions and attempts
  insertExecutions(list: readonly NewExecution[]): number[] {
    return this.#executions.insertExecutions(list);
  }
  executionById(id: number): ExecutionRecord | undefined {
    return this.#executions.executionById(id);
  }
  pendingExecutions(): readonly { id: number; nextAttemptAt: number }[] {
    return this.#executions.pendingExecutions();
  }
  listExecutions(query: ExecutionQuery, page: PageArgs): Page<ExecutionRecord> & { totalCount: number } {
    return this.#executions.listExecutions(query, page);
  }
  attempts(executionId: number): readonly AttemptRecord[] {
    return this.#executions.attempts(executionId);
  }
  executionHistory(query: HistoryQuery): readonly ExecutionRecord[] {
    return this.#executions.executionHistory(query);
  }
  lastExecutedAt(triggerId: number): string | null {
    return this.#executions.lastExecutedAt(triggerId);
  }
  recordAttempts(updates: readonly AttemptUpdate[], settles: readonly ExecutionSettle[] = []): void {
    return this.#executions.recordAttempts(updates, settles);
  }
  markDispatched(marks: readonly { readonly executionId: number; readonly attempt: number }[]): void {
    return this.#executions.markDispatched(marks);
  }
}

/**
 * Opens (creating if needed) a SQLite store at `path` and applies pending migrations.
 * @example const store = openStore(".tripwire/local.db");
 */
export function openStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}
