import type { EntityRecord, Role, Store, UserRecord } from "./store/types.js";

/**
 * Who may see and change what (spec §A.7), for one user:
 *
 * - a direct role (`member` or `admin`) on a team, organization or personal entity applies to it;
 * - an organization's admins are admins of every team in it;
 * - a member of any team of an organization is a member of the organization's entity (its registries);
 * - instance admins (`admin: true` in the seed) are admins everywhere.
 *
 * Members see the entity and manage its automations; only admins create integrations and secrets.
 * Entities without a role are invisible: lookups answer as if they did not exist.
 */
export class Access {
  private readonly cache = new Map<number, Role | null>();

  constructor(
    readonly store: Store,
    readonly user: UserRecord,
  ) {}

  /** The user's effective role on an entity, if any. */
  role(entity: EntityRecord): Role | undefined {
    const hit = this.cache.get(entity.id);
    if (hit !== undefined) return hit ?? undefined;
    const r = this.compute(entity);
    this.cache.set(entity.id, r ?? null);
    return r;
  }

  private compute(entity: EntityRecord): Role | undefined {
    if (this.user.admin) return "admin";
    const direct = this.store.role(entity.id, this.user.id);
    if (direct === "admin") return "admin";
    if (entity.orgId !== null) {
      const org = this.store.orgById(entity.orgId);
      if (org && org.entityId !== entity.id) {
        // A team: its organization's admins administer it.
        if (this.store.role(org.entityId, this.user.id) === "admin") return "admin";
      } else if (org && !direct) {
        // The organization's own entity: a member of any of its teams is a member.
        const inTeam = this.store.entitiesOfOrg(org.id).some((e) => e.id !== entity.id && this.store.role(e.id, this.user.id) !== undefined);
        if (inTeam) return "member";
      }
    }
    return direct;
  }

  canSee(entity: EntityRecord | undefined): entity is EntityRecord {
    return entity !== undefined && this.role(entity) !== undefined;
  }

  isAdmin(entity: EntityRecord): boolean {
    return this.role(entity) === "admin";
  }

  /** Every entity the user can see, by ID. */
  visibleEntities(): EntityRecord[] {
    if (this.user.admin) return [...this.store.allEntities()];
    const seen = new Map<number, EntityRecord>();
    for (const { entity } of this.store.memberships(this.user.id)) {
      seen.set(entity.id, entity);
      if (entity.orgId !== null) {
        const org = this.store.orgById(entity.orgId);
        if (!org) continue;
        const orgEntity = this.store.entityById(org.entityId);
        if (orgEntity) seen.set(orgEntity.id, orgEntity);
        if (this.store.role(org.entityId, this.user.id) === "admin") for (const t of this.store.entitiesOfOrg(org.id)) seen.set(t.id, t);
      }
    }
    return [...seen.values()].filter((e) => this.canSee(e)).sort((a, b) => a.id - b.id);
  }
}
