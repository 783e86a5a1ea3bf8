import type { Connection } from "./connection.js";

/** Idempotency-Key answers of ingestion batches, kept for a bounded time. */
export class IngestKeys {
  constructor(private readonly c: Connection) {}

  ingestKey(userId: number, key: string): string | undefined {
    const r = this.c.q("SELECT result FROM ingest_keys WHERE user_id = ? AND key = ?").get(userId, key) as { result: string } | undefined;
    return r?.result;
  }
  saveIngestKey(userId: number, key: string, batchId: number, result: string, at: number): void {
    this.c.q("INSERT INTO ingest_keys (user_id, key, batch_id, result, created_at) VALUES (?, ?, ?, ?, ?)").run(userId, key, batchId, result, at);
  }
  pruneIngestKeys(before: number): number {
    return this.c.q("DELETE FROM ingest_keys WHERE created_at < ?").run(before).changes;
  }
}
