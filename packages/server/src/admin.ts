import type { IntegrationSeed } from "@tripwire/sdk/seed";
import { ensureCollection, ensureIntegration, ensureOrg, ensureProject, ensureTeam, ensureUser } from "./seed.js";
import type { EntityRecord, Store } from "./store/types.js";

/**
 * What only the owner of a local database can do, by name: create teams and organizations, projects, collections,
 * integrations and secrets, and tell whether declared integrations and secrets are in the database as declared.
 * Every `ensure` is idempotent. It speaks in names and declarations (the seed file's shapes), never in rows, so a
 * caller — the reconciler's embedded default — depends on no store field.
 */
export interface Admin {
  /** Creates the team or organization if missing; the owner is made its admin. */
  ensureEntity(name: string, type: "team" | "organization"): void;
  /** Creates the project in an existing entity if missing. */
  ensureProject(entity: string, project: string): void;
  /** Creates the collection (and its project) if missing: a registry's collections are portfolios, others sequences. */
  ensureCollection(entity: string, project: string, collection: string): void;
  /** Creates the integration, or updates the one of its kind with the same name (webhook) or channel (Slack). */
  ensureIntegration(integration: IntegrationSeed): void;
  /** Sets a team secret's value (values are never read back through this API). */
  ensureSecret(entity: string, name: string, value: string): void;
  /** Whether the integration exists exactly as declared (same URL, secret names, Slack team, timeout). */
  integrationInSync(integration: IntegrationSeed): boolean;
  /** Whether the secret exists with this value; the value is compared in-process and never returned. */
  secretInSync(entity: string, name: string, value: string): boolean;
}

export interface AdminOptions {
  /**
   * The user who owns what the API creates: created as an instance admin if missing, and made admin of every team
   * and organization `ensureEntity` creates (the embedded default passes `LOCAL_ADMIN`, whose key `tripwire server` uses).
   */
  readonly owner?: string;
}

/**
 * The admin API over a store.
 * @example
 * const admin = createAdmin(openStore(".tripwire/local.db"), { owner: LOCAL_ADMIN });
 * admin.ensureEntity("acme", "team");
 * admin.ensureIntegration({ kind: "webhook", entity: "acme", name: "deploy", url: "https://ci.acme.dev/hook" });
 */
export function createAdmin(store: Store, options: AdminOptions = {}): Admin {
  const owner = options.owner === undefined ? undefined : ensureUser(store, options.owner, { admin: true });
  const entityOf = (name: string): EntityRecord => {
    const e = store.entityByName(name);
    if (!e) throw new Error(`entity ${name} does not exist in the local database`);
    return e;
  };
  return {
    ensureEntity(name, type) {
      const id = type === "organization" ? ensureOrg(store, name).entityId : ensureTeam(store, name).id;
      if (owner && store.role(id, owner.id) === undefined) store.setRole(id, owner.id, "admin");
    },
    ensureProject(entity, project) {
      ensureProject(store, entity, project);
    },
    ensureCollection(entity, project, collection) {
      ensureCollection(store, ensureProject(store, entity, project), collection);
    },
    ensureIntegration(integration) {
      ensureIntegration(store, entityOf(integration.entity), integration);
    },
    ensureSecret(entity, name, value) {
      store.upsertSecret(entityOf(entity).id, name, value);
    },
    integrationInSync(i) {
      const e = store.entityByName(i.entity);
      if (!e) return false;
      const name = i.kind === "slack" ? i.channelName : i.name;
      const existing = store
        .listIntegrations(e.id, { after: 0, limit: 10_000 })
        .items.find((r) => r.kind === i.kind && (r.kind === "slack" ? r.channelName : r.name) === name);
      if (!existing) return false;
      if (i.kind === "slack") return existing.url === i.webhookUrl && existing.teamName === (i.teamName ?? null);
      return existing.url === i.url && existing.secretRef === (i.secret ?? null) && existing.accessTokenRef === (i.accessToken ?? null) && existing.timeoutMs === (i.timeoutMs ?? null);
    },
    secretInSync(entity, name, value) {
      const e = store.entityByName(entity);
      return (e ? store.secretValues(e.id)[name] : undefined) === value;
    },
  };
}
