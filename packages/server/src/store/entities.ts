import { type Connection, now, type Row } from "./connection.js";
import { user } from "./users.js";
import type { EntityRecord, EntityType, OrgRecord, Role, UserRecord } from "./types.js";

const entity = (r: Row): EntityRecord => ({
  id: r.id as number,
  name: r.name as string,
  type: r.type as EntityType,
  orgId: (r.org_id as number | null) ?? null,
  createdAt: r.created_at as string,
});

const org = (r: Row): OrgRecord => ({ id: r.id as number, name: r.name as string, entityId: r.entity_id as number, createdAt: r.created_at as string });

/** Entities (teams, organizations, personal), organizations and memberships. */
export class Entities {
  constructor(private readonly c: Connection) {}

  entityById(id: number): EntityRecord | undefined {
    const r = this.c.q("SELECT * FROM entities WHERE id = ?").get(id) as Row | undefined;
    return r && entity(r);
  }
  entityByName(name: string): EntityRecord | undefined {
    const r = this.c.q("SELECT * FROM entities WHERE name = ?").get(name) as Row | undefined;
    return r && entity(r);
  }
  createEntity(name: string, type: EntityType, orgId: number | null): EntityRecord {
    const id = this.c.q("INSERT INTO entities (name, type, org_id, created_at) VALUES (?, ?, ?, ?)").run(name, type, orgId, now()).lastInsertRowid;
    return this.entityById(Number(id)) as EntityRecord;
  }
  setEntityOrg(entityId: number, orgId: number | null): void {
    this.c.q("UPDATE entities SET org_id = ? WHERE id = ?").run(orgId, entityId);
  }
  orgById(id: number): OrgRecord | undefined {
    const r = this.c.q("SELECT * FROM organizations WHERE id = ?").get(id) as Row | undefined;
    return r && org(r);
  }
  orgByName(name: string): OrgRecord | undefined {
    const r = this.c.q("SELECT * FROM organizations WHERE name = ?").get(name) as Row | undefined;
    return r && org(r);
  }
  createOrg(name: string, entityName: string): OrgRecord {
    return this.c.transaction(() => {
      const e = this.entityByName(entityName) ?? this.createEntity(entityName, "organization", null);
      const id = Number(this.c.q("INSERT INTO organizations (name, entity_id, created_at) VALUES (?, ?, ?)").run(name, e.id, now()).lastInsertRowid);
      this.setEntityOrg(e.id, id);
      return this.orgById(id) as OrgRecord;
    });
  }
  entitiesOfOrg(orgId: number): readonly EntityRecord[] {
    return (this.c.q("SELECT * FROM entities WHERE org_id = ? ORDER BY id").all(orgId) as Row[]).map(entity);
  }
  role(entityId: number, userId: number): Role | undefined {
    const r = this.c.q("SELECT role FROM members WHERE entity_id = ? AND user_id = ?").get(entityId, userId) as { role: Role } | undefined;
    return r?.role;
  }
  setRole(entityId: number, userId: number, role: Role): void {
    this.c.q("INSERT INTO members (entity_id, user_id, role) VALUES (?, ?, ?) ON CONFLICT (entity_id, user_id) DO UPDATE SET role = excluded.role").run(
      entityId,
      userId,
      role,
    );
  }
  memberships(userId: number): readonly { entity: EntityRecord; role: Role }[] {
    const rows = this.c.q("SELECT e.*, m.role FROM members m JOIN entities e ON e.id = m.entity_id WHERE m.user_id = ? ORDER BY e.id").all(userId) as Row[];
    return rows.map((r) => ({ entity: entity(r), role: r.role as Role }));
  }
  membersOf(entityId: number): readonly { user: UserRecord; role: Role }[] {
    const rows = this.c.q("SELECT u.*, m.role AS member_role FROM members m JOIN users u ON u.id = m.user_id WHERE m.entity_id = ? ORDER BY u.id").all(entityId) as Row[];
    return rows.map((r) => ({ user: user(r), role: r.member_role as Role }));
  }
  allEntities(): readonly EntityRecord[] {
    return (this.c.q("SELECT * FROM entities ORDER BY id").all() as Row[]).map(entity);
  }
}
