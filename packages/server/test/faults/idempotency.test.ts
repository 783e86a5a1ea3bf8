// Issue 10 item 8: a client's retry of an ingestion batch after a lost answer (same Idempotency-Key) adds nothing
// and gets the first answer, also when both arrive at once and after a restart. Real server, real SQLite file.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../../src/server.js";
import { auth, KEYS, metric, SEED, tempDir } from "../helpers.js";
import { closeAll, closers } from "./harness.js";

afterEach(closeAll);

async function post(url: string, key: string, body: string, idempotencyKey?: string) {
  const res = await fetch(`${url}/api/v1/events`, {
    method: "POST",
    headers: { Authorization: auth(key), "Content-Type": "application/x-ndjson", ...(idempotencyKey !== undefined ? { "Idempotency-Key": idempotencyKey } : {}) },
    body,
  });
  return { status: res.status, replayed: res.headers.get("idempotency-replayed"), body: (await res.json()) as Record<string, unknown> };
}

describe("ingestion Idempotency-Key", () => {
  it("answers a retry with the first answer and adds nothing: in sequence, at once, and after a restart", async () => {
    const t = tempDir();
    closers.push(t.cleanup);
    const db = join(t.dir, "k.db");
    const server = await startServer({ db, port: 0, seed: SEED });
    const batch = [metric("r1", 1, { loss: 1 }), metric("r1", 2, { loss: 2 })].join("\n");

    const first = await post(server.url, KEYS.bob, batch, "batch-0001");
    expect(first).toMatchObject({ status: 200, replayed: null, body: { accepted: 2, firstSeq: 1, lastSeq: 2 } });
    const again = await post(server.url, KEYS.bob, batch, "batch-0001");
    expect(again).toEqual({ status: 200, replayed: "true", body: first.body });
    expect(server.store.lastEventSeq()).toBe(2);

    // Two copies in flight together (one group commit): one is added.
    const [a, b] = await Promise.all([post(server.url, KEYS.bob, batch, "batch-0002"), post(server.url, KEYS.bob, batch, "batch-0002")]);
    expect([a.replayed, b.replayed].sort()).toEqual([null, "true"]);
    expect(a.body).toEqual(b.body);
    expect(server.store.lastEventSeq()).toBe(4);

    // Keys are per user, and a batch without a key is always added.
    expect((await post(server.url, KEYS.alice, batch, "batch-0001")).body).toMatchObject({ firstSeq: 5, lastSeq: 6 });
    expect((await post(server.url, KEYS.bob, batch)).body).toMatchObject({ firstSeq: 7 });
    expect((await post(server.url, KEYS.bob, batch, "x".repeat(201))).status).toBe(400);

    await server.close();
    const restarted = await startServer({ db, port: 0, seed: SEED });
    closers.push(restarted.close);
    expect(await post(restarted.url, KEYS.bob, batch, "batch-0001")).toEqual({ status: 200, replayed: "true", body: first.body });
    expect(restarted.store.lastEventSeq()).toBe(8);
  });
});
