import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { jsonLogger } from "../src/log.js";
import type { Seed } from "../src/seed.js";
import { startServer } from "../src/server.js";
import { CreateAutomation } from "./documents.js";
import { auth, gql, KEYS, metric, postEvents, receiver, SEED, tempDir, until } from "./helpers.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const threshold = (value: number) =>
  JSON.stringify({
    run_filter: JSON.stringify({ $and: [] }),
    run_metric_filter: { threshold_filter: { name: "loss", agg_op: null, window_size: 1, cmp_op: "$gt", threshold: value } },
    metric_filter: null,
  });

/** A server whose Slack integration and webhook post to one real receiver: the webhook answers 503 once, then 200. */
async function setup() {
  let hookCalls = 0;
  const hook = await receiver((_n, req) => ({ status: req.path === "/hook" && hookCalls++ === 0 ? 503 : 200 }));
  closers.push(hook.close);
  const seed: Seed = {
    ...SEED,
    integrations: [
      { kind: "slack", entity: "ml", channelName: "#alerts", teamName: "acme-slack", webhookUrl: `${hook.url}/slack` },
      { kind: "webhook", entity: "ml", name: "ci", url: `${hook.url}/hook`, secret: "HOOK_SECRET", accessToken: "HOOK_TOKEN" },
    ],
  };
  const t = tempDir();
  const logs: Record<string, unknown>[] = [];
  const server = await startServer({
    db: join(t.dir, "h.db"),
    port: 0,
    seed,
    allowPrivate: ["127.0.0.1"],
    durability: "normal",
    delivery: { baseDelayMs: 20, maxDelayMs: 50 },
    logger: jsonLogger((line) => logs.push(JSON.parse(line) as Record<string, unknown>), "debug"),
  });
  closers.push(t.cleanup, server.close);
  const d = (await gql(server.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } entity(name: "ml") { integrations { edges { node { id } } } } }`)).body.data;
  const [slack, webhook] = d.entity.integrations.edges.map((e: { node: { id: string } }) => e.node.id) as [string, string];
  const create = async (name: string, action: Record<string, unknown>, type: string) => {
    const r = await gql(server.url, KEYS.bob, CreateAutomation, {
      input: { enabled: true, eventFilter: threshold(0.8), name, scopeID: d.project.id, scopeType: "PROJECT", triggeredActionConfig: action, triggeredActionType: type, triggeringEventType: "RUN_METRIC" },
    });
    expect(r.body.errors).toBeUndefined();
  };
  await create("loss-slack", { notificationActionInput: { integrationID: slack, title: "Loss high", message: "look", severity: "WARN" } }, "NOTIFICATION");
  await create("loss-hook", { genericWebhookActionInput: { integrationID: webhook, requestPayload: '{"run":"${run_name}","token":"${ACCESS_TOKEN}"}' } }, "GENERIC_WEBHOOK");
  return { hook, server, logs };
}

async function history(url: string, key: string, query = "") {
  const res = await fetch(`${url}/api/v1/history${query}`, { headers: { Authorization: auth(key) } });
  return { status: res.status, body: (await res.json()) as any };
}

describe("execution history and what the server logs", () => {
  it("lists executions by name with what was sent; Slack links to this server, and the message posted is recorded", async () => {
    const { hook, server, logs } = await setup();
    expect((await postEvents(server.url, KEYS.bob, metric("r1", 0, { loss: 5 }, { name: "sweep-1" }))).body.firings).toBe(2);
    await until(() => (hook.received.length >= 3 ? true : undefined), 10_000, "three deliveries");
    await server.dispatcher.idle();

    const slack = hook.received.find((r) => r.path === "/slack");
    const posted = slack?.body as string;
    expect(posted).toContain(`${server.url}/ml/llm/runs/r1`);
    expect(posted).not.toContain("wandb.ai");

    const all = await history(server.url, KEYS.bob);
    expect(all.status).toBe(200);
    const byName = Object.fromEntries(all.body.entries.map((e: { automation: string }) => [e.automation, e]));
    expect(byName["loss-slack"]).toMatchObject({ event: "runMetricThreshold", run: "sweep-1", runId: "r1", action: "NOTIFICATION", status: "finished", attempts: 1, statusCode: 200, request: posted, entity: "ml", project: "llm" });
    expect(byName["loss-hook"]).toMatchObject({ action: "GENERIC_WEBHOOK", status: "finished", attempts: 2, statusCode: 200, request: '{"run":"sweep-1","token":"***"}' });
    expect(byName["loss-hook"].explanation).toMatchObject({ threshold: 0.8 });

    expect((await history(server.url, KEYS.bob, "?automation=loss-hook")).body.entries.map((e: { automation: string }) => e.automation)).toEqual(["loss-hook"]);
    expect((await history(server.url, KEYS.bob, "?run=sweep-2")).body.entries).toEqual([]);
    expect((await history(server.url, KEYS.bob, "?status=failed")).body.entries).toEqual([]);
    expect((await history(server.url, KEYS.bob, "?since=2999-01-01T00:00:00Z")).body.entries).toEqual([]);
    // Following: nothing after the cursor; an entry asked for again by cursor comes back as it is now.
    const again = await history(server.url, KEYS.bob, `?after=${all.body.cursor}&recheck=${byName["loss-hook"].cursor}`);
    expect(again.body.entries).toEqual([]);
    expect(again.body.rechecked).toEqual([byName["loss-hook"]]);
    // Others see nothing of ml's history, and bad parameters are named.
    expect((await history(server.url, KEYS.carol)).body.entries).toEqual([]);
    expect((await history(server.url, KEYS.bob, "?status=done")).body).toEqual({ error: 'status must be one of pending, finished, failed, skipped, not "done"' });
    expect((await history(server.url, KEYS.bob, "?since=soon")).status).toBe(400);

    // One line per firing and per delivery outcome, with the automation's name; the retry at debug level.
    const of = (msg: string) => logs.filter((l) => l.msg === msg).map((l) => [l.level, l.automation]);
    expect(of("automation fired").sort()).toEqual([["info", "loss-hook"], ["info", "loss-slack"]]);
    expect(of("delivered").sort()).toEqual([["info", "loss-hook"], ["info", "loss-slack"]]);
    expect(of("delivery will be retried")).toEqual([["debug", "loss-hook"]]);
  });
});
