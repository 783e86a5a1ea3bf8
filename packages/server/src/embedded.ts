/**
 * `@tripwire/server/embedded`: the SQLite store, the GraphQL executor and the admin API (`createAdmin`) alone, which
 * the `tripwire` CLI runs in-process as its embedded default — without the HTTP server, ingestion, the runtime and delivery (undici), which
 * `@tripwire/server` also loads.
 * @example
 * import { openStore, ensureUser, execute } from "@tripwire/server/embedded";
 * const store = openStore(".tripwire/local.db");
 * ensureUser(store, "local", { admin: true });
 * const r = await execute(store, { query: "{ viewer { username } }" }, { user: "local" });
 * createAdmin(store, { owner: "local" }).ensureEntity("acme", "team");
 */
export { openStore, type SqliteStoreOptions } from "./store/sqlite.js";
export type { Store } from "./store/types.js";
export { execute, prepareExecution, type ExecuteOptions, type GraphQLRequest, type GraphQLResponse } from "./graphql/execute.js";
export { ensureUser, ensureOrg, ensureTeam, ensureProject, ensureCollection } from "./seed.js";
export { LOCAL_ADMIN } from "./localkey.js";
export { createAdmin, type Admin, type AdminOptions } from "./admin.js";
