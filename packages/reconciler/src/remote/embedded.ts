import { mkdirSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { createAdmin, execute, LOCAL_ADMIN, openStore } from "@tripwire/server/embedded";
import { integrationName, type EmbeddedIntegration, type TripwireConfig } from "../model/config.js";
import type { Prerequisite } from "../model/plan.js";
import type { Backend, EmbeddedAdmin } from "../model/backend.js";
import { WandbClient } from "./client.js";
import type { GraphQLResponse, Transport } from "../model/transport.js";

/** The user the embedded default acts as: an instance admin of the local database (the first-start key's user). */
export const LOCAL_USER = LOCAL_ADMIN;
/** Where the embedded default keeps its database, relative to the config file (or the working directory without one). */
export const DEFAULT_DB = ".tripwire/local.db";

/**
 * The embedded default: the server's GraphQL schema executed in-process on a local SQLite file — the same documents
 * as against W&B, no HTTP, no account. Creating scopes, integrations and secrets is what only it can do.
 */
export function embeddedBackend(cwd: string, config: TripwireConfig, configDir: string = cwd): Backend & { readonly admin: EmbeddedAdmin } {
  // Relative to the config file, like every other path in it: the same database wherever the command is typed.
  const path = resolve(cwd, configDir, config.embedded?.db ?? DEFAULT_DB);
  mkdirSync(dirname(path), { recursive: true });
  const store = openStore(path);
  // The local admin owns what it creates: `tripwire server`'s first-start key is this user's.
  const server = createAdmin(store, { owner: LOCAL_USER });
  let count = 0;
  const url = `file:${relative(cwd, path) || path}`;
  const transport: Transport = {
    url,
    get requestCount() {
      return count;
    },
    async request<T>(request: { query: string; variables?: Record<string, unknown> }): Promise<GraphQLResponse<T>> {
      count++;
      const r = await execute(store, request, { user: LOCAL_USER });
      const body = r.body as { data?: T | null; errors?: NonNullable<GraphQLResponse<T>["errors"]> };
      return { status: r.status, ...(body.data !== undefined ? { data: body.data } : {}), ...(body.errors ? { errors: body.errors } : {}) };
    },
    async close() {
      store.close();
    },
  };
  // A Slack channel is declared with or without its "#"; the database holds it without.
  const declared = (i: EmbeddedIntegration): EmbeddedIntegration => (i.kind === "slack" ? { ...i, channelName: integrationName(i) } : i);
  const admin: EmbeddedAdmin = {
    async ensureEntity(name: string, type: "team" | "organization") {
      server.ensureEntity(name, type);
    },
    async ensureProject(entity: string, project: string) {
      server.ensureProject(entity, project);
    },
    async ensureCollection(entity: string, project: string, collection: string) {
      server.ensureCollection(entity, project, collection);
    },
    async ensureIntegration(i: EmbeddedIntegration) {
      server.ensureIntegration(declared(i));
    },
    async ensureSecret(entity: string, name: string, value: string) {
      server.ensureSecret(entity, name, value);
    },
    // Values are compared in-process and never shown.
    outOfSync(): Prerequisite[] {
      const out: Prerequisite[] = [];
      for (const { entity, name, value } of config.embedded?.secrets ?? []) {
        if (!server.secretInSync(entity, name, value)) out.push({ kind: "secret", entity, name });
      }
      for (const i of config.embedded?.integrations ?? []) {
        if (!server.integrationInSync(declared(i))) out.push({ kind: i.kind, entity: i.entity, name: integrationName(i) });
      }
      return out;
    },
  };
  return { kind: "embedded", url, client: new WandbClient(transport), admin, close: () => transport.close() };
}
