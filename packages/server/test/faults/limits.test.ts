// Issue 10 item 8, the smaller ones: sizes and depths bounded at input with a 400 that names the limit and path,
// GraphQL refuses CSRF-able bodies, the database is created owner-only, the Slack fallback text is escaped, and
// far-future timestamps are refused against the server's clock. Real server on loopback, real receivers.
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../../src/server.js";
import { openStore } from "../../src/store/sqlite.js";
import { CreateAutomation } from "../documents.js";
import { auth, gql, KEYS, metric, postEvents, receiver, SEED, tempDir, until } from "../helpers.js";
import { closeAll, closers, serve, threshold } from "./harness.js";

afterEach(closeAll);

const runMetric = (metrics: string, timestamp = "2026-11-26T10:00:00Z") =>
  `{"type":"run.metric","entity":"ml","project":"llm","run":{"id":"r1","name":"r1","user":"bob"},"step":1,"timestamp":"${timestamp}","metrics":${metrics}}`;

describe("input bounds", () => {
  it("answers 400 with the path for deeply nested metric values, in NDJSON and JSON arrays, and stays up", async () => {
    const { server } = await serve([]);
    const deep = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
    for (const body of [runMetric(`{"deep":${deep(5000)}}`), `[${runMetric(`{"ok":1}`)},${runMetric(`{"deep":${deep(100_000)}}`)}]`]) {
      const r = await postEvents(server.url, KEYS.bob, body);
      expect(r.status).toBe(400);
      const issue = r.body.issues[0];
      expect(issue.message).toBe("nested deeper than 32 levels");
      expect(issue.path.slice(0, 3)).toEqual(["metrics", "deep", "a"]);
      expect(issue.path).toHaveLength(32);
    }
    // 30 levels is fine, and the server still answers.
    expect((await postEvents(server.url, KEYS.bob, runMetric(`{"deep":${deep(29)}}`))).status).toBe(200);
  });

  it("answers 400 with the path for a deeply nested filter, also inside run_filter's JSON text", async () => {
    const { server, project } = await serve([]);
    const nested = '{"$and":['.repeat(5000) + '{"display_name":{"$eq":"x"}}' + "]}".repeat(5000);
    const filters = [
      JSON.stringify({ run_filter: nested, run_metric_filter: JSON.parse(threshold("acc", 0.9)).run_metric_filter, metric_filter: null }),
      `{"run_filter":"{}","run_metric_filter":${'{"x":'.repeat(4000)}1${"}".repeat(4000)}}`,
    ];
    for (const eventFilter of filters) {
      const r = await gql(server.url, KEYS.bob, CreateAutomation, {
        input: { name: "deep", enabled: true, scopeType: "PROJECT", scopeID: project, triggeringEventType: "RUN_METRIC", eventFilter, triggeredActionType: "NO_OP", triggeredActionConfig: { noOpActionInput: { noOp: true } } },
      });
      expect(r.status).toBe(400);
      expect(r.body.errors?.[0]?.message).toMatch(/^eventFilter is nested deeper than 32 levels at (run_filter\.\$and\.0|run_metric_filter\.x\.x)/);
    }
  });

  it("refuses an oversized payload or description at input and names the limit; a 10 MB one stops at the body limit", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const { server, project, integrations } = await serve([{ kind: "webhook", entity: "ml", name: "ci", url: `${hook.url}/hook` }], { allowPrivate: ["127.0.0.1"] });
    // Over the field limits, under the GraphQL body limit (1 MiB), so the field check is what answers.
    const big = "x".repeat(200_000);
    const input = (over: { description?: string; requestPayload?: string }) => ({
      name: "big",
      description: over.description ?? null,
      enabled: true,
      scopeType: "PROJECT",
      scopeID: project,
      triggeringEventType: "RUN_METRIC",
      eventFilter: threshold("acc", 0.9),
      triggeredActionType: "GENERIC_WEBHOOK",
      triggeredActionConfig: { genericWebhookActionInput: { integrationID: integrations[0], requestPayload: over.requestPayload ?? "{}" } },
    });
    const payload = await gql(server.url, KEYS.bob, CreateAutomation, { input: input({ requestPayload: `{"x":"${big}"}` }) });
    expect(payload.status).toBe(400);
    expect(payload.body.errors?.[0]?.message).toBe(`requestPayload is ${big.length + 8} characters long; at most 65536 are allowed`);
    const description = await gql(server.url, KEYS.bob, CreateAutomation, { input: input({ description: big }) });
    expect(description.status).toBe(400);
    expect(description.body.errors?.[0]?.message).toBe(`description is ${big.length} characters long; at most 4096 are allowed`);
    const huge = await gql(server.url, KEYS.bob, CreateAutomation, { input: input({ description: "x".repeat(10 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);
    expect((huge.body.errors?.[0]?.extensions as { limit?: string } | undefined)?.limit).toBe("body");
    expect(server.store.allTriggers()).toHaveLength(0);
    expect((await gql(server.url, KEYS.bob, CreateAutomation, { input: input({ description: "d".repeat(4096) }) })).status).toBe(200);
  });

  it("saves a payload that renders to invalid JSON and says so in extensions.warnings (TW1040)", async () => {
    const { server, project, integrations } = await serve([{ kind: "webhook", entity: "ml", name: "ci", url: "https://hooks.example.com/x" }]);
    const input = (requestPayload: string, name: string) => ({
      name,
      enabled: true,
      scopeType: "PROJECT",
      scopeID: project,
      triggeringEventType: "RUN_METRIC",
      eventFilter: threshold("acc", 0.9),
      triggeredActionType: "GENERIC_WEBHOOK",
      triggeredActionConfig: { genericWebhookActionInput: { integrationID: integrations[0], requestPayload } },
    });
    const unquoted = await gql(server.url, KEYS.bob, CreateAutomation, { input: input('{"run": ${run_name}}', "unquoted") });
    expect(unquoted.status).toBe(200);
    expect(unquoted.body.data.result.trigger.name).toBe("unquoted");
    expect((unquoted.body as { extensions?: unknown }).extensions).toEqual({
      warnings: [{ code: "TW1040", path: ["action", "payloadText"], message: expect.stringMatching(/^automation "unquoted": payloadText does not render to valid JSON \(.+\); placeholders are replaced by their text without quotes/) }],
    });
    const quoted = await gql(server.url, KEYS.bob, CreateAutomation, { input: input('{"run": "${run_name}"}', "quoted") });
    expect(quoted.body).not.toHaveProperty("extensions");
  });

  it("refuses events stamped more than an hour ahead of the server's clock, with the path", async () => {
    const { server } = await serve([]);
    const far = await postEvents(server.url, KEYS.bob, [runMetric(`{"acc":1}`), runMetric(`{"acc":1}`, "2099-01-01T00:00:00Z")].join("\n"));
    expect(far.status).toBe(400);
    expect(far.body.issues).toEqual([
      { line: 2, index: 1, path: ["timestamp"], message: expect.stringMatching(/^timestamp 2099-01-01T00:00:00Z is more than 60 minutes ahead of the server's clock \(20\d\d-/) },
    ]);
    const soon = new Date(Date.now() + 5 * 60_000).toISOString();
    expect((await postEvents(server.url, KEYS.bob, runMetric(`{"acc":1}`, soon))).status).toBe(200);
  });
});

describe("GraphQL refuses bodies a web page could send cross-site (CSRF)", () => {
  it("answers 415 to text/plain, form and multipart bodies and to none, and runs application/json", async () => {
    const { server } = await serve([]);
    const body = JSON.stringify({ query: "{ viewer { username } }" });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined]) {
      const res = await fetch(`${server.url}/graphql`, { method: "POST", headers: { Authorization: auth(KEYS.bob), ...(type ? { "Content-Type": type } : {}) }, body: type ? body : new Blob([body]) });
      expect(res.status, String(type)).toBe(415);
      const got = (await res.json()) as { errors: { message: string }[] };
      expect(got.errors[0]?.message).toMatch(/^send GraphQL requests as Content-Type: application\/json \(got /);
    }
    const ok = await fetch(`${server.url}/graphql`, { method: "POST", headers: { Authorization: auth(KEYS.bob), "Content-Type": "application/json; charset=utf-8" }, body });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { viewer: { username: "bob" } } });
  });
});

describe("introspection", () => {
  it("is refused (403) for a key whose user belongs to no team or organization, and allowed for members", async () => {
    const t = tempDir();
    closers.push(t.cleanup);
    const server = await startServer({ db: join(t.dir, "x.db"), port: 0, seed: { ...SEED, users: [...(SEED.users ?? []), { username: "loner", apiKeys: ["loner-key-0005"] }] } });
    closers.push(server.close);
    for (const q of ["{ __schema { queryType { name } } }", '{ viewer { username } __type(name: "Trigger") { name } }']) {
      const r = await gql(server.url, "loner-key-0005", q);
      expect(r.status, q).toBe(403);
      expect(r.body).toEqual({ errors: [{ message: "introspection needs a member of a team or organization; this API key's user belongs to none", extensions: { code: "FORBIDDEN" } }] });
    }
    expect((await gql(server.url, "loner-key-0005", "{ viewer { username __typename } }")).body).toEqual({ data: { viewer: { username: "loner", __typename: "User" } } });
    expect((await gql(server.url, KEYS.bob, "{ __schema { queryType { name } } }")).body).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
  });
});

describe("the database file", () => {
  it("is created readable by its owner only, and so are its WAL and shared-memory files", () => {
    const t = tempDir();
    closers.push(t.cleanup);
    const path = join(t.dir, "private.db");
    const store = openStore(path);
    closers.push(() => store.close());
    store.transaction(() => store.upsertUser({ username: "someone" }));
    for (const f of [path, `${path}-wal`, `${path}-shm`]) expect((statSync(f).mode & 0o777).toString(8), f).toBe("600");
  });
});

describe("Slack fallback text", () => {
  it("escapes <!channel>, user mentions and links in the fallback as in the blocks", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const { server, project, integrations } = await serve([{ kind: "slack", entity: "ml", channelName: "#alerts", webhookUrl: `${hook.url}/slack` }], { allowPrivate: ["127.0.0.1"] });
    const r = await gql(server.url, KEYS.bob, CreateAutomation, {
      input: {
        name: "slack-acc",
        enabled: true,
        scopeType: "PROJECT",
        scopeID: project,
        triggeringEventType: "RUN_METRIC",
        eventFilter: threshold("acc", 0.9),
        triggeredActionType: "NOTIFICATION",
        triggeredActionConfig: { notificationActionInput: { integrationID: integrations[0], title: "Hi <!here> & co", message: "m", severity: "INFO" } },
      },
    });
    expect(r.body.errors).toBeUndefined();
    const name = "<!channel> <@U024BE7LH> <https://evil.example|click me>";
    expect((await postEvents(server.url, KEYS.bob, metric("r1", 1, { acc: 0.95 }, { name }))).status).toBe(200);
    const got = await until(() => hook.received[0], 5000, "the Slack message");
    const text = (JSON.parse(got.body) as { text: string }).text;
    expect(text).toBe(
      "[INFO] Hi &lt;!here&gt; &amp; co: Run &lt;!channel&gt; &lt;@U024BE7LH&gt; &lt;https://evil.example|click me&gt; in ml/llm: acc = 0.95 (acc >= 0.9)".replace("(acc >= 0.9)", "(acc &gt;= 0.9)"),
    );
    expect(text).not.toMatch(/<[!@h]/);
  });
});
