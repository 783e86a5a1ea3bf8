import { ConflictError } from "../errors.js";
import { type Connection, now, page, type Row } from "./connection.js";
import type { IntegrationRecord, Page, PageArgs } from "./types.js";

const integration = (r: Row): IntegrationRecord => ({
  id: r.id as number,
  entityId: r.entity_id as number,
  kind: r.kind as "slack" | "webhook",
  name: (r.name as string | null) ?? null,
  url: r.url as string,
  secretRef: (r.secret_ref as string | null) ?? null,
  accessTokenRef: (r.access_token_ref as string | null) ?? null,
  teamName: (r.team_name as string | null) ?? null,
  channelName: (r.channel_name as string | null) ?? null,
  timeoutMs: (r.timeout_ms as number | null) ?? null,
  createdAt: r.created_at as string,
});

/** Slack and webhook integrations of entities. */
export class Integrations {
  constructor(private readonly c: Connection) {}

  integrationById(id: number): IntegrationRecord | undefined {
    const r = this.c.q("SELECT * FROM integrations WHERE id = ?").get(id) as Row | undefined;
    return r && integration(r);
  }
  listIntegrations(entityId: number, { after, limit }: PageArgs): Page<IntegrationRecord> {
    const rows = this.c.q("SELECT * FROM integrations WHERE entity_id = ? AND id > ? ORDER BY id LIMIT ?").all(entityId, after, limit + 1) as Row[];
    return page(rows.map(integration), limit);
  }
  createIntegration(i: Omit<IntegrationRecord, "id" | "createdAt">): IntegrationRecord {
    try {
      const id = this.c.q(`INSERT INTO integrations (entity_id, kind, name, url, secret_ref, access_token_ref, team_name, channel_name, timeout_ms, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(i.entityId, i.kind, i.name, i.url, i.secretRef, i.accessTokenRef, i.teamName, i.channelName, i.timeoutMs, now())
        .lastInsertRowid;
      return this.integrationById(Number(id)) as IntegrationRecord;
    } catch (e) {
      if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
        throw new ConflictError(i.kind === "webhook" ? `a webhook integration named "${i.name}" already exists` : `a Slack integration for channel "${i.channelName}" already exists`);
      }
      throw e;
    }
  }
  upsertIntegration(i: Omit<IntegrationRecord, "id" | "createdAt">): IntegrationRecord {
    return this.c.transaction(() => {
      const r = (
        i.kind === "webhook"
          ? this.c.q("SELECT id FROM integrations WHERE entity_id = ? AND kind = 'webhook' AND name = ?").get(i.entityId, i.name)
          : this.c.q("SELECT id FROM integrations WHERE entity_id = ? AND kind = 'slack' AND channel_name = ?").get(i.entityId, i.channelName)
      ) as { id: number } | undefined;
      if (!r) return this.createIntegration(i);
      this.c.q("UPDATE integrations SET url = ?, secret_ref = ?, access_token_ref = ?, team_name = ?, timeout_ms = ? WHERE id = ?").run(
        i.url,
        i.secretRef,
        i.accessTokenRef,
        i.teamName,
        i.timeoutMs,
        r.id,
      );
      return this.integrationById(r.id) as IntegrationRecord;
    });
  }
  deleteIntegration(id: number): boolean {
    return this.c.q("DELETE FROM integrations WHERE id = ?").run(id).changes > 0;
  }
}
