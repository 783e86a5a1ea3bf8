import type { Connection } from "./connection.js";
import type { VersionUpsert } from "./types.js";

/** Artifact versions of collections, with their aliases and tags. */
export class ArtifactVersions {
  constructor(private readonly c: Connection) {}

  upsertVersions(versions: readonly VersionUpsert[]): void {
    const get = this.c.q("SELECT aliases, tags FROM artifact_versions WHERE collection_id = ? AND version = ?");
    const put = this.c.q(`INSERT INTO artifact_versions (collection_id, version, aliases, tags, linked, created_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (collection_id, version) DO UPDATE SET aliases = excluded.aliases, tags = excluded.tags, linked = excluded.linked`);
    const holders = this.c.q("SELECT version, aliases FROM artifact_versions WHERE collection_id = ? AND version != ? AND aliases LIKE ?");
    const setAliases = this.c.q("UPDATE artifact_versions SET aliases = ? WHERE collection_id = ? AND version = ?");
    for (const v of versions) {
      const row = get.get(v.collectionId, v.version) as { aliases: string; tags: string } | undefined;
      const aliases = new Set<string>(v.aliases ?? (row ? (JSON.parse(row.aliases) as string[]) : []));
      const tags = new Set<string>(v.tags ?? (row ? (JSON.parse(row.tags) as string[]) : []));
      if (v.addAlias !== undefined) aliases.add(v.addAlias);
      if (v.addTag !== undefined) tags.add(v.addTag);
      if (v.removeTag !== undefined) tags.delete(v.removeTag);
      // One version holds an alias at a time (W&B): moving it takes it off the others.
      for (const alias of v.addAlias !== undefined ? [v.addAlias] : (v.aliases ?? [])) {
        for (const h of holders.all(v.collectionId, v.version, `%${JSON.stringify(alias)}%`) as { version: number; aliases: string }[]) {
          const rest = (JSON.parse(h.aliases) as string[]).filter((a) => a !== alias);
          setAliases.run(JSON.stringify(rest), v.collectionId, h.version);
        }
      }
      put.run(v.collectionId, v.version, JSON.stringify([...aliases]), JSON.stringify([...tags]), v.unlink ? 0 : 1, v.at);
    }
  }
}
