import { type Connection, now, type Row } from "./connection.js";
import type { SecretRecord } from "./types.js";

/** Team secrets (values are read only by delivery). */
export class Secrets {
  constructor(private readonly c: Connection) {}

  listSecrets(entityId: number): readonly SecretRecord[] {
    const rows = this.c.q("SELECT entity_id, name, created_at FROM secrets WHERE entity_id = ? ORDER BY name").all(entityId) as Row[];
    return rows.map((r) => ({ entityId: r.entity_id as number, name: r.name as string, createdAt: r.created_at as string }));
  }
  secretValues(entityId: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.c.q("SELECT name, value FROM secrets WHERE entity_id = ?").all(entityId) as { name: string; value: string }[]) out[r.name] = r.value;
    return out;
  }
  upsertSecret(entityId: number, name: string, value: string): void {
    this.c.q("INSERT INTO secrets (entity_id, name, value, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (entity_id, name) DO UPDATE SET value = excluded.value").run(
      entityId,
      name,
      value,
      now(),
    );
  }
  deleteSecret(entityId: number, name: string): boolean {
    return this.c.q("DELETE FROM secrets WHERE entity_id = ? AND name = ?").run(entityId, name).changes > 0;
  }
}
