// Ingest benchmark (issue 4, anchors B4/B5): batches of 100 metric points and single-event POSTs against the
// real server (validated, persisted with group commit, evaluated, acknowledged after commit), compared in the
// same run with a bare node:http server that only parses the same JSON. Server and baseline run as child
// processes; this process is the load generator (undici Pool). Figures are printed, never asserted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { BARE, BIN, fmt, load, spawnListening } from "./common.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const RUNS = 2000;
const KEY = "bench-key-000001";
const AUTH = { Authorization: `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}`, "Content-Type": "application/x-ndjson" };

const dir = mkdtempSync(join(tmpdir(), "tripwire-bench-"));
const seedFile = join(dir, "seed.json");
writeFileSync(
  seedFile,
  JSON.stringify({
    users: [{ username: "bench", apiKeys: [KEY] }],
    teams: [{ name: "ml", admins: ["bench"] }],
    projects: [{ entity: "ml", name: "llm" }],
  }),
);

// A history row of run r at its next step: `loss` in a slow wave (windows move but rarely fire) and
// `extra - 1` more metrics, as a W&B history row logs several metrics at one step.
const steps = new Int32Array(RUNS);
const EXTRA = ["acc", "lr", "grad_norm", "gpu", "cpu", "mem", "tokens", "epoch", "val_loss"];
const event = (i: number, metrics: number): string => {
  const r = i % RUNS;
  const s = steps[r] as number;
  steps[r] = s + 1;
  const wave = (Math.sin(s / 50) + 1).toFixed(4);
  const more = EXTRA.slice(0, metrics - 1).map((m, k) => `,"${m}":${((s * (k + 3)) % 997) / 10}`).join("");
  return `{"type":"run.metric","entity":"ml","project":"llm","run":{"id":"run-${r}","name":"sweep-${r}","user":"bench"},"step":${s},"timestamp":"2026-11-26T10:00:00Z","metrics":{"loss":${wave}${more}}}`;
};
let counter = 0;
/** 100 metric points per request: 100 one-metric rows, or 10 rows of 10 metrics. */
const batchOf = (perRow: number) => () => Array.from({ length: 100 / perRow }, () => event(counter++, perRow)).join("\n");
const single = () => event(counter++, 1);
type Mode = "single" | "batch1" | "batch10";
const body = (mode: Mode) => (mode === "single" ? single : mode === "batch1" ? batchOf(1) : batchOf(10));

async function automations(url: string) {
  const q = (query: string, variables: unknown) =>
    fetch(`${url}/graphql`, { method: "POST", headers: { ...AUTH, "Content-Type": "application/json" }, body: JSON.stringify({ query, variables }) }).then((r) => r.json()) as Promise<any>;
  const project = (await q(`{ project(name: "llm", entityName: "ml") { id } }`, {})).data.project.id;
  const filters = [
    ["loss", "AVERAGE", 5, "$gt", 1.95],
    ["loss", "MAX", 50, "$gt", 1.999],
    ["loss", "MIN", 10, "$lt", 0.0001],
    ["loss", null, 1, "$gt", 1.9999],
  ] as const;
  for (const [i, [name, agg, window, cmp, threshold]] of filters.entries()) {
    const r = await q(`mutation($input: CreateFilterTriggerInput!) { createFilterTrigger(input: $input) { trigger { id } } }`, {
      input: {
        name: `bench-${i}`,
        enabled: true,
        scopeType: "PROJECT",
        scopeID: project,
        triggeringEventType: "RUN_METRIC",
        eventFilter: JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_metric_filter: { threshold_filter: { name, agg_op: agg, window_size: window, cmp_op: cmp, threshold } }, metric_filter: null }),
        triggeredActionType: "NO_OP",
        triggeredActionConfig: { noOpActionInput: { noOp: true } },
      },
    });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
  }
}

async function tripwire(durability: string, mode: Mode, concurrency: number) {
  const db = join(dir, `ingest-${durability}-${mode}.db`);
  const s = await spawnListening([BIN, "--db", db, "--port", "0", "--seed", seedFile, "--durability", durability]);
  try {
    await automations(s.url);
    await load(s.url, "/api/v1/events", AUTH, body(mode), concurrency, 1); // warm-up
    return await load(s.url, "/api/v1/events", AUTH, body(mode), concurrency, SECONDS);
  } finally {
    await s.stop();
  }
}

async function bare(mode: Mode, concurrency: number) {
  const s = await spawnListening(["--import", "tsx", BARE]);
  try {
    await load(s.url, "/api/v1/events", AUTH, body(mode), concurrency, 1);
    return await load(s.url, "/api/v1/events", AUTH, body(mode), concurrency, SECONDS);
  } finally {
    await s.stop();
  }
}

/** B5's anchor: one event per autocommit transaction with synchronous=FULL (an fsync per event). */
function perRowFullRate(seconds: number): number {
  const db = new Database(join(dir, "per-row.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO events (body) VALUES (?)");
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < deadline) insert.run(event(n++, 1));
  const rate = n / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

try {
  console.log(`ingest: ${SECONDS} s per run, ${RUNS} runs round-robin, 4 metric automations, one point per event`);
  const line = (what: string, r: { rps: number; p50: number; p99: number }, perReq: number) =>
    console.log(`  ${what.padEnd(44)} ${fmt(r.rps).padStart(8)} req/s ${fmt(r.rps * perReq).padStart(10)} points/s   p50 ${fmt(r.p50, 1)} ms  p99 ${fmt(r.p99, 1)} ms`);

  const bare1 = await bare("batch1", 16);
  line("bare node:http, 100 rows x 1 metric", bare1, 100);
  const full1 = await tripwire("full", "batch1", 16);
  line("tripwire fsync, 100 rows x 1 metric", full1, 100);
  const normal1 = await tripwire("normal", "batch1", 16);
  line("tripwire synchronous=NORMAL, 100 rows x 1 metric", normal1, 100);
  const bare10 = await bare("batch10", 16);
  line("bare node:http, 10 rows x 10 metrics", bare10, 100);
  const full10 = await tripwire("full", "batch10", 16);
  line("tripwire fsync, 10 rows x 10 metrics", full10, 100);
  const bareSingle = await bare("single", 64);
  line("bare node:http, single events (64 in flight)", bareSingle, 1);
  const single1 = await tripwire("full", "single", 64);
  line("tripwire fsync, single events (64 in flight)", single1, 1);

  const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log("");
  console.log(`  points/s persisted, 1-metric rows:  ${fmt(full1.rps * 100)} (goal >= 300,000: ${verdict(full1.rps * 100 >= 300_000)}); ${fmt(full1.rps / bare1.rps, 2)}x the bare parse-only server`);
  console.log(`  points/s persisted, 10-metric rows: ${fmt(full10.rps * 100)} (goal >= 300,000: ${verdict(full10.rps * 100 >= 300_000)}); ${fmt(full10.rps / bare10.rps, 2)}x the bare parse-only server`);
  console.log(`  fsync per group commit vs synchronous=NORMAL: ${fmt(full1.rps / normal1.rps, 2)}x`);
  const perRow = perRowFullRate(2);
  console.log(`  durability anchor: one event per fsync'd autocommit ${fmt(perRow)} events/s; group commit (fsync) is ${fmt((full1.rps * 100) / perRow, 1)}x that`);
  const ratio = single1.rps / bareSingle.rps;
  console.log(`  single-event POSTs vs bare: ${fmt(ratio, 2)}x (goal >= 0.50: ${verdict(ratio >= 0.5)})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
