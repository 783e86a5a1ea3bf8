import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../src/server.js";
import { CreateAutomation } from "./documents.js";
import { gql, KEYS, metric, postEvents, SEED, tempDir, until } from "./helpers.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/**
 * A receiver answering request i with `answer(i, …)`, and a server with one webhook automation (acc >= 0.9) posting
 * to it with the integration's `timeoutMs`.
 */
async function hooked(answer: (i: number, req: IncomingMessage, res: ServerResponse) => void, timeoutMs: number) {
  const seen = { n: 0 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => answer(seen.n++, req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const t = tempDir();
  const tw = await startServer({
    db: join(t.dir, "d.db"),
    port: 0,
    allowPrivate: ["127.0.0.1"],
    seed: { ...SEED, integrations: [{ kind: "webhook", entity: "ml", name: "ci", url, timeoutMs }] },
    delivery: { baseDelayMs: 10, maxDelayMs: 20 },
  });
  closers.push(t.cleanup, tw.close);
  const d = (await gql(tw.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } entity(name: "ml") { integrations { edges { node { id } } } } }`)).body.data;
  const r = await gql(tw.url, KEYS.bob, CreateAutomation, {
    input: {
      enabled: true,
      eventFilter: JSON.stringify({
        run_filter: JSON.stringify({ $and: [] }),
        run_metric_filter: { threshold_filter: { name: "acc", agg_op: null, window_size: 1, cmp_op: "$gte", threshold: 0.9 } },
        metric_filter: null,
      }),
      name: "hook",
      scopeID: d.project.id,
      scopeType: "PROJECT",
      triggeredActionConfig: { genericWebhookActionInput: { integrationID: d.entity.integrations.edges[0].node.id, requestPayload: '{"r":"${run_name}"}' } },
      triggeredActionType: "GENERIC_WEBHOOK",
      triggeringEventType: "RUN_METRIC",
    },
  });
  expect(r.body.errors).toBeUndefined();
  return { tw, seen };
}

describe("what an attempt records of the receiver's answer", () => {
  it("records timeouts, dropped connections, Retry-After, and the body's first 1 KiB without a BOM", async () => {
    // Request n: 0 never answers (the integration's 300 ms timeout), 1 drops the connection, 2 answers 503 with
    // Retry-After: 0 and a long UTF-8 body behind a BOM, 3 answers 200.
    const { tw, seen } = await hooked((i, req, res) => {
      if (i === 0) return;
      if (i === 1) return req.socket.destroy();
      if (i === 2) {
        res.writeHead(503, { "Retry-After": "0", "Content-Type": "text/plain; charset=utf-8" });
        res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("é".repeat(3000), "utf8")]));
        return;
      }
      res.end("done");
    }, 300);
    expect((await postEvents(tw.url, KEYS.bob, metric("a1", 1, { acc: 0.95 }))).status).toBe(200);
    await until(() => (seen.n >= 4 ? true : undefined), 8000, "four requests");
    await tw.dispatcher.idle();
    tw.dispatcher.flushWrites();
    const x = tw.store.listExecutions({}, { after: 0, limit: 10 }).items[0];
    expect(x?.state).toBe("FINISHED");
    const attempts = tw.store.attempts(x?.id ?? 0);
    expect(attempts.map((a) => [a.outcome, a.statusCode])).toEqual([
      ["retry", null],
      ["retry", null],
      ["retry", 503],
      ["success", 200],
    ]);
    expect(attempts[0]?.error).toMatch(/timeout/i);
    expect(attempts[1]?.error).toBeTruthy();
    expect(attempts[2]?.retryInMs).toBe(0);
    expect(attempts[2]?.error).toBe("receiver answered 503");
    expect(attempts[2]?.response).toBe(`${"é".repeat(1024)}…`);
    expect(attempts[3]?.response).toBe("done");
    expect(attempts[3]?.error).toBeNull();
  });

  it("idle() waits for a retry that a Retry-After: 0 answer starts before its own attempt has finished", async () => {
    // Request 0 answers 503 with Retry-After: 0 (the retry starts at once), request 1 takes 400 ms to answer 200.
    const { tw, seen } = await hooked((i, _req, res) => {
      if (i === 0) {
        res.writeHead(503, { "Retry-After": "0" });
        res.end("busy");
      } else setTimeout(() => res.end("done"), 400);
    }, 5_000);
    expect((await postEvents(tw.url, KEYS.bob, metric("a1", 1, { acc: 0.95 }))).status).toBe(200);
    await until(() => (seen.n >= 1 ? true : undefined), 8000, "the first request");
    await tw.dispatcher.idle();
    const x = tw.store.listExecutions({}, { after: 0, limit: 10 }).items[0];
    expect([x?.state, seen.n, tw.store.attempts(x?.id ?? 0).map((a) => a.outcome)]).toEqual(["FINISHED", 2, ["retry", "success"]]);
  });
});
