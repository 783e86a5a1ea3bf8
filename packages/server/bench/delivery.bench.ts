// Delivery benchmark (issue 4, anchor B6): 20,000 webhook firings delivered by the dispatcher (templating,
// HMAC signing, idempotency key, attempt bookkeeping group-committed to SQLite, retries) to a loopback
// receiver that answers 1 % 500 and 1 % 429 + Retry-After, against a bare undici Pool loop POSTing the same
// number of requests to the same receiver. The receiver runs in a child process. Figures are printed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { Pool } from "undici";
import { createEngine, type Firing, type TripwireEvent } from "@tripwire/evaluator";
import { execute } from "../src/graphql/execute.js";
import { silentLogger } from "../src/log.js";
import { Dispatcher } from "../src/runtime/dispatcher.js";
import { UrlPolicy } from "../src/runtime/url-policy.js";
import { seedStore } from "../src/seed.js";
import { openStore } from "../src/store/sqlite.js";
import type { ExecutionRecord, NewExecution } from "../src/store/types.js";
import { fmt, spawnListening } from "./common.js";

const N = 20_000;
const IN_FLIGHT = 64;
const RECEIVER = fileURLToPath(new URL("./receiver.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tripwire-delivery-"));
const rx = await spawnListening(["--import", "tsx", RECEIVER]);
const stats = async () => (await (await fetch(`${rx.url}/stats`)).json()) as { requests: number; keys: number; duplicates: number; statuses: Record<string, number> };

const reset = () => fetch(`${rx.url}/reset`, { method: "POST" }).then((r) => r.text());

try {
  // The firings: one webhook automation, N runs crossing its threshold, evaluated by the real engine.
  const store = openStore(join(dir, "d.db"));
  seedStore(store, {
    users: [{ username: "bench", apiKeys: ["bench-key-000001"] }],
    teams: [{ name: "ml", admins: ["bench"] }],
    projects: [{ entity: "ml", name: "llm" }],
    secrets: [
      { entity: "ml", name: "HOOK_SECRET", value: "s3cret" },
      { entity: "ml", name: "HOOK_TOKEN", value: "t0ken" },
    ],
    integrations: [{ kind: "webhook", entity: "ml", name: "ci", url: `${rx.url}/hook`, secret: "HOOK_SECRET", accessToken: "HOOK_TOKEN" }],
  });
  const ids = (await execute(store, { query: `{ project(name: "llm", entityName: "ml") { id } entity(name: "ml") { integrations { edges { node { id } } } } }` }, { user: "bench" })).body.data as any;
  const payload = '{"event_type":"${event_type}","run":"${run_name}","status":"${metric_current_status}","entity":"${entity_name}","project":"${project_name}"}';
  const created = await execute(
    store,
    {
      query: `mutation($input: CreateFilterTriggerInput!) { createFilterTrigger(input: $input) { trigger { id } } }`,
      variables: {
        input: {
          name: "acc-hook",
          enabled: true,
          scopeType: "PROJECT",
          scopeID: ids.project.id,
          triggeringEventType: "RUN_METRIC",
          eventFilter: JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_metric_filter: { threshold_filter: { name: "acc", agg_op: null, window_size: 1, cmp_op: "$gte", threshold: 0.9 } }, metric_filter: null }),
          triggeredActionType: "GENERIC_WEBHOOK",
          triggeredActionConfig: { genericWebhookActionInput: { integrationID: ids.entity.integrations.edges[0].node.id, requestPayload: payload } },
        },
      },
    },
    { user: "bench" },
  );
  const trigger = store.allTriggers()[0];
  if (created.body.errors || !trigger) throw new Error(JSON.stringify(created.body.errors));
  const engine = createEngine([
    {
      id: "t",
      spec: { name: "acc-hook", enabled: true, scope: { type: "project", entity: "ml", project: "llm" }, event: { type: "runMetricThreshold", metric: "acc", agg: null, window: 1, cmp: "gte", threshold: 0.9 }, action: { type: "noop" } },
    },
  ]);
  const events: TripwireEvent[] = Array.from({ length: N }, (_, i) => ({
    type: "run.metric",
    entity: "ml",
    project: "llm",
    run: { id: `run-${i}`, name: `sweep-${i}`, user: "bench" },
    step: 1,
    timestamp: "2026-11-26T10:00:00Z",
    metrics: { acc: 0.95 },
  }));
  const firings: Firing[] = engine.pushBatch(events).map((f) => ({ ...f, automationId: "VHJpZ2dlcjox" }));
  if (firings.length !== N) throw new Error(`expected ${N} firings, got ${firings.length}`);
  const rowsFor = (fs: readonly Firing[]): NewExecution[] =>
    fs.map((f) => ({
      key: crypto.randomUUID(),
      triggerId: trigger.id,
      triggerName: trigger.name,
      entityId: trigger.entityId,
      projectId: trigger.projectId,
      collectionId: null,
      scopeType: trigger.scopeType,
      scopeId: trigger.scopeId,
      batchId: 0,
      eventType: trigger.eventType,
      actionType: trigger.actionType,
      action: trigger.actionConfig,
      firing: JSON.stringify(f),
      state: "PENDING",
      nextAttemptAt: 0,
      error: null,
    }));

  // Baseline: a bare undici Pool loop, same receiver, same number of requests, same concurrency.
  const sample = JSON.stringify({ event_type: "RUN_METRIC_THRESHOLD", run: "sweep-0", status: "acc = 0.95", entity: "ml", project: "llm" });
  async function bare(n: number): Promise<number> {
    await reset();
    const pool = new Pool(rx.url, { connections: IN_FLIGHT, pipelining: 1 });
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < n) {
          next++;
          const res = await pool.request({ method: "POST", path: "/hook", headers: { "content-type": "application/json" }, body: sample });
          await res.body.text();
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    await pool.close();
    return n / seconds;
  }

  // Tripwire: executions committed as the runtime commits them, then handed to the dispatcher, which
  // renders, signs, sends, retries and records every attempt. Timed from the hand-over.
  async function tripwire(fs: readonly Firing[]) {
    await reset();
    const rows = rowsFor(fs);
    const dispatcher = new Dispatcher(store, silentLogger, { concurrency: IN_FLIGHT, connectionsPerOrigin: IN_FLIGHT, baseDelayMs: 100, maxDelayMs: 2000, urlPolicy: new UrlPolicy(["127.0.0.1"]) });
    const ids = store.transaction(() => store.insertExecutions(rows));
    const now = new Date().toISOString();
    const t1 = Date.now();
    dispatcher.enqueue(
      rows.map((r, i): ExecutionRecord => ({ ...r, id: ids[i] as number, attempts: 0, createdAt: now, updatedAt: now, statusCode: null, response: null })),
      fs,
    );
    // No polling while it runs: the first pass ends with the last first attempt, read from the history.
    await dispatcher.idle();
    const drained = (Date.now() - t1) / 1000;
    await dispatcher.close();
    let lastFirst = 0;
    for (const id of ids) {
      const a = store.attempts(id)[0];
      if (a) lastFirst = Math.max(lastFirst, Date.parse(a.startedAt) + a.durationMs);
    }
    const firstPass = (lastFirst - t1) / 1000;
    return { rate: rows.length / firstPass, firstPass, drained, stats: await stats(), ids };
  }

  // Warm both paths up (JIT, connections), then alternate and keep the best of two runs each.
  await bare(2000);
  await tripwire(firings.slice(0, 2000));
  const bareRuns: number[] = [];
  const runs: Awaited<ReturnType<typeof tripwire>>[] = [];
  for (let round = 0; round < 2; round++) {
    bareRuns.push(await bare(N));
    runs.push(await tripwire(firings));
  }
  const bareRate = Math.max(...bareRuns);
  const best = runs.reduce((a, b) => (b.rate > a.rate ? b : a));
  const s = best.stats;

  // Every retry waited what the policy says: Retry-After for 429, backoff within bounds for 500.
  let violations = 0;
  let retried = 0;
  let finished = 0;
  for (const id of best.ids) {
    const x = store.executionById(id);
    if (x?.state === "FINISHED") finished++;
    if (!x || x.attempts < 2) continue;
    const attempts = store.attempts(x.id);
    for (let i = 0; i + 1 < attempts.length; i++) {
      const a = attempts[i]!;
      const b = attempts[i + 1]!;
      retried++;
      const waited = Date.parse(b.startedAt) - (Date.parse(a.startedAt) + a.durationMs);
      const allowed = a.statusCode === 429 ? a.retryInMs === 1000 : a.retryInMs !== null && a.retryInMs >= 50 * 2 ** (a.attempt - 1) && a.retryInMs <= 100 * 2 ** (a.attempt - 1);
      if (!allowed || waited < (a.retryInMs ?? 0) - 2) violations++;
    }
  }
  const rate = best.rate;
  console.log(`delivery: ${fmt(N)} webhook firings, ${IN_FLIGHT} in flight, receiver answers 1 % 500 and 1 % 429 (Retry-After: 1); best of 2 after warm-up`);
  console.log(`  bare undici Pool loop:          ${fmt(bareRate).padStart(8)} req/s (runs: ${bareRuns.map((r) => fmt(r)).join(", ")})`);
  console.log(`  tripwire dispatcher, 1st pass:  ${fmt(rate).padStart(8)} deliveries/s (runs: ${runs.map((r) => fmt(r.rate)).join(", ")})`);
  console.log(`  tripwire, all retries drained:  ${fmt(best.drained, 2)} s (includes the 1 s Retry-After waits)`);
  console.log(`  receiver: ${fmt(s.requests)} requests ${JSON.stringify(s.statuses)}, ${fmt(s.keys)} idempotency keys answered 2xx, duplicates ${s.duplicates}`);
  console.log(`  executions FINISHED: ${fmt(finished)}/${fmt(N)}; retries checked against policy: ${fmt(retried)}, violations: ${violations}`);
  console.log(`  ratio vs bare: ${fmt(rate / bareRate, 2)}x (goal >= 0.70: ${rate / bareRate >= 0.7 ? "met" : "NOT met"}); zero duplicates: ${s.duplicates === 0 ? "yes" : "NO"}`);
  store.close();
} finally {
  await rx.stop();
  rmSync(dir, { recursive: true, force: true });
}
