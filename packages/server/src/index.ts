/**
 * `@tripwire/server`: a local W&B-compatible automations backend — the GraphQL subset of W&B's automation API,
 * a SQLite store, event ingestion, an evaluator-driven runtime with a durable outbox, webhook and Slack delivery
 * and execution history. The same schema runs in-process (the reconciler's embedded default) or over HTTP.
 *
 * @example
 * // In-process, no HTTP: the reconciler's embedded default.
 * import { openStore, ensureUser, ensureTeam, ensureProject, execute } from "@tripwire/server";
 * const store = openStore(".tripwire/local.db");
 * ensureUser(store, "local", { admin: true });
 * ensureTeam(store, "acme");
 * ensureProject(store, "acme", "llm");
 * const { status, body } = await execute(store, { query: "{ project(name: \"llm\", entityName: \"acme\") { id } }" }, { user: "local" });
 *
 * @example
 * // Over HTTP, for tests.
 * import { startServer } from "@tripwire/server";
 * const server = await startServer({ db: "/tmp/t.db", port: 0, seed: { users: [{ username: "alice", apiKeys: ["alice-key-123"] }] } });
 * await fetch(`${server.url}/graphql`, { method: "POST", headers: { Authorization: `Basic ${btoa("api:alice-key-123")}` }, body: JSON.stringify({ query: "{ viewer { username } }" }) });
 * await server.close();
 */
export { openStore, SqliteStore, type Durability, type SqliteStoreOptions } from "./store/sqlite.js";
export type {
  AttemptRecord,
  CollectionRecord,
  EntityRecord,
  EntityType,
  ExecutionRecord,
  ExecutionState,
  IntegrationRecord,
  OrgRecord,
  ProjectRecord,
  Role,
  ScopeType,
  SecretRecord,
  Store,
  TriggerRecord,
  UserRecord,
} from "./store/types.js";
export { MIGRATIONS, type Migration } from "./store/migrations.js";
export { createSchema, SERVER_FEATURES, type SchemaOptions } from "./graphql/schema.js";
export { AUTOMATION_FEATURES, COMPAT_PRESETS, parseFeatures, type AutomationFeature } from "./graphql/features.js";
export { SDL } from "./graphql/sdl.js";
export { execute, type ExecuteOptions, type GraphQLRequest, type GraphQLResponse } from "./graphql/execute.js";
export {
  seedStore,
  SeedSchema,
  SeedError,
  ensureUser,
  ensureOrg,
  ensureTeam,
  ensureProject,
  ensureRegistry,
  ensureCollection,
  ensureIntegration,
  findOrg,
  type Seed,
} from "./seed.js";
export { createAdmin, type Admin, type AdminOptions } from "./admin.js";
export { startServer, readSeedFile, type ServerOptions, type RunningServer } from "./server.js";
export { runServerCli, type ServerCliIo } from "./cli.js";
export {
  answerHistory,
  readHistory,
  reReadHistory,
  webhookBody,
  HISTORY_STATUSES,
  type HistoryAnswer,
  type HistoryEntry,
  type HistoryFilter,
  type HistoryStatus,
} from "./history.js";
export { ensureLocalKey, localKeyPath, LOCAL_ADMIN, type LocalKey } from "./localkey.js";
export { Access } from "./access.js";
export { UI_CSP, UI_COOKIE, type RenderDefinition } from "./ui.js";
export { Runtime, type RuntimeOptions, type IngestResult } from "./runtime/runtime.js";
export { Dispatcher, retryAfterMs, type DeliveryOptions } from "./runtime/dispatcher.js";
export { parseBody, type BodyIssue, type ParsedBody } from "./ingest/parse.js";
export { toGlobalId, fromGlobalId, type IdType } from "./ids.js";
export { ERROR_STATUS, type ErrorCode } from "./errors.js";
export { jsonLogger, silentLogger, type Logger, type LogLevel } from "./log.js";
export { SERVER_CODES, type ServerCode } from "./codes.js";
