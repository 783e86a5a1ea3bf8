import { mkdirSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import {
  ensureCollection,
  ensureOrg,
  ensureProject,
  ensureTeam,
  ensureUser,
  execute,
  LOCAL_ADMIN,
  openStore,
  type Store,
} from "@tripwire/server/embedded";
import { integrationName, type EmbeddedIntegration, type TripwireConfig } from "../model/config.js";
import type { Prerequisite } from "../model/plan.js";
import type { Backend, EmbeddedAdmin } from "../model/backend.js";
import { WandbClient } from "./client.js";
import type { GraphQLResponse, Transport } from "../model/transport.js";

/** The user the embedded default acts as: an instance admin of the local database (the first-start key's user). */
export const LOCAL_USER = LOCAL_ADMIN;
/** Where the embedded default keeps its database, relative to the config file (or the working directory without one). */
export const DEFAULT_DB = ".tripwire/local.db";

function entityOf(store: Store, name: string) {
  const e = store.entityByName(name);
  if (!e) throw new Error(`entity ${name} does not exist in the local database`);
  return e;
}

/**
 * The embedded default: the server's GraphQL schema executed in-process on a local SQLite file — the same documents
 * as against W&B, no HTTP, no account. Creating scopes, integrations and secrets is what only it can do.
 */
export function embeddedBackend(cwd: string, config: TripwireConfig, configDir: string = cwd): Backend & { readonly admin: EmbeddedAdmin } {
  // Relative to the config file, like every other path in it: the same database wherever the command is typed.
  const path = resolve(cwd, configDir, config.embedded?.db ?? DEFAULT_DB);
  mkdirSync(dirname(path), { recursive: true });
  const store = openStore(path);
  const local = ensureUser(store, LOCAL_USER, { admin: true });
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
  const integrationMatches = (i: EmbeddedIntegration) => {
    const e = store.entityByName(i.entity);
    if (!e) return false;
    const existing = store
      .listIntegrations(e.id, { after: 0, limit: 10_000 })
      .items.find((r) => r.kind === i.kind && (r.kind === "slack" ? r.channelName : r.name) === integrationName(i));
    if (!existing) return false;
    if (i.kind === "slack") return existing.url === i.webhookUrl && existing.teamName === (i.teamName ?? null);
    return existing.url === i.url && existing.secretRef === (i.secret ?? null) && existing.accessTokenRef === (i.accessToken ?? null) && existing.timeoutMs === (i.timeoutMs ?? null);
  };
  const admin: EmbeddedAdmin = {
    async ensureEntity(name: string, type: "team" | "organization") {
      // The local admin owns what it creates: `tripwire server`'s first-start key is this user's.
      const id = type === "organization" ? ensureOrg(store, name).entityId : ensureTeam(store, name).id;
      if (store.role(id, local.id) === undefined) store.setRole(id, local.id, "admin");
    },
    async ensureProject(entity: string, project: string) {
      ensureProject(store, entity, project);
    },
    async ensureCollection(entity: string, project: string, collection: string) {
      ensureCollection(store, ensureProject(store, entity, project), collection);
    },
    async ensureIntegration(i: EmbeddedIntegration) {
      const e = entityOf(store, i.entity);
      store.upsertIntegration(
        i.kind === "slack"
          ? { entityId: e.id, kind: "slack", name: null, url: i.webhookUrl, secretRef: null, accessTokenRef: null, teamName: i.teamName ?? null, channelName: integrationName(i), timeoutMs: null }
          : { entityId: e.id, kind: "webhook", name: i.name, url: i.url, secretRef: i.secret ?? null, accessTokenRef: i.accessToken ?? null, teamName: null, channelName: null, timeoutMs: i.timeoutMs ?? null },
      );
    },
    async ensureSecret(entity: string, name: string, value: string) {
      store.upsertSecret(entityOf(store, entity).id, name, value);
    },
    // Values are compared in-process and never shown.
    outOfSync(): Prerequisite[] {
      const out: Prerequisite[] = [];
      for (const { entity, name, value } of config.embedded?.secrets ?? []) {
        const e = store.entityByName(entity);
        if ((e ? store.secretValues(e.id)[name] : undefined) !== value) out.push({ kind: "secret", entity, name });
      }
      for (const i of config.embedded?.integrations ?? []) {
        if (!integrationMatches(i)) out.push({ kind: i.kind, entity: i.entity, name: integrationName(i) });
      }
      return out;
    },
  };
  return { kind: "embedded", url, client: new WandbClient(transport), admin, close: () => transport.close() };
}
