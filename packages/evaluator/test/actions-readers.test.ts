import { describe, expect, it } from "vitest";
import type { NotificationActionSpec, WebhookActionSpec } from "@tripwire/sdk";
import {
  createEngine,
  parseEvent,
  parseTimestamp,
  readJsonlEvents,
  readWandbHistoryCsv,
  renderPayload,
  replay,
  restoreEngine,
  signPayload,
  slackMessage,
  templateVariables,
  webhookRequest,
  type Firing,
  type TripwireEvent,
} from "../src/index.js";
import { auto, iso, LLM, points, T0 } from "./helpers.js";

const hook: WebhookActionSpec = { type: "webhook", integration: { kind: "webhook", name: "ci" }, payload: { run: "${run_name}", status: "${metric_current_status}", who: "${event_author}", token: "${ACCESS_TOKEN}", key: "${API_KEY}", nothing: "${alias}", unknown: "${no_such_thing}" } };
const weirdRun = { id: "r1", name: 'say "hi"\nline 2 \\ ünï 🚀 \u0001', user: "alice" };

function metricFiring(): Firing {
  const events = points([1, 2, 3]).map((e) => ({ ...e, run: weirdRun }));
  const [f] = replay([auto({ type: "runMetricThreshold", metric: "loss", agg: "mean", window: 3, cmp: "gte", threshold: 2 })], events);
  return f as Firing;
}

describe("§E.2 payload templates", () => {
  it("keeps the body valid JSON whatever the run name holds (quotes, newlines, backslashes, unicode, control characters)", () => {
    const body = renderPayload(hook, metricFiring(), { secrets: { API_KEY: 'k"1', ACCESS_TOKEN: "tok" } }) as string;
    const parsed = JSON.parse(body);
    expect(parsed).toEqual({ run: weirdRun.name, status: "mean(loss, 3) = 2", who: "alice", token: "tok", key: 'k"1', nothing: "", unknown: "" });
  });

  it("gives every variable of spec §E.2, empty where it does not apply", () => {
    const vars = templateVariables(metricFiring());
    expect(vars).toMatchObject({ automation_name: "a", event_type: "RUN_METRIC_THRESHOLD", entity_name: "acme", project_name: "llm", run_name: weirdRun.name, metric_name: "loss", metric_values: "[1,2,3]", metric_filter: "mean(loss, 3) >= 2", metric_filter_short: "loss >= 2", alias: "", tag: "", artifact_version: "", run_status: "" });
  });

  it("artifact variables: version string, W&B artifact URI, metadata keys; LINK_ARTIFACT, not the wire's LINK_MODEL", () => {
    const e: TripwireEvent = { type: "artifact.linked", entity: "acme", registry: "model", collection: "llm-7b", version: 2, aliases: ["staging"], metadata: { accuracy: 0.91, owner: "ml" }, artifactId: "QXJ0aWZhY3Q6NTE3", user: "bob", timestamp: iso(T0) };
    const [f] = replay([auto({ type: "linkArtifact" }, { type: "registry", org: "acme", registry: "model" })], [e]);
    expect(templateVariables(f as Firing)).toMatchObject({
      event_type: "LINK_ARTIFACT",
      event_author: "bob",
      project_name: "wandb-registry-model",
      artifact_collection_name: "llm-7b",
      artifact_version_string: "acme/wandb-registry-model/llm-7b:v2",
      artifact_version: "wandb-artifact://_id/QXJ0aWZhY3Q6NTE3",
      artifact_version_index: "2",
      "artifact_metadata.accuracy": "0.91",
      "artifact_metadata.owner": "ml",
    });
    const payload: WebhookActionSpec = { type: "webhook", integration: { kind: "webhook", name: "ci" }, payloadText: '{"acc": ${artifact_metadata.accuracy}, "v": "${artifact_version_string}"}' };
    expect(JSON.parse(renderPayload(payload, f as Firing, {}) as string)).toEqual({ acc: 0.91, v: "acme/wandb-registry-model/llm-7b:v2" });
  });

  it("describes change and z-score conditions and their current values", () => {
    const change = auto({ type: "runMetricChange", metric: "loss", agg: null, window: 1, priorWindow: 1, change: "relative", direction: "decrease", amount: 0.2 });
    const [c] = replay([change], points([10, 12, 9]));
    expect(templateVariables(c as Firing)).toMatchObject({ metric_filter: "loss decreases by at least 20% against the 1 values before", metric_filter_short: "loss decreases by 20%", metric_current_status: "loss went from 12 to 9 (-25%)", metric_values: "[9]" });
    const [z] = replay([auto({ type: "runMetricZScore", metric: "loss", window: 5, direction: "any", threshold: 2 })], points([1, 1, 1, 1, 5]));
    expect(templateVariables(z as Firing)).toMatchObject({ metric_filter: "zscore(loss, 5) beyond ±2", metric_current_status: "zscore(loss, 5) = 2 (mean 1.8, std 1.6)" });
  });

  it("no payload configured renders no body", () => {
    expect(renderPayload({ type: "webhook", integration: { kind: "webhook", name: "ci" } }, metricFiring(), {})).toBeUndefined();
  });
});

describe("§E.1 webhook request", () => {
  it("signs with base64 HMAC-SHA256 (a published test vector)", () => {
    // HMAC_SHA256("key", "The quick brown fox jumps over the lazy dog") = f7bc83f4…3cd8 (RFC 4231-style example)
    expect(signPayload("The quick brown fox jumps over the lazy dog", "key")).toBe("97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=");
  });

  it("sets Content-Type, Authorization: Bearer and X-Wandb-Signature over the exact body", () => {
    const req = webhookRequest(hook, metricFiring(), { url: "https://ci.example/hook", secret: "s3cret", accessToken: "tok" }, { API_KEY: "k" });
    expect(req.url).toBe("https://ci.example/hook");
    expect(req.headers).toEqual({ "Content-Type": "application/json", Authorization: "Bearer tok", "X-Wandb-Signature": signPayload(req.body, "s3cret") });
    expect(JSON.parse(req.body).token).toBe("tok");
    expect(webhookRequest({ type: "webhook", integration: { kind: "webhook", name: "ci" } }, metricFiring(), { url: "u" })).toEqual({ url: "u", headers: { "Content-Type": "application/json" }, body: "" });
  });
});

describe("§A.4 Slack notification", () => {
  it("carries the event summary, the severity and a link to W&B", () => {
    const action: NotificationActionSpec = { type: "notification", integration: { kind: "slack", name: "alerts" }, title: "Loss <high>", message: "Check & retry", severity: "WARN" };
    const msg = slackMessage(action, metricFiring(), { baseUrl: "https://wandb.example/" });
    expect(msg.text).toContain("[WARN] Loss &lt;high&gt;: Run "); // escaped as in the blocks: the fallback is mrkdwn too
    expect(msg.text).toContain("mean(loss, 3) = 2 (mean(loss, 3) &gt;= 2)");
    const json = JSON.stringify(msg.blocks);
    expect(json).toContain("<https://wandb.example/acme/llm/runs/r1|View in W&B>");
    expect(json).toContain("Check &amp; retry");
    expect(json).toContain(":warning: WARN");
  });
});

describe("event JSON (the public contract)", () => {
  it("accepts the documented events", () => {
    const lines = [
      '{"type":"run.metric","entity":"acme","project":"llm","run":{"id":"r1","name":"sweep-1","user":"alice"},"step":7,"timestamp":"2026-11-26T10:00:00Z","metrics":{"loss":0.86,"gpu":3.5}}',
      '{"type":"run.state","entity":"acme","project":"llm","run":{"id":"r1","name":"sweep-1","user":"alice"},"state":"finished","timestamp":"2026-11-26T10:00:00Z"}',
      '{"type":"artifact.created","entity":"acme","project":"llm","collection":"dataset","version":3,"aliases":["latest"],"tags":[],"metadata":{},"user":"alice","timestamp":"2026-11-26T10:00:00Z"}',
      '{"type":"artifact.linked","entity":"acme","registry":"model","collection":"llm-7b","version":2,"aliases":["staging"],"source":{"project":"llm","collection":"ckpt","version":5},"user":"bob","timestamp":"2026-11-26T10:00:00+02:00"}',
      '{"type":"artifact.alias_added","entity":"acme","registry":"model","collection":"llm-7b","version":2,"alias":"production","timestamp":"2026-11-26T10:00:00.123Z"}',
      '{"type":"artifact.tag_added","entity":"acme","project":"llm","collection":"dataset","version":3,"tag":"europe","timestamp":"2026-11-26T10:00:00Z"}',
      '{"type":"collection.tag_removed","entity":"acme","project":"llm","collection":"dataset","tag":"gold","timestamp":"2026-11-26T10:00:00Z"}',
    ];
    for (const line of lines) expect(parseEvent(JSON.parse(line)).ok, line).toBe(true);
  });

  it.each([
    [{ type: "artifact.created", entity: "acme", project: "llm", registry: "model", collection: "c", version: 1, timestamp: "2026-11-26T10:00:00Z" }, ["project"], "exactly one of project"],
    [{ type: "artifact.created", entity: "acme", project: "wandb-registry-model", collection: "c", version: 1, timestamp: "2026-11-26T10:00:00Z" }, ["project"], 'registry: "model"'],
    [{ type: "run.state", entity: "acme", project: "llm", run: { id: "r", name: 3, user: "u" }, state: "failed", timestamp: "2026-11-26T10:00:00Z" }, ["run", "name"], "string"],
    [{ type: "run.state", entity: "acme", project: "llm", run: { id: "r", name: "n", user: "u" }, state: "paused", timestamp: "2026-11-26T10:00:00Z" }, ["state"], ""],
    [{ type: "artifact.alias_added", entity: "acme", project: "llm", collection: "c", version: 1, timestamp: "2026-11-26T10:00:00Z" }, ["alias"], ""],
    [{ type: "run.metric", entity: "acme", project: "llm", run: { id: "r", name: "n", user: "u" }, step: 1, timestamp: "yesterday", metrics: {} }, ["timestamp"], ""],
  ])("rejects %j at %j", (json, path, message) => {
    const r = parseEvent(json);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("parses ISO timestamps like Date.parse", () => {
    for (const s of ["2026-11-26T10:00:00Z", "2026-11-26T10:00:00.1Z", "2026-11-26T10:00:00.12Z", "2026-11-26T10:00:00.123456Z", "2024-02-29T23:59:59Z", "1969-07-20T20:17:40Z", "2026-11-26T10:00:00+02:00", "2026-11-26T10:00:00.5-05:30"]) {
      expect(parseTimestamp(s), s).toBe(Date.parse(s));
    }
    expect(parseTimestamp("nope")).toBeNaN();
  });
});

describe("readers for recorded history", () => {
  const collect = async (it: AsyncIterable<TripwireEvent>) => {
    const out: TripwireEvent[] = [];
    for await (const e of it) out.push(e);
    return out;
  };
  const good = '{"type":"run.state","entity":"acme","project":"llm","run":{"id":"r1","name":"sweep-1","user":"alice"},"state":"failed","timestamp":"2026-11-26T10:00:00Z"}';

  it("reads JSONL given as lines or as whole text, skipping blank lines", async () => {
    expect(await collect(readJsonlEvents([good, "", good]))).toHaveLength(2);
    expect(await collect(readJsonlEvents([`${good}\n\n${good}\r\n`]))).toHaveLength(2);
  });

  it("names the line and the field of a bad event", async () => {
    const bad = good.replace('"name":"sweep-1"', '"name":42');
    await expect(collect(readJsonlEvents([good, "", bad]))).rejects.toThrow(/^TW2010: line 3: run\.name: .*string/);
    await expect(collect(readJsonlEvents([good, "{oops"]))).rejects.toThrow(/line 2: not valid JSON/);
  });

  it("reads a W&B history CSV export: _step, _timestamp (seconds), one column per metric, run metadata", async () => {
    const csv = ['_step,_runtime,_timestamp,loss,"system/gpu.0.gpu",note', "0,1.5,1795687200,0.9,50,", '1,2.5,1795687210.5,0.8,,"a, ""quoted""', "multi-line\"", '2,3.5,1795687220,NaN,70,x'].join("\n");
    const events = await collect(readWandbHistoryCsv(csv, { entity: "acme", project: "llm", id: "r1", name: "sweep-1", user: "alice", state: "finished" }));
    expect(events).toEqual([
      { type: "run.metric", entity: "acme", project: "llm", run: { id: "r1", name: "sweep-1", user: "alice" }, step: 0, timestamp: "2026-11-26T10:00:00.000Z", metrics: { loss: 0.9, "system/gpu.0.gpu": 50 } },
      { type: "run.metric", entity: "acme", project: "llm", run: { id: "r1", name: "sweep-1", user: "alice" }, step: 1, timestamp: "2026-11-26T10:00:10.500Z", metrics: { loss: 0.8, note: 'a, "quoted"\nmulti-line' } },
      { type: "run.metric", entity: "acme", project: "llm", run: { id: "r1", name: "sweep-1", user: "alice" }, step: 2, timestamp: "2026-11-26T10:00:20.000Z", metrics: { loss: NaN, "system/gpu.0.gpu": 70, note: "x" } },
      { type: "run.state", entity: "acme", project: "llm", run: { id: "r1", name: "sweep-1", user: "alice" }, state: "finished", timestamp: "2026-11-26T10:00:20.000Z" },
    ]);
    const gpu = auto({ type: "runMetricThreshold", metric: "system/gpu.0.gpu", agg: "max", window: 2, cmp: "gt", threshold: 60 });
    expect(createEngine([gpu]).pushBatch(events).map((f) => f.step)).toEqual([2]);
  });

  it("names the line and column of a bad CSV row", async () => {
    const run = { entity: "acme", project: "llm", id: "r1", name: "s", user: "u" };
    await expect(collect(readWandbHistoryCsv("_step,_timestamp,loss\n0,1795687200,1\nx,1795687201,2\n", run))).rejects.toThrow(/line 3, column _step/);
    await expect(collect(readWandbHistoryCsv("step,loss\n0,1\n", run))).rejects.toThrow(/no _step column/);
  });
});

describe("restoreEngine with a changed automation list", () => {
  const mean3 = (threshold: number, name: string) => ({ id: name, spec: auto({ type: "runMetricThreshold", metric: "loss", agg: "mean", window: 3, cmp: "gt", threshold }, LLM, name) });
  it("keeps unchanged automations' windows and cooldowns; new and changed ones start fresh; removed ones are dropped", () => {
    const before = [mean3(1, "kept"), mean3(1, "changed"), mean3(1, "removed")];
    const engine = createEngine(before, { cooldownMs: 0 });
    engine.pushBatch(points([5, 5, 5]));
    const snapshot = JSON.parse(JSON.stringify(engine.snapshot()));
    const after = [mean3(1, "kept"), mean3(2, "changed"), mean3(1, "added")];
    const restored = restoreEngine(after, snapshot, { cooldownMs: 0 });
    const next = points([5, 5, 5, 5], { start: T0 + 10_000 }).map((e, i) => ({ ...e, step: 3 + i }));
    expect(next.map((e) => restored.push(e).map((f) => f.automationId))).toEqual([["kept"], ["kept"], ["kept", "changed", "added"], ["kept", "changed", "added"]]);
    expect(restored.snapshot().automations.map((a) => [a.id, a.epoch])).toEqual([["kept", 0], ["changed", 1], ["added", 1]]);
  });

  it("keeps the 24 h limit of an unchanged automation across a restore", () => {
    const a = [mean3(1, "kept")];
    const engine = createEngine(a);
    expect(engine.pushBatch(points([5, 5, 5]))).toHaveLength(1);
    const restored = restoreEngine(a, JSON.parse(JSON.stringify(engine.snapshot())));
    expect(restored.pushBatch(points([5, 5], { start: T0 + 60_000 }).map((e, i) => ({ ...e, step: 10 + i })))).toEqual([]);
  });
});
