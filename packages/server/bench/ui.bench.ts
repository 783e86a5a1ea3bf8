// The web page's data at a realistic size: 100 automations, 1,000 event batches of 50 runs each (50,000 events),
// 5,000 executions. Each of the page's JSON routes against the REST history it builds on (`GET /api/v1/history`,
// the baseline), measured in the same run: median and p95 of 30 sequential requests after 5 warm-up requests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../src/server.js";
import { UI_COOKIE } from "../src/ui.js";
import { fmt } from "./common.js";

const AUTOMATIONS = 100;
const BATCHES = 1_000;
const RUNS = 50;
const SAMPLES = 30;
const dir = mkdtempSync(join(tmpdir(), "tripwire-ui-bench-"));
const key = "bench-key-000001";
const auth = `Basic ${Buffer.from(`api:${key}`).toString("base64")}`;
const server = await startServer({
  db: join(dir, "u.db"),
  port: 0,
  durability: "normal",
  shutdownGraceMs: 200,
  seed: { users: [{ username: "bench", apiKeys: [key] }], teams: [{ name: "ml", admins: ["bench"] }], projects: [{ entity: "ml", name: "llm" }] },
});

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const r = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify({ query, variables }) });
  const body = (await r.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Median and p95 (ms) of `SAMPLES` GETs of `path`, each answered 200. */
async function time(path: string, headers: Record<string, string>): Promise<{ median: number; p95: number; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SAMPLES + 5; i++) {
    const t0 = performance.now();
    const r = await fetch(`${server.url}${path}`, { headers });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${text.slice(0, 300)}`);
    if (i >= 5) ms.push(performance.now() - t0);
    bytes = text.length;
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)] as number, p95: ms[Math.ceil(0.95 * ms.length) - 1] as number, bytes };
}

try {
  const d = await gql(`{ project(name: "llm", entityName: "ml") { id } }`);
  for (let i = 0; i < AUTOMATIONS; i++) {
    await gql(`mutation($input: CreateFilterTriggerInput!) { createFilterTrigger(input: $input) { trigger { id } } }`, {
      input: {
        name: `loss-${String(i).padStart(3, "0")}`,
        enabled: true,
        scopeType: "PROJECT",
        scopeID: d.project.id,
        triggeringEventType: "RUN_METRIC",
        eventFilter: JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_metric_filter: { threshold_filter: { name: "loss", agg_op: "AVERAGE", window_size: 5, cmp_op: "$gt", threshold: 0.5 + i / 1000 } }, metric_filter: null }),
        triggeredActionType: "NO_OP",
        triggeredActionConfig: { noOpActionInput: { noOp: true } },
      },
    });
  }
  for (let b = 0; b < BATCHES; b++) {
    const lines = Array.from({ length: RUNS }, (_, r) =>
      JSON.stringify({ type: "run.metric", entity: "ml", project: "llm", run: { id: `r${r}`, name: `sweep-${r}`, user: "bench" }, step: b, timestamp: new Date(Date.UTC(2026, 10, 26, 0, 0, b)).toISOString(), metrics: { loss: b / BATCHES + r / 1000, acc: 1 - b / BATCHES } }),
    );
    const res = await fetch(`${server.url}/api/v1/events`, { method: "POST", headers: { authorization: auth, "content-type": "application/x-ndjson" }, body: lines.join("\n") });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
  }
  await server.dispatcher.idle();
  const cookie = { cookie: `${UI_COOKIE}=${key}` };
  const history = (await (await fetch(`${server.url}/api/v1/history?limit=200`, { headers: { authorization: auth } })).json()) as { entries: { cursor: number }[] };
  const last = history.entries.at(-1)?.cursor as number;
  const rows: [string, Awaited<ReturnType<typeof time>>][] = [
    ["GET /api/v1/history?limit=200 (baseline)", await time("/api/v1/history?limit=200", { authorization: auth })],
    ["GET /ui/api/history?limit=200", await time("/ui/api/history?limit=200", cookie)],
    [`GET /ui/api/automations (${AUTOMATIONS})`, await time("/ui/api/automations", cookie)],
    ["GET /ui/api/execution (with sparkline)", await time(`/ui/api/execution?cursor=${last}`, cookie)],
  ];
  const base = rows[0]?.[1].median as number;
  console.log(`ui: ${AUTOMATIONS} automations, ${BATCHES} batches x ${RUNS} events, ${server.store.listExecutions({}, { after: 0, limit: 1 }).totalCount} executions; ${SAMPLES} sequential requests each`);
  for (const [name, t] of rows) console.log(`  ${name.padEnd(44)} median ${fmt(t.median, 2).padStart(7)} ms  p95 ${fmt(t.p95, 2).padStart(7)} ms  ${String(t.bytes).padStart(7)} B  ${fmt(t.median / base, 2)}x`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
