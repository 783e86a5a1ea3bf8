/**
 * The server's storage interface. SQLite (better-sqlite3) implements it today; every method is
 * synchronous because better-sqlite3 is, and every multi-row write is one call so an implementation can
 * make it one transaction. See the README ("Store") for what a PostgreSQL implementation has to provide.
 */

export type EntityType = "team" | "organization" | "personal";
export type Role = "member" | "admin";
export type ScopeType = "PROJECT" | "ARTIFACT_COLLECTION" | "ENTITY";
export type ExecutionState = "PENDING" | "FINISHED" | "FAILED" | "SKIPPED";

export interface UserRecord {
  readonly id: number;
  readonly username: string;
  readonly email: string | null;
  /** Instance admin: sees and manages everything. */
  readonly admin: boolean;
  readonly createdAt: string;
}

export interface EntityRecord {
  readonly id: number;
  readonly name: string;
  readonly type: EntityType;
  /** The organization a team belongs to (an organization's own entity points at its organization). */
  readonly orgId: number | null;
  readonly createdAt: string;
}

export interface OrgRecord {
  readonly id: number;
  readonly name: string;
  /** The organization's entity: registries are its projects, org-scoped automations its triggers. */
  readonly entityId: number;
  readonly createdAt: string;
}

export interface ProjectRecord {
  readonly id: number;
  readonly entityId: number;
  readonly entityName: string;
  readonly name: string;
  readonly description: string | null;
  readonly createdAt: string;
}

export interface CollectionRecord {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  /** `sequence`: a project's own collection (W&B `ArtifactSequence`); `portfolio`: link-only (`ArtifactPortfolio`). */
  readonly kind: "sequence" | "portfolio";
  readonly createdAt: string;
}

export interface IntegrationRecord {
  readonly id: number;
  readonly entityId: number;
  readonly kind: "slack" | "webhook";
  /** Webhook name (Slack integrations have none). */
  readonly name: string | null;
  /** Webhook endpoint, or the Slack incoming-webhook URL. */
  readonly url: string;
  readonly secretRef: string | null;
  readonly accessTokenRef: string | null;
  readonly teamName: string | null;
  readonly channelName: string | null;
  readonly timeoutMs: number | null;
  readonly createdAt: string;
}

/** A team secret as queries see it: never its value. */
export interface SecretRecord {
  readonly entityId: number;
  readonly name: string;
  readonly createdAt: string;
}

export interface TriggerInput {
  readonly name: string;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly scopeType: ScopeType;
  readonly scopeId: number;
  /** The entity owning the scope (the project's or collection's entity, or the scope entity itself). */
  readonly entityId: number;
  /** The project holding the scope (the project itself, or a collection's project); null for entity scopes. */
  readonly projectId: number | null;
  readonly eventType: string;
  /** The saved filter JSON text (artifact filters wrapped in `{"filter": …}`, spec §B.1). */
  readonly eventFilter: string;
  readonly actionType: string;
  /** The `triggeredActionConfig` member for `actionType`, as JSON text. */
  readonly actionConfig: string;
  readonly integrationId: number | null;
}

export interface TriggerRecord extends TriggerInput {
  readonly id: number;
  readonly createdBy: number | null;
  readonly createdAt: string;
  readonly updatedAt: string | null;
  /** The last event batch committed before this definition took effect: it applies to later batches. */
  readonly effectiveBatch: number;
}

export interface TriggerVersion {
  readonly seq: number;
  readonly triggerId: number;
  readonly effectiveBatch: number;
  /** The definition from this version on; `null` when the automation was deleted. */
  readonly record: TriggerRecord | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly hasNextPage: boolean;
}

export interface PageArgs {
  /** Row ID after which the page starts (0 = from the beginning). */
  readonly after: number;
  readonly limit: number;
}

export interface TriggerQuery {
  readonly entityIds?: readonly number[];
  readonly projectId?: number;
  readonly name?: string;
}

export interface EventBatchRecord {
  readonly id: number;
  readonly firstSeq: number;
  readonly count: number;
  readonly userId: number | null;
  readonly receivedAt: string;
  readonly body: string;
}

export interface SnapshotRecord {
  readonly batchId: number;
  readonly takenAt: string;
  readonly state: string;
}

export interface NewExecution {
  /** Idempotency key, sent with every delivery attempt. */
  readonly key: string;
  readonly triggerId: number;
  readonly triggerName: string;
  readonly entityId: number;
  readonly projectId: number | null;
  readonly collectionId: number | null;
  readonly scopeType: ScopeType;
  readonly scopeId: number;
  readonly batchId: number;
  readonly eventType: string;
  readonly actionType: string;
  /** The action as it was when the automation fired: `{ integrationId, config }` JSON. */
  readonly action: string;
  /** The evaluator's firing, JSON. */
  readonly firing: string;
  readonly state: ExecutionState;
  readonly nextAttemptAt: number | null;
  readonly error: string | null;
}

export interface ExecutionRecord extends NewExecution {
  readonly id: number;
  readonly attempts: number;
  /**
   * Attempts started, marked before each is sent (absent: as many as `attempts`). More than `attempts` means an
   * attempt went out and its result was never recorded: the server stopped meanwhile.
   */
  readonly dispatched?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly statusCode: number | null;
  readonly response: string | null;
}

export interface AttemptRecord {
  readonly executionId: number;
  readonly attempt: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly outcome: "success" | "retry" | "failed";
  readonly error: string | null;
  readonly response: string | null;
  readonly retryInMs: number | null;
  /** The body posted, kept for Slack messages (a webhook's body is re-rendered with its secrets masked instead). */
  readonly request?: string | null;
}

/** One delivery attempt's result and the execution state it leads to. */
export interface AttemptUpdate extends AttemptRecord {
  readonly state: ExecutionState;
  readonly nextAttemptAt: number | null;
}

/** A terminal state set without an attempt (skipped: the integration or automation is gone). */
export interface ExecutionSettle {
  readonly executionId: number;
  readonly state: ExecutionState;
  readonly error: string | null;
}

export interface ExecutionQuery {
  readonly triggerId?: number;
  readonly projectId?: number;
  readonly collectionId?: number;
  readonly entityIds?: readonly number[];
  readonly state?: ExecutionState;
  /** Only executions of automations scoped exactly here. */
  readonly scope?: { readonly type: ScopeType; readonly id: number };
}

/** What `tripwire history` asks for: names as users write them, not IDs. */
export interface HistoryQuery {
  readonly entityIds: readonly number[];
  /** The automation's name when it fired. */
  readonly triggerName?: string;
  /** A run's ID or display name. */
  readonly run?: string;
  readonly state?: ExecutionState;
  /** Fired at or after this ISO timestamp. */
  readonly since?: string;
  /** Only rows after this execution ID (following). */
  readonly afterId?: number;
  /** The newest this many matching rows (they come back oldest first). */
  readonly limit: number;
}

export interface RunUpsert {
  readonly projectId: number;
  readonly runId: string;
  readonly name: string | null;
  readonly username: string | null;
  readonly state: string | null;
  readonly at: string;
}

export interface VersionUpsert {
  readonly collectionId: number;
  readonly version: number;
  readonly aliases?: readonly string[];
  readonly tags?: readonly string[];
  readonly addAlias?: string;
  readonly addTag?: string;
  readonly removeTag?: string;
  readonly unlink?: boolean;
  readonly at: string;
}

export interface Store {
  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T;
  close(): void;
  /** The schema version after migrations. */
  schemaVersion(): number;

  // users and keys
  userById(id: number): UserRecord | undefined;
  userByName(username: string): UserRecord | undefined;
  userByApiKey(key: string): UserRecord | undefined;
  upsertUser(user: { username: string; email?: string | null; admin?: boolean }): UserRecord;
  addApiKey(userId: number, key: string): void;
  /** Whether any user holds an API key (a server on a database without any creates the first-start key). */
  hasApiKeys(): boolean;

  // entities, organizations, membership
  entityById(id: number): EntityRecord | undefined;
  entityByName(name: string): EntityRecord | undefined;
  createEntity(name: string, type: EntityType, orgId: number | null): EntityRecord;
  setEntityOrg(entityId: number, orgId: number | null): void;
  orgById(id: number): OrgRecord | undefined;
  orgByName(name: string): OrgRecord | undefined;
  createOrg(name: string, entityName: string): OrgRecord;
  /** Teams (and the org's entity) belonging to an organization. */
  entitiesOfOrg(orgId: number): readonly EntityRecord[];
  role(entityId: number, userId: number): Role | undefined;
  setRole(entityId: number, userId: number, role: Role): void;
  /** Every entity the user has a role in. */
  memberships(userId: number): readonly { entity: EntityRecord; role: Role }[];
  /** The members of an entity with their roles, in user order. */
  membersOf(entityId: number): readonly { user: UserRecord; role: Role }[];
  /** A user's API keys as stored: their SHA-256 only. */
  apiKeysOf(userId: number): readonly { id: number; hash: string; createdAt: string }[];
  allEntities(): readonly EntityRecord[];

  // projects and collections
  projectById(id: number): ProjectRecord | undefined;
  projectByName(entityId: number, name: string): ProjectRecord | undefined;
  listProjects(entityIds: readonly number[], page: PageArgs): Page<ProjectRecord>;
  upsertProject(entityId: number, name: string, description?: string | null): { project: ProjectRecord; inserted: boolean };
  collectionById(id: number): CollectionRecord | undefined;
  collectionByName(projectId: number, name: string): CollectionRecord | undefined;
  listCollections(projectId: number, page: PageArgs): Page<CollectionRecord>;
  ensureCollection(projectId: number, name: string, kind: "sequence" | "portfolio"): CollectionRecord;
  upsertRuns(runs: readonly RunUpsert[]): void;
  runState(projectId: number, runId: string): string | null | undefined;
  upsertVersions(versions: readonly VersionUpsert[]): void;
  addCollectionTags(collectionId: number, add: readonly string[], remove: readonly string[]): void;

  // integrations and secrets
  integrationById(id: number): IntegrationRecord | undefined;
  listIntegrations(entityId: number, page: PageArgs): Page<IntegrationRecord>;
  createIntegration(input: Omit<IntegrationRecord, "id" | "createdAt">): IntegrationRecord;
  /** Creates or updates the entity's webhook of that name / Slack integration of that channel (seeding). */
  upsertIntegration(input: Omit<IntegrationRecord, "id" | "createdAt">): IntegrationRecord;
  deleteIntegration(id: number): boolean;
  listSecrets(entityId: number): readonly SecretRecord[];
  /** Secret values of an entity, for rendering deliveries only; never exposed by a query. */
  secretValues(entityId: number): Record<string, string>;
  upsertSecret(entityId: number, name: string, value: string): void;
  deleteSecret(entityId: number, name: string): boolean;

  // automations
  triggerById(id: number): TriggerRecord | undefined;
  listTriggers(query: TriggerQuery, page: PageArgs): Page<TriggerRecord>;
  /** How many automations the query matches, over every page. */
  countTriggers(query: TriggerQuery): number;
  allTriggers(): readonly TriggerRecord[];
  /** Throws {@link ConflictError} when the scope already has an automation of that name. */
  createTrigger(input: TriggerInput, createdBy: number | null): TriggerRecord;
  updateTrigger(id: number, input: TriggerInput): TriggerRecord;
  deleteTrigger(id: number): boolean;
  /**
   * The automation change log: every create, update and delete, with the last event batch committed before it
   * (the definition applies to later batches). Replaying events after a crash uses it to run each batch
   * against exactly the automations that were in force for it.
   */
  triggerVersions(): readonly TriggerVersion[];
  /** Drops versions that no replay from a snapshot at `batchId` can need. */
  pruneTriggerVersions(batchId: number): void;
  /** Called after every committed automation change (the runtime reloads its automations). */
  onTriggersChanged(listener: () => void): () => void;
  /**
   * A number that changes whenever any connection (another process on the same file included) has written an
   * automation; one primary-key read, cheap enough before every group commit.
   */
  catalogVersion(): number;

  // event log and engine state
  lastBatchId(): number;
  lastEventSeq(): number;
  appendBatch(batch: Omit<EventBatchRecord, "id">): number;
  /** The answer (JSON) stored for a user's ingestion `Idempotency-Key`, if the key was used. */
  ingestKey(userId: number, key: string): string | undefined;
  /** Stores a keyed batch's answer with the batch (call in the batch's transaction). */
  saveIngestKey(userId: number, key: string, batchId: number, result: string, at: number): void;
  /** Forgets keys stored before `before` (epoch ms); returns how many. */
  pruneIngestKeys(before: number): number;
  /** Batches after `afterId`, in order, lazily. */
  batchesAfter(afterId: number): IterableIterator<EventBatchRecord>;
  /** One batch of the event log by ID (the web page reads those around a firing). */
  batchById(id: number): EventBatchRecord | undefined;
  eventCount(): number;
  snapshot(): SnapshotRecord | undefined;
  saveSnapshot(snapshot: SnapshotRecord): void;

  // executions (outbox and history)
  insertExecutions(executions: readonly NewExecution[]): number[];
  executionById(id: number): ExecutionRecord | undefined;
  pendingExecutions(): readonly { id: number; nextAttemptAt: number }[];
  listExecutions(query: ExecutionQuery, page: PageArgs): Page<ExecutionRecord> & { totalCount: number };
  attempts(executionId: number): readonly AttemptRecord[];
  /** The newest executions matching a history query, oldest first. */
  executionHistory(query: HistoryQuery): readonly ExecutionRecord[];
  lastExecutedAt(triggerId: number): string | null;
  recordAttempts(updates: readonly AttemptUpdate[], settles?: readonly ExecutionSettle[]): void;
  /** Marks attempts as started, before they are sent (one transaction). */
  markDispatched(marks: readonly { readonly executionId: number; readonly attempt: number }[]): void;
}
