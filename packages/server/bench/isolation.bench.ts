// Delivery isolation benchmark (issue 10 item 7): the p99 latency of deliveries to a healthy receiver while 300
// firings to another origin hang, as a ratio to the healthy-only p99 measured in the same run (goal <= 2x).
// The real server in-process with its default delivery settings (128 attempts at once, 32 per origin), two
// loopback receivers: one never answers (the integration's timeout is 1.5 s), one answers 200 at once.
// Latency: from just before the healthy batch is posted to the receiver's arrival of each delivery.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../src/server.js";
import { fmt } from "./common.js";

const N = 300;
const HANGING_TIMEOUT_MS = 1500;
const WAIT_LIMIT_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), "tripwire-isolation-"));

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// Arrivals at the healthy receiver, by run name.
const arrivals = new Map<string, number>();
const healthy = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c));
  req.on("end", () => {
    arrivals.set((JSON.parse(body) as { run: string }).run, performance.now());
    res.end("ok");
  });
});
const hanging = createServer((req) => req.resume()); // never answers
const healthyUrl = await listen(healthy);
const hangingUrl = await listen(hanging);

const key = "bench-key-000001";
const auth = `Basic ${Buffer.from(`api:${key}`).toString("base64")}`;
const server = await startServer({
  db: join(dir, "i.db"),
  port: 0,
  durability: "normal",
  allowPrivate: ["127.0.0.1"],
  shutdownGraceMs: 200,
  seed: {
    users: [{ username: "bench", apiKeys: [key] }],
    teams: [{ name: "ml", admins: ["bench"] }],
    projects: [{ entity: "ml", name: "llm" }],
    integrations: [
      { kind: "webhook", entity: "ml", name: "healthy", url: `${healthyUrl}/hook` },
      { kind: "webhook", entity: "ml", name: "hanging", url: `${hangingUrl}/hook`, timeoutMs: HANGING_TIMEOUT_MS },
    ],
  },
});

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const r = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify({ query, variables }) });
  const body = (await r.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function post(lines: string[]) {
  const r = await fetch(`${server.url}/api/v1/events`, { method: "POST", headers: { authorization: auth, "content-type": "application/x-ndjson" }, body: lines.join("\n") });
  if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
}

const events = (prefix: string, metric: string) =>
  Array.from({ length: N }, (_, i) =>
    JSON.stringify({ type: "run.metric", entity: "ml", project: "llm", run: { id: `${prefix}-${i}`, name: `${prefix}-${i}`, user: "bench" }, step: 1, timestamp: "2026-11-26T10:00:00Z", metrics: { [metric]: 1 } }),
  );

/** Posts the healthy batch and returns the p99 of its deliveries' latency in ms. */
async function healthyP99(prefix: string): Promise<number> {
  const t0 = performance.now();
  await post(events(prefix, "g"));
  const deadline = Date.now() + WAIT_LIMIT_MS;
  const names = Array.from({ length: N }, (_, i) => `${prefix}-${i}`);
  while (names.some((n) => !arrivals.has(n))) {
    if (Date.now() > deadline) throw new Error(`${prefix}: not every healthy delivery arrived within ${WAIT_LIMIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const latencies = names.map((n) => (arrivals.get(n) as number) - t0).sort((a, b) => a - b);
  return latencies[Math.ceil(0.99 * latencies.length) - 1] as number;
}

try {
  const d = await gql(`{ project(name: "llm", entityName: "ml") { id } entity(name: "ml") { integrations { edges { node { id ... on GenericWebhookIntegration { name } } } } } }`);
  const hooks = Object.fromEntries((d.entity.integrations.edges as { node: { id: string; name: string } }[]).map((e) => [e.node.name, e.node.id]));
  for (const [name, metric, integration] of [["to-healthy", "g", hooks.healthy], ["to-hanging", "h", hooks.hanging]] as const) {
    await gql(`mutation($input: CreateFilterTriggerInput!) { createFilterTrigger(input: $input) { trigger { id } } }`, {
      input: {
        name,
        enabled: true,
        scopeType: "PROJECT",
        scopeID: d.project.id,
        triggeringEventType: "RUN_METRIC",
        eventFilter: JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_metric_filter: { threshold_filter: { name: metric, agg_op: null, window_size: 1, cmp_op: "$gte", threshold: 0.5 } }, metric_filter: null }),
        triggeredActionType: "GENERIC_WEBHOOK",
        triggeredActionConfig: { genericWebhookActionInput: { integrationID: integration, requestPayload: '{"run":"${run_name}"}' } },
      },
    });
  }
  await healthyP99("warm"); // JIT, connections
  const alone = await healthyP99("alone");
  await post(events("stuck", "h")); // 300 firings to the hanging origin, queued first
  const beside = await healthyP99("beside");
  const ratio = beside / alone;
  console.log(`isolation: ${N} healthy deliveries; beside them ${N} firings to an origin that never answers (timeout ${fmt(HANGING_TIMEOUT_MS)} ms)`);
  console.log(`  healthy-only p99:                  ${fmt(alone, 1).padStart(8)} ms`);
  console.log(`  healthy p99 beside hanging origin: ${fmt(beside, 1).padStart(8)} ms`);
  console.log(`  ratio: ${fmt(ratio, 2)}x (goal <= 2: ${ratio <= 2 ? "met" : "NOT met"})`);
} finally {
  await server.close();
  healthy.closeAllConnections();
  hanging.closeAllConnections();
  healthy.close();
  hanging.close();
  rmSync(dir, { recursive: true, force: true });
}
