import { REGISTRY_PREFIX } from "@tripwire/sdk";
import type { TripwireEvent } from "@tripwire/evaluator";
import { Access } from "../access.js";
import type { EntityRecord, Store, UserRecord } from "../store/types.js";

const ALLOWED_TTL_MS = 5_000;

/** Where an event happened, as rows (for execution history). */
export interface EventPlace {
  readonly entityId: number;
  readonly projectId: number;
  readonly collectionId: number | null;
}

/** An event names an entity the submitting user may not write to (403), or one that does not exist (404). */
export class IngestForbidden extends Error {
  constructor(
    message: string,
    readonly status: 403 | 404 = 403,
  ) {
    super(message);
  }
}

/**
 * Creates what events name on first sight — entities, projects, registries, collections, runs, artifact
 * versions — and checks that the submitter may write there. Rules:
 *
 * - an existing entity takes events from its members and admins (and instance admins);
 * - an unknown entity is created only for an instance admin (the embedded default's local user is one): a team,
 *   or for a registry event an organization (registries live in an organization's entity), with the submitter
 *   as its admin. Anyone else is refused (404): naming an entity first must not make a user its admin.
 *
 * Names already seen are cached: entities, projects and collections are never deleted.
 */
export class Catalog {
  private readonly entities = new Map<string, EntityRecord>();
  private readonly projects = new Map<string, number>();
  private readonly collections = new Map<string, number>();
  private readonly runs = new Set<string>();
  private readonly orgNames = new Map<string, string | undefined>();
  /** Whether a user may write to an entity, by `userId:entityId`, for a few seconds (memberships rarely change). */
  private readonly allowed = new Map<string, number>();

  constructor(private readonly store: Store) {}

  /** Forgets cached rows (after a rolled-back commit, rows it created no longer exist). */
  reset(): void {
    this.entities.clear();
    this.projects.clear();
    this.collections.clear();
    this.runs.clear();
    this.orgNames.clear();
    this.allowed.clear();
  }

  private mayWrite(access: Access, user: UserRecord, entity: EntityRecord): boolean {
    const key = `${user.id}:${entity.id}`;
    const now = Date.now();
    const at = this.allowed.get(key);
    if (at !== undefined && now - at < ALLOWED_TTL_MS) return true;
    if (!access.canSee(entity)) return false;
    if (this.allowed.size > 100_000) this.allowed.clear();
    this.allowed.set(key, now);
    return true;
  }

  /** The organization entity an entity belongs to (for org scopes), cached. */
  orgOf = (entity: string): string | undefined => {
    if (this.orgNames.has(entity)) return this.orgNames.get(entity);
    const e = this.store.entityByName(entity);
    const org = e?.orgId === null || e === undefined ? undefined : this.store.orgById(e.orgId);
    const name = org ? this.store.entityById(org.entityId)?.name : undefined;
    this.orgNames.set(entity, name);
    return name;
  };

  private entity(name: string, registry: boolean, user: UserRecord, access: Access): EntityRecord {
    let e = this.entities.get(name) ?? this.store.entityByName(name);
    if (!e) {
      if (registry) {
        const org = this.store.createOrg(name, name);
        e = this.store.entityById(org.entityId) as EntityRecord;
      } else e = this.store.createEntity(name, "team", null);
      this.store.setRole(e.id, user.id, "admin");
      this.orgNames.delete(name);
    } else if (!this.mayWrite(access, user, e)) {
      throw new IngestForbidden(`user "${user.username}" is not a member of entity "${name}"`);
    }
    this.entities.set(name, e);
    return e;
  }

  private project(entityId: number, name: string): number {
    const key = `${entityId}\u0000${name}`;
    let id = this.projects.get(key);
    if (id === undefined) {
      id = this.store.projectByName(entityId, name)?.id ?? this.store.upsertProject(entityId, name).project.id;
      this.projects.set(key, id);
    }
    return id;
  }

  private collection(projectId: number, name: string, registry: boolean): number {
    const key = `${projectId}\u0000${name}`;
    let id = this.collections.get(key);
    if (id === undefined) {
      id = this.store.ensureCollection(projectId, name, registry ? "portfolio" : "sequence").id;
      this.collections.set(key, id);
    }
    return id;
  }

  /**
   * Checks every event of a batch first (nothing is written when one is refused), then creates what they
   * name and records run states and artifact versions. Returns each event's place, in order.
   * @throws IngestForbidden
   */
  apply(events: readonly TripwireEvent[], user: UserRecord): EventPlace[] {
    const access = new Access(this.store, user);
    // Permission first, for every distinct entity of the batch, so a refused batch leaves no trace.
    const checked = new Set<string>();
    for (const e of events) {
      const names: [string, boolean][] = [[e.entity, "registry" in e && e.registry !== undefined]];
      if (e.type === "artifact.linked" || e.type === "artifact.unlinked") if (e.source?.entity) names.push([e.source.entity, false]);
      for (const [name] of names) {
        if (checked.has(name)) continue;
        const existing = this.entities.get(name) ?? this.store.entityByName(name);
        if (existing && !this.mayWrite(access, user, existing)) throw new IngestForbidden(`user "${user.username}" is not a member of entity "${name}"`);
        if (!existing && !user.admin) {
          throw new IngestForbidden(`entity "${name}" does not exist; events are accepted only for existing entities (create it in the seed, or send as an instance admin)`, 404);
        }
        checked.add(name);
      }
    }
    const at = new Date().toISOString();
    const places: EventPlace[] = [];
    for (const e of events) {
      const registry = "registry" in e && e.registry !== undefined;
      const entity = this.entity(e.entity, registry, user, access);
      if (e.type === "run.metric" || e.type === "run.state") {
        const projectId = this.project(entity.id, e.project);
        const runKey = `${projectId}\u0000${e.run.id}`;
        if (e.type === "run.state" || !this.runs.has(runKey)) {
          this.store.upsertRuns([
            { projectId, runId: e.run.id, name: e.run.name, username: e.run.user, state: e.type === "run.state" ? e.state : null, at },
          ]);
          this.runs.add(runKey);
        }
        places.push({ entityId: entity.id, projectId, collectionId: null });
        continue;
      }
      const projectName = registry ? `${REGISTRY_PREFIX}${e.registry}` : (e.project as string);
      const projectId = this.project(entity.id, projectName);
      const collectionId = this.collection(projectId, e.collection, registry);
      switch (e.type) {
        case "collection.tag_added":
        case "collection.tag_removed":
          this.store.addCollectionTags(collectionId, e.type === "collection.tag_added" ? [e.tag] : [], e.type === "collection.tag_removed" ? [e.tag] : []);
          break;
        default:
          this.store.upsertVersions([
            {
              collectionId,
              version: e.version,
              ...(e.aliases ? { aliases: e.aliases } : {}),
              ...(e.tags ? { tags: e.tags } : {}),
              ...(e.type === "artifact.alias_added" && e.alias !== undefined ? { addAlias: e.alias } : {}),
              ...(e.type === "artifact.tag_added" && e.tag !== undefined ? { addTag: e.tag } : {}),
              ...(e.type === "artifact.tag_removed" && e.tag !== undefined ? { removeTag: e.tag } : {}),
              unlink: e.type === "artifact.unlinked",
              at,
            },
          ]);
          if ((e.type === "artifact.linked" || e.type === "artifact.unlinked") && e.source) {
            const sourceEntity = this.entity(e.source.entity ?? e.entity, false, user, access);
            const sourceProject = this.project(sourceEntity.id, e.source.project);
            const sourceCollection = this.collection(sourceProject, e.source.collection, false);
            this.store.upsertVersions([{ collectionId: sourceCollection, version: e.source.version, at }]);
          }
      }
      places.push({ entityId: entity.id, projectId, collectionId });
    }
    return places;
  }
}
