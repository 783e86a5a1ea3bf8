import * as z from "zod";
import { REGISTRY_PREFIX } from "@tripwire/sdk";
import { IntegrationSeedSchema, SecretSeedSchema, type IntegrationSeed } from "@tripwire/sdk/seed";
import type { CollectionRecord, EntityRecord, IntegrationRecord, OrgRecord, ProjectRecord, Store, UserRecord } from "./store/types.js";

const names = z.array(z.string().min(1)).default([]);

/**
 * The seed file (`--seed FILE`): users and their API keys, organizations and teams with their members,
 * projects, registries and collections, team secrets and integrations. Seeding is idempotent: running
 * the same seed again on an existing database changes nothing, so the server can be started with it every time.
 */
export const SeedSchema = z
  .object({
    users: z
      .array(
        z
          .object({
            username: z.string().min(1),
            email: z.string().optional(),
            /** Instance admin: sees and manages every entity. */
            admin: z.boolean().optional(),
            apiKeys: z.array(z.string().min(8)).default([]),
          })
          .strict(),
      )
      .default([]),
    orgs: z
      .array(
        z
          .object({
            name: z.string().min(1),
            /** The organization's entity (holds registries and org-scoped automations); defaults to `name`. */
            entity: z.string().min(1).optional(),
            admins: names,
            members: names,
          })
          .strict(),
      )
      .default([]),
    teams: z
      .array(z.object({ name: z.string().min(1), org: z.string().optional(), admins: names, members: names }).strict())
      .default([]),
    projects: z
      .array(
        z
          .object({ entity: z.string().min(1), name: z.string().min(1), description: z.string().optional(), collections: names })
          .strict(),
      )
      .default([]),
    registries: z
      .array(z.object({ org: z.string().min(1), name: z.string().min(1), collections: names }).strict())
      .default([]),
    secrets: z.array(SecretSeedSchema).default([]),
    integrations: z.array(IntegrationSeedSchema).default([]),
  })
  .strict();

/** A seed file's content (see the README for an example). */
export type Seed = z.input<typeof SeedSchema>;

/** What a seed could not apply, with the path into the seed. */
export class SeedError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[] = [],
  ) {
    super(path.length > 0 ? `${path.join(".")}: ${message}` : message);
  }
}

/** Creates the user if missing (and their personal entity when that name is free). */
export function ensureUser(store: Store, username: string, options: { admin?: boolean; email?: string | null } = {}): UserRecord {
  const u = store.upsertUser({ username, ...(options.admin !== undefined ? { admin: options.admin } : {}), ...(options.email !== undefined ? { email: options.email } : {}) });
  if (!store.entityByName(username)) {
    const personal = store.createEntity(username, "personal", null);
    store.setRole(personal.id, u.id, "admin");
  }
  return u;
}

/** Creates the organization (and its entity) if missing. */
export function ensureOrg(store: Store, name: string, entityName: string = name): OrgRecord {
  const existing = store.orgByName(name);
  if (existing) return existing;
  const e = store.entityByName(entityName);
  if (e && e.type !== "organization") throw new SeedError(`entity "${entityName}" exists and is a ${e.type}, not an organization`);
  return store.createOrg(name, entityName);
}

/** Creates the team entity if missing, in `org` when given (by organization name or organization entity name). */
export function ensureTeam(store: Store, name: string, org?: string): EntityRecord {
  const o = org === undefined ? undefined : findOrg(store, org);
  if (org !== undefined && !o) throw new SeedError(`organization "${org}" does not exist`);
  const existing = store.entityByName(name);
  if (existing) {
    if (existing.type !== "team") throw new SeedError(`entity "${name}" exists and is a ${existing.type}, not a team`);
    if (o && existing.orgId !== o.id) store.setEntityOrg(existing.id, o.id);
    return store.entityById(existing.id) as EntityRecord;
  }
  return store.createEntity(name, "team", o?.id ?? null);
}

/** An organization by its name or by its entity's name. */
export function findOrg(store: Store, nameOrEntity: string): OrgRecord | undefined {
  const byName = store.orgByName(nameOrEntity);
  if (byName) return byName;
  const e = store.entityByName(nameOrEntity);
  return e?.type === "organization" && e.orgId !== null ? store.orgById(e.orgId) : undefined;
}

/** Creates the project in an existing entity if missing. */
export function ensureProject(store: Store, entityName: string, project: string, description?: string): ProjectRecord {
  const e = store.entityByName(entityName);
  if (!e) throw new SeedError(`entity "${entityName}" does not exist`);
  return store.upsertProject(e.id, project, description).project;
}

/** Creates the registry (project `wandb-registry-<name>` of the organization's entity) if missing. */
export function ensureRegistry(store: Store, org: string, registry: string): ProjectRecord {
  const o = findOrg(store, org);
  const entity = o ? store.entityById(o.entityId) : store.entityByName(org);
  if (!entity) throw new SeedError(`organization "${org}" does not exist`);
  return store.upsertProject(entity.id, `${REGISTRY_PREFIX}${registry}`).project;
}

/** Creates a collection in a project or registry if missing: registry collections are portfolios (link-only). */
export function ensureCollection(store: Store, project: ProjectRecord, name: string): CollectionRecord {
  return store.ensureCollection(project.id, name, project.name.startsWith(REGISTRY_PREFIX) ? "portfolio" : "sequence");
}

/**
 * Creates the integration in `entity`, or updates the one of its kind with the same name (webhook) or channel (Slack)
 * to the declaration: URL, signing and access-token secret names, Slack team, timeout.
 */
export function ensureIntegration(store: Store, entity: EntityRecord, i: IntegrationSeed): IntegrationRecord {
  return store.upsertIntegration(
    i.kind === "slack"
      ? { entityId: entity.id, kind: "slack", name: null, url: i.webhookUrl, secretRef: null, accessTokenRef: null, teamName: i.teamName ?? null, channelName: i.channelName, timeoutMs: null }
      : {
          entityId: entity.id,
          kind: "webhook",
          name: i.name,
          url: i.url,
          secretRef: i.secret ?? null,
          accessTokenRef: i.accessToken ?? null,
          teamName: null,
          channelName: null,
          timeoutMs: i.timeoutMs ?? null,
        },
  );
}

function userNamed(store: Store, username: string, path: (string | number)[]): UserRecord {
  const u = store.userByName(username);
  if (!u) throw new SeedError(`user "${username}" is not listed in users`, path);
  return u;
}

/**
 * Applies a seed to the store in one transaction; throws {@link SeedError} (nothing applied) when it is invalid.
 * @example seedStore(store, { users: [{ username: "alice", apiKeys: ["alice-key-123"] }], teams: [{ name: "ml", admins: ["alice"] }] });
 */
export function seedStore(store: Store, seed: Seed): void {
  const parsed = SeedSchema.safeParse(seed);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new SeedError(i?.message ?? "invalid seed", (i?.path ?? []).map((p) => (typeof p === "symbol" ? String(p) : p)));
  }
  const s = parsed.data;
  store.transaction(() => {
    s.users.forEach((u) => {
      const rec = ensureUser(store, u.username, { ...(u.admin !== undefined ? { admin: u.admin } : {}), ...(u.email !== undefined ? { email: u.email } : {}) });
      for (const key of u.apiKeys) store.addApiKey(rec.id, key);
    });
    s.orgs.forEach((o, i) => {
      let org: OrgRecord;
      try {
        org = ensureOrg(store, o.name, o.entity ?? o.name);
      } catch (e) {
        throw new SeedError((e as Error).message, ["orgs", i]);
      }
      for (const name of o.members) store.setRole(org.entityId, userNamed(store, name, ["orgs", i, "members"]).id, "member");
      for (const name of o.admins) store.setRole(org.entityId, userNamed(store, name, ["orgs", i, "admins"]).id, "admin");
    });
    s.teams.forEach((t, i) => {
      let team: EntityRecord;
      try {
        team = ensureTeam(store, t.name, t.org);
      } catch (e) {
        throw new SeedError((e as Error).message, ["teams", i]);
      }
      for (const name of t.members) store.setRole(team.id, userNamed(store, name, ["teams", i, "members"]).id, "member");
      for (const name of t.admins) store.setRole(team.id, userNamed(store, name, ["teams", i, "admins"]).id, "admin");
    });
    s.projects.forEach((p, i) => {
      try {
        const project = ensureProject(store, p.entity, p.name, p.description);
        for (const c of p.collections) ensureCollection(store, project, c);
      } catch (e) {
        throw new SeedError((e as Error).message, ["projects", i]);
      }
    });
    s.registries.forEach((r, i) => {
      try {
        const project = ensureRegistry(store, r.org, r.name);
        for (const c of r.collections) ensureCollection(store, project, c);
      } catch (e) {
        throw new SeedError((e as Error).message, ["registries", i]);
      }
    });
    s.secrets.forEach((sec, i) => {
      const e = store.entityByName(sec.entity);
      if (!e) throw new SeedError(`entity "${sec.entity}" does not exist`, ["secrets", i]);
      store.upsertSecret(e.id, sec.name, sec.value);
    });
    s.integrations.forEach((x, i) => {
      const e = store.entityByName(x.entity);
      if (!e) throw new SeedError(`entity "${x.entity}" does not exist`, ["integrations", i]);
      ensureIntegration(store, e, x);
    });
  });
}
