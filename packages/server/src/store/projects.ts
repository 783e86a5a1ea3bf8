import { type Connection, now, page, type Row } from "./connection.js";
import type { CollectionRecord, Page, PageArgs, ProjectRecord } from "./types.js";

const PROJECT_SELECT = "SELECT p.*, e.name AS entity_name FROM projects p JOIN entities e ON e.id = p.entity_id";

const project = (r: Row): ProjectRecord => ({
  id: r.id as number,
  entityId: r.entity_id as number,
  entityName: r.entity_name as string,
  name: r.name as string,
  description: (r.description as string | null) ?? null,
  createdAt: r.created_at as string,
});

const collection = (r: Row): CollectionRecord => ({
  id: r.id as number,
  projectId: r.project_id as number,
  name: r.name as string,
  kind: r.kind as "sequence" | "portfolio",
  createdAt: r.created_at as string,
});

/** Projects and their artifact collections. */
export class Projects {
  constructor(private readonly c: Connection) {}

  projectById(id: number): ProjectRecord | undefined {
    const r = this.c.q(`${PROJECT_SELECT} WHERE p.id = ?`).get(id) as Row | undefined;
    return r && project(r);
  }
  projectByName(entityId: number, name: string): ProjectRecord | undefined {
    const r = this.c.q(`${PROJECT_SELECT} WHERE p.entity_id = ? AND p.name = ?`).get(entityId, name) as Row | undefined;
    return r && project(r);
  }
  listProjects(entityIds: readonly number[], { after, limit }: PageArgs): Page<ProjectRecord> {
    if (entityIds.length === 0) return { items: [], hasNextPage: false };
    const rows = this.c.q(`${PROJECT_SELECT} WHERE p.entity_id IN (SELECT value FROM json_each(?)) AND p.id > ? ORDER BY p.id LIMIT ?`).all(
      JSON.stringify(entityIds),
      after,
      limit + 1,
    ) as Row[];
    return page(rows.map(project), limit);
  }
  upsertProject(entityId: number, name: string, description?: string | null): { project: ProjectRecord; inserted: boolean } {
    return this.c.transaction(() => {
      const existing = this.projectByName(entityId, name);
      if (existing) {
        if (description !== undefined && description !== existing.description) {
          this.c.q("UPDATE projects SET description = ? WHERE id = ?").run(description, existing.id);
          return { project: this.projectById(existing.id) as ProjectRecord, inserted: false };
        }
        return { project: existing, inserted: false };
      }
      const id = this.c.q("INSERT INTO projects (entity_id, name, description, created_at) VALUES (?, ?, ?, ?)").run(entityId, name, description ?? null, now())
        .lastInsertRowid;
      return { project: this.projectById(Number(id)) as ProjectRecord, inserted: true };
    });
  }
  collectionById(id: number): CollectionRecord | undefined {
    const r = this.c.q("SELECT * FROM collections WHERE id = ?").get(id) as Row | undefined;
    return r && collection(r);
  }
  collectionByName(projectId: number, name: string): CollectionRecord | undefined {
    const r = this.c.q("SELECT * FROM collections WHERE project_id = ? AND name = ?").get(projectId, name) as Row | undefined;
    return r && collection(r);
  }
  listCollections(projectId: number, { after, limit }: PageArgs): Page<CollectionRecord> {
    const rows = this.c.q("SELECT * FROM collections WHERE project_id = ? AND id > ? ORDER BY id LIMIT ?").all(projectId, after, limit + 1) as Row[];
    return page(rows.map(collection), limit);
  }
  ensureCollection(projectId: number, name: string, kind: "sequence" | "portfolio"): CollectionRecord {
    const existing = this.collectionByName(projectId, name);
    if (existing) return existing;
    const id = this.c.q("INSERT INTO collections (project_id, name, kind, created_at) VALUES (?, ?, ?, ?)").run(projectId, name, kind, now()).lastInsertRowid;
    return this.collectionById(Number(id)) as CollectionRecord;
  }
  addCollectionTags(collectionId: number, add: readonly string[], remove: readonly string[]): void {
    const r = this.c.q("SELECT tags FROM collections WHERE id = ?").get(collectionId) as { tags: string } | undefined;
    if (!r) return;
    const tags = new Set(JSON.parse(r.tags) as string[]);
    for (const t of add) tags.add(t);
    for (const t of remove) tags.delete(t);
    this.c.q("UPDATE collections SET tags = ? WHERE id = ?").run(JSON.stringify([...tags]), collectionId);
  }
}
