import { createHmac } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Seed } from "../src/seed.js";
import { startServer, type RunningServer } from "../src/server.js";
import type { DeliveryOptions } from "../src/runtime/dispatcher.js";
import { CreateAutomation, DeleteAutomation, GetAutomationHistory, GetCollectionAutomationHistory, GetProjectAutomationHistory } from "./documents.js";
import { auth, gql, KEYS, metric, postEvents, receiver, SEED, tempDir, until } from "./helpers.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup(respond?: Parameters<typeof receiver>[0], delivery: DeliveryOptions = {}) {
  const hook = await receiver(respond);
  closers.push(hook.close);
  const seed: Seed = {
    ...SEED,
    integrations: [
      { kind: "slack", entity: "ml", channelName: "#alerts", teamName: "acme-slack", webhookUrl: `${hook.url}/slack` },
      { kind: "webhook", entity: "ml", name: "ci", url: `${hook.url}/hook`, secret: "HOOK_SECRET", accessToken: "HOOK_TOKEN", timeoutMs: 2000 },
    ],
  };
  const t = tempDir();
  const server = await startServer({ db: join(t.dir, "d.db"), port: 0, seed, allowPrivate: ["127.0.0.1"], delivery: { baseDelayMs: 20, maxDelayMs: 200, ...delivery } });
  closers.push(t.cleanup, server.close);
  const d = (await gql(server.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } entity(name: "ml") { integrations { edges { node { id } } } } }`)).body.data;
  return { hook, server, project: d.project.id as string, slack: d.entity.integrations.edges[0].node.id as string, webhook: d.entity.integrations.edges[1].node.id as string };
}

const threshold = (name: string, agg: string | null, window: number, cmp: string, value: number) =>
  JSON.stringify({
    run_filter: JSON.stringify({ $and: [] }),
    run_metric_filter: { threshold_filter: { name, agg_op: agg, window_size: window, cmp_op: cmp, threshold: value } },
    metric_filter: null,
  });

async function webhookAutomation(url: string, scopeID: string, integrationID: string, requestPayload: string, filter = threshold("loss", "AVERAGE", 3, "$gt", 0.5)) {
  const r = await gql(url, KEYS.bob, CreateAutomation, {
    input: {
      enabled: true,
      eventFilter: filter,
      name: "loss-hook",
      scopeID,
      scopeType: "PROJECT",
      triggeredActionConfig: { genericWebhookActionInput: { integrationID, requestPayload } },
      triggeredActionType: "GENERIC_WEBHOOK",
      triggeringEventType: "RUN_METRIC",
    },
  });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.result.trigger.id as string;
}

describe("webhook delivery", () => {
  it("fires on a metric stream and POSTs W&B's request: body, signature, bearer token, idempotency key", async () => {
    const { hook, server, project, webhook } = await setup();
    const payload = '{"run":"${run_name}","status":"${metric_current_status}","event":"${event_type}","token":"${ACCESS_TOKEN}","entity":"${entity_name}"}';
    const id = await webhookAutomation(server.url, project, webhook, payload, threshold("loss", "AVERAGE", 3, "$gt", 5));
    const losses = [1, 2, 3, 4, 8, 9, 10, 12];
    for (const [i, loss] of losses.entries()) {
      const r = await postEvents(server.url, KEYS.bob, metric("r1", i, { loss }, { name: "sweep-1" }));
      expect(r.status).toBe(200);
    }
    const got = await until(() => (hook.received.length >= 1 ? hook.received[0] : undefined), 5000, "the webhook");
    await server.dispatcher.idle();
    expect(hook.received).toHaveLength(1); // once per run per 24 h
    expect(got.path).toBe("/hook");
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers.authorization).toBe("Bearer t0ken-value");
    expect(got.headers["x-wandb-signature"]).toBe(createHmac("sha256", "s3cr3t-value").update(got.body).digest("base64"));
    expect(got.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(got.body)).toEqual({
      run: "sweep-1",
      status: "mean(loss, 3) = 7",
      event: "RUN_METRIC_THRESHOLD",
      token: "t0ken-value",
      entity: "ml",
    });

    // History over GraphQL (W&B's document) and REST; the token is masked in the recorded payload.
    await until(async () => ((await gql(server.url, KEYS.bob, GetAutomationHistory, { id })).body.data.triggerExecutions.edges[0]?.node.state === "FINISHED" ? true : undefined));
    const h = await gql(server.url, KEYS.bob, GetAutomationHistory, { id, perPage: 10 });
    expect(h.body.data.triggerExecutions.totalCount).toBe(1);
    const node = h.body.data.triggerExecutions.edges[0].node;
    expect(node).toMatchObject({
      __typename: "TriggerExecution",
      automationID: id,
      automationName: "loss-hook",
      state: "FINISHED",
      scope: { __typename: "Project", id: project, name: "llm" },
      event: { eventType: "RUN_METRIC", data: { runName: "sweep-1", projectName: "llm", entityName: "ml", metricName: "loss", metricValues: "[4,8,9]" } },
      action: { actionType: "GENERIC_WEBHOOK", data: { integration: { id: webhook, name: "ci" } } },
      result: { resultType: "HTTP_RESPONSE", data: { statusCode: 200, status: "200 OK", body: "ok", error: null } },
    });
    expect(JSON.parse(node.action.data.requestPayload).token).toBe("***");
    const rest = await fetch(`${server.url}/api/v1/executions?automation=${encodeURIComponent(id)}`, { headers: { Authorization: auth(KEYS.bob) } });
    const list = (await rest.json()) as { totalCount: number; executions: { state: string; idempotencyKey: string; attempts: { outcome: string; statusCode: number }[] }[] };
    expect(list.totalCount).toBe(1);
    expect(list.executions[0]).toMatchObject({ state: "FINISHED", idempotencyKey: got.headers["idempotency-key"], attempts: [{ attempt: 1, outcome: "success", statusCode: 200 }] });
    const foreign = await fetch(`${server.url}/api/v1/executions?automation=${encodeURIComponent(id)}`, { headers: { Authorization: auth(KEYS.carol) } });
    expect(((await foreign.json()) as { totalCount: number }).totalCount).toBe(0);
  });

  it("keeps the payload valid JSON when a run name holds quotes and newlines", async () => {
    const { hook, server, project, webhook } = await setup();
    await webhookAutomation(server.url, project, webhook, '{"text":"run ${run_name} is ${metric_current_status}"}', threshold("acc", null, 1, "$gte", 0.9));
    const name = 'he said "stop"\nthen\tleft \\ \u00e9';
    expect((await postEvents(server.url, KEYS.bob, metric("q1", 1, { acc: 0.95 }, { name }))).status).toBe(200);
    const got = await until(() => hook.received[0], 5000, "the webhook");
    expect(JSON.parse(got.body)).toEqual({ text: `run ${name} is acc = 0.95` });
  });

  it("retries after 500 and after 429 with Retry-After, with one idempotency key", async () => {
    const answers = [{ status: 500 }, { status: 429, headers: { "Retry-After": "1" } }, { status: 200 }];
    const { hook, server, project, webhook } = await setup((n) => answers[n] ?? { status: 200 });
    const id = await webhookAutomation(server.url, project, webhook, '{"r":"${run_name}"}', threshold("acc", null, 1, "$gte", 0.9));
    await postEvents(server.url, KEYS.bob, metric("r1", 1, { acc: 0.95 }));
    await until(() => (hook.received.length >= 3 ? true : undefined), 8000, "three attempts");
    await server.dispatcher.idle();
    expect(hook.received.map((r) => r.status)).toEqual([500, 429, 200]);
    expect(new Set(hook.received.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    expect(hook.received.map((r) => r.headers["x-tripwire-attempt"])).toEqual(["1", "2", "3"]);
    const [, second, third] = hook.received;
    expect((third?.at ?? 0) - (second?.at ?? 0)).toBeGreaterThanOrEqual(990); // Retry-After: 1
    server.dispatcher.flushWrites();
    const x = server.store.listExecutions({ triggerId: Number(Buffer.from(id, "base64").toString().split(":")[1]) }, { after: 0, limit: 10 }).items[0];
    expect(x?.state).toBe("FINISHED");
    const attempts = server.store.attempts(x?.id ?? 0);
    expect(attempts.map((a) => [a.outcome, a.statusCode])).toEqual([["retry", 500], ["retry", 429], ["success", 200]]);
    expect(attempts[1]?.retryInMs).toBe(1000);
    expect(attempts[0]?.retryInMs).toBeGreaterThanOrEqual(10);
    expect(attempts[0]?.retryInMs).toBeLessThanOrEqual(20);
  });

  it("writes attempt history without fsync on the event loop, and leaves group commits fsynced", async () => {
    const { hook, server, project, webhook } = await setup();
    await webhookAutomation(server.url, project, webhook, '{"r":"${run_name}"}', threshold("acc", null, 1, "$gte", 0.9));
    await postEvents(server.url, KEYS.bob, metric("s1", 1, { acc: 0.95 }));
    await until(() => hook.received[0], 5000, "the webhook");
    await server.dispatcher.idle();
    server.dispatcher.flushWrites();
    // synchronous = FULL (2) again for the next group commit of events.
    expect(server.store.db.pragma("synchronous", { simple: true })).toBe(2);
    const x = server.store.listExecutions({}, { after: 0, limit: 10 }).items[0];
    expect(x?.state).toBe("FINISHED");
    expect(server.store.attempts(x?.id ?? 0).map((a) => a.outcome)).toEqual(["success"]);
    expect((await postEvents(server.url, KEYS.bob, metric("s2", 1, { acc: 0.1 }))).status).toBe(200);
    expect(server.store.db.pragma("synchronous", { simple: true })).toBe(2);
  });

  it("gives up on a client error at once and after the last attempt on server errors", async () => {
    const { hook, server, project, webhook } = await setup((_n, req) => ({ status: req.body.includes("bad") ? 400 : 503 }), { maxAttempts: 3 });
    await webhookAutomation(server.url, project, webhook, '{"r":"${run_name}"}', threshold("acc", null, 1, "$gte", 0.9));
    await postEvents(server.url, KEYS.bob, [metric("bad-run", 1, { acc: 0.95 }), metric("flaky-run", 1, { acc: 0.95 })].join("\n"));
    await until(() => (hook.received.length >= 4 ? true : undefined), 5000, "four attempts");
    await server.dispatcher.idle();
    server.dispatcher.flushWrites();
    expect(hook.received).toHaveLength(4);
    const states = server.store.listExecutions({}, { after: 0, limit: 10 }).items.map((x) => [x.state, x.attempts, x.statusCode]);
    expect(states).toEqual([
      ["FAILED", 1, 400],
      ["FAILED", 3, 503],
    ]);
  });

  it("takes automation changes into effect immediately", async () => {
    const { hook, server, project, webhook } = await setup();
    expect((await postEvents(server.url, KEYS.bob, metric("r1", 1, { acc: 0.95 }))).status).toBe(200);
    const id = await webhookAutomation(server.url, project, webhook, '{"r":"${run_name}"}', threshold("acc", null, 1, "$gte", 0.9));
    await postEvents(server.url, KEYS.bob, metric("r2", 1, { acc: 0.95 }));
    await until(() => hook.received[0], 5000, "the webhook");
    expect((await gql(server.url, KEYS.bob, DeleteAutomation, { id })).status).toBe(200);
    await postEvents(server.url, KEYS.bob, metric("r3", 1, { acc: 0.95 }));
    await server.dispatcher.idle();
    expect(hook.received.map((r) => JSON.parse(r.body).r)).toEqual(["r2"]);
  });
});

describe("Slack delivery and artifact history", () => {
  it("posts a Slack message and records artifact executions by collection", async () => {
    const { hook, server, slack } = await setup();
    const ids = (await gql(server.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { c: artifactCollection(name: "dataset") { id } } }`)).body.data;
    const r = await gql(server.url, KEYS.bob, CreateAutomation, {
      input: {
        enabled: true,
        eventFilter: '{"$or":[{"$and":[{"alias":{"$eq":"latest"}}]}]}',
        name: "new-dataset",
        scopeID: ids.project.c.id,
        scopeType: "ARTIFACT_COLLECTION",
        triggeredActionConfig: { notificationActionInput: { integrationID: slack, title: "New dataset", message: "check it", severity: "INFO" } },
        triggeredActionType: "NOTIFICATION",
        triggeringEventType: "CREATE_ARTIFACT",
      },
    });
    expect(r.body.errors).toBeUndefined();
    const event = { type: "artifact.created", entity: "ml", project: "llm", collection: "dataset", version: 3, aliases: ["latest"], tags: [], metadata: { rows: 10 }, user: "bob", timestamp: "2026-11-26T10:00:00Z" };
    expect((await postEvents(server.url, KEYS.bob, JSON.stringify([event, { ...event, collection: "other", version: 1 }]))).status).toBe(200);
    const got = await until(() => hook.received[0], 5000, "the Slack message");
    expect(got.path).toBe("/slack");
    const message = JSON.parse(got.body) as { text: string; blocks: unknown[] };
    expect(message.text).toContain("New dataset");
    expect(message.blocks.length).toBeGreaterThan(2);
    await server.dispatcher.idle();
    const byCollection = await gql(server.url, KEYS.bob, GetCollectionAutomationHistory, { id: ids.project.c.id });
    expect(byCollection.body.data.scope.triggerExecutions.edges[0].node).toMatchObject({
      automationName: "new-dataset",
      scope: { __typename: "ArtifactSequence", name: "dataset" },
      event: { eventType: "CREATE_ARTIFACT", data: { artifactCollectionName: "dataset", artifactVersionIndex: 3, projectName: "llm", entityName: "ml", artifactMetadata: '{"rows":10}' } },
      action: { actionType: "NOTIFICATION", data: { title: "New dataset", text: "check it", severity: "INFO" } },
    });
    const byProject = await gql(server.url, KEYS.bob, GetProjectAutomationHistory, { project: "llm", entity: "ml", projectOnly: false });
    expect(byProject.body.data.scope.triggerExecutions.totalCount).toBe(1);
    const projectOnly = await gql(server.url, KEYS.bob, GetProjectAutomationHistory, { project: "llm", entity: "ml", projectOnly: true });
    expect(projectOnly.body.data.scope.triggerExecutions.totalCount).toBe(0);
    // The collection "other" was created on first sight.
    const other = await gql(server.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { artifactCollection(name: "other") { __typename name } } }`);
    expect(other.body.data.project.artifactCollection).toEqual({ __typename: "ArtifactSequence", name: "other" });
  });
});
