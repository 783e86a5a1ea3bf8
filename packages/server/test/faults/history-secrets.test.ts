// Issue 10, item 4: a receiver that echoes what it got must not make history show the secret values.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { maskSecrets } from "../../src/runtime/mask.js";
import type { Seed } from "../../src/seed.js";
import { startServer } from "../../src/server.js";
import { CreateAutomation, GetAutomationHistory } from "../documents.js";
import { auth, gql, KEYS, metric, postEvents, SEED, tempDir, until } from "../helpers.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A receiver that answers with what it received (headers and body): first a 500, then a 200. */
async function echo() {
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = `auth=${req.headers.authorization ?? ""} body=${Buffer.concat(chunks).toString("utf8")}`;
      res.writeHead(n++ === 0 ? 500 : 200, { "Content-Type": "text/plain" });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  closers.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => n };
}

const SECRETS = ["s3cr3t-value", "t0ken-value"];

describe("item 4: history masks every secret value it shows", () => {
  it("the echoed response of every attempt, over GraphQL, the executions API and the history API", async () => {
    const hook = await echo();
    const seed: Seed = { ...SEED, integrations: [{ kind: "webhook", entity: "ml", name: "ci", url: `${hook.url}/hook`, secret: "HOOK_SECRET", accessToken: "HOOK_TOKEN", timeoutMs: 2000 }] };
    const t = tempDir();
    const server = await startServer({ db: join(t.dir, "h.db"), port: 0, seed, allowPrivate: ["127.0.0.1"], delivery: { baseDelayMs: 20, maxDelayMs: 100 } });
    closers.push(t.cleanup, server.close);
    const d = (await gql(server.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } entity(name: "ml") { integrations { edges { node { id } } } } }`)).body.data;
    const created = await gql(server.url, KEYS.bob, CreateAutomation, {
      input: {
        enabled: true,
        eventFilter: JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_metric_filter: { threshold_filter: { name: "loss", agg_op: null, window_size: 1, cmp_op: "$gt", threshold: 0 } }, metric_filter: null }),
        name: "echo",
        scopeID: d.project.id,
        scopeType: "PROJECT",
        triggeredActionConfig: { genericWebhookActionInput: { integrationID: d.entity.integrations.edges[0].node.id, requestPayload: '{"token":"${ACCESS_TOKEN}","secret":"${HOOK_SECRET}"}' } },
        triggeredActionType: "GENERIC_WEBHOOK",
        triggeringEventType: "RUN_METRIC",
      },
    });
    expect(created.body.errors).toBeUndefined();
    expect((await postEvents(server.url, KEYS.bob, metric("r1", 1, { loss: 1 }))).status).toBe(200);
    await until(() => (hook.calls() >= 2 ? true : undefined), 10_000, "two attempts");
    await server.dispatcher.idle();
    // Both attempts recorded (their results are written after the answer is read).
    await until(() => (server.store.attempts(1).length >= 2 ? true : undefined), 10_000, "two recorded attempts");

    // The receiver did get the secrets (so they were there to leak).
    const raw = server.store.attempts(1).map((a) => a.response).join(" ");
    for (const s of SECRETS) expect(raw).toContain(s);

    const history = await gql(server.url, KEYS.bob, GetAutomationHistory, { id: created.body.data.result.trigger.id, perPage: 10 });
    const node = history.body.data.triggerExecutions.edges[0].node;
    expect(node.result.data.body).toBe('auth=Bearer *** body={"token":"***","secret":"***"}');
    const attempts = await gql(server.url, KEYS.bob, `{ triggerExecutions(triggerID: "${created.body.data.result.trigger.id}") { edges { node { attempts { attempt statusCode response } } } } }`);
    expect(attempts.body.data.triggerExecutions.edges[0].node.attempts).toEqual([
      { attempt: 1, statusCode: 500, response: 'auth=Bearer *** body={"token":"***","secret":"***"}' },
      { attempt: 2, statusCode: 200, response: 'auth=Bearer *** body={"token":"***","secret":"***"}' },
    ]);
    const rest = await fetch(`${server.url}/api/v1/executions`, { headers: { Authorization: auth(KEYS.bob) } });
    const text = await rest.text();
    for (const s of SECRETS) expect(text).not.toContain(s);
    const byName = await fetch(`${server.url}/api/v1/history?automation=echo`, { headers: { Authorization: auth(KEYS.bob) } });
    const answer = (await byName.json()) as { entries: { response: string | null; request: string | null }[] };
    expect(answer.entries.map((e) => [e.request, e.response])).toEqual([['{"token":"***","secret":"***"}', 'auth=Bearer *** body={"token":"***","secret":"***"}']]);
    for (const s of SECRETS) expect(JSON.stringify(answer)).not.toContain(s);
    expect(JSON.stringify(history.body)).not.toMatch(/s3cr3t-value|t0ken-value/);
  });

  it("masks a secret cut in two by the response snippet's limit, and the longer of two overlapping values first", () => {
    expect(maskSecrets(`${"x".repeat(10)}s3cr3…`, ["s3cr3t-value"])).toBe(`${"x".repeat(10)}***…`);
    expect(maskSecrets("abc…", ["s3cr3t-value"])).toBe("abc…");
    expect(maskSecrets("token t0ken-value-long and t0ken-value", ["t0ken-value", "t0ken-value-long"])).toBe("token *** and ***");
    expect(maskSecrets(null, SECRETS)).toBeNull();
    expect(maskSecrets("nothing here", [])).toBe("nothing here");
  });
});
