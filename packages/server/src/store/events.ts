import { type Connection, type Row } from "./connection.js";
import type { EventBatchRecord, SnapshotRecord } from "./types.js";

function batchRecord(r: Row): EventBatchRecord {
  return {
    id: r.id as number,
    firstSeq: r.first_seq as number,
    count: r.count as number,
    userId: (r.user_id as number | null) ?? null,
    receivedAt: r.received_at as string,
    body: r.body as string,
  };
}

/** The event log (batches as received) and the engine snapshot taken over it. */
export class EventLog {
  constructor(private readonly c: Connection) {}

  lastBatchId(): number {
    const r = this.c.q("SELECT MAX(id) AS id FROM event_batches").get() as { id: number | null };
    return r.id ?? 0;
  }
  lastEventSeq(): number {
    const r = this.c.q("SELECT first_seq + count - 1 AS seq FROM event_batches ORDER BY id DESC LIMIT 1").get() as { seq: number } | undefined;
    return r?.seq ?? 0;
  }
  appendBatch(b: Omit<EventBatchRecord, "id">): number {
    return Number(
      this.c.q("INSERT INTO event_batches (first_seq, count, user_id, received_at, body) VALUES (?, ?, ?, ?, ?)").run(b.firstSeq, b.count, b.userId, b.receivedAt, b.body)
        .lastInsertRowid,
    );
  }
  *batchesAfter(afterId: number): IterableIterator<EventBatchRecord> {
    // Paged so a long log is never held in memory at once.
    let after = afterId;
    for (;;) {
      const rows = this.c.q("SELECT * FROM event_batches WHERE id > ? ORDER BY id LIMIT 256").all(after) as Row[];
      if (rows.length === 0) return;
      for (const r of rows) {
        after = r.id as number;
        yield batchRecord(r);
      }
    }
  }
  batchById(id: number): EventBatchRecord | undefined {
    const r = this.c.q("SELECT * FROM event_batches WHERE id = ?").get(id) as Row | undefined;
    return r && batchRecord(r);
  }
  eventCount(): number {
    const r = this.c.q("SELECT COALESCE(SUM(count), 0) AS n FROM event_batches").get() as { n: number };
    return r.n;
  }
  snapshot(): SnapshotRecord | undefined {
    const r = this.c.q("SELECT * FROM engine_snapshots WHERE id = 1").get() as Row | undefined;
    return r && { batchId: r.batch_id as number, takenAt: r.taken_at as string, state: r.state as string };
  }
  saveSnapshot(s: SnapshotRecord): void {
    this.c.q(
      "INSERT INTO engine_snapshots (id, batch_id, taken_at, state) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET batch_id = excluded.batch_id, taken_at = excluded.taken_at, state = excluded.state",
    ).run(s.batchId, s.takenAt, s.state);
  }
}
