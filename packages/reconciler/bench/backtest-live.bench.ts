/**
 * The backtest over the live history (issue 14 item 5). `npm run bench backtest-live`
 *
 * A Tripwire server in its own process (the built bin) with `BENCH_RUNS` runs × `BENCH_STEPS` steps × 5 metrics
 * ingested (default 200 × 5,000 = 10⁶ rows, about a minute and a half here; the issue's size is `BENCH_RUNS=1000
 * BENCH_STEPS=10000`, which needs the server to hold 10⁷ rows in memory: run it with `BENCH_SEED=store`, which writes
 * the history into the server's SQLite event log through its store API before the server starts instead of sending
 * it over HTTP; the reads measured are the same GraphQL requests either way), the automations of
 * `examples/training-health`. In the same run, alternating, best of
 * `BENCH_REPEAT` (3):
 *   - the anchor: the same history read with bare paged requests (W&B's `Runs` pages, then `HistoryPage` windows of
 *     1,000 steps, 8 in flight over an undici Pool) and `JSON.parse` of every answer and row, nothing else;
 *   - cold: the live backtest (`runBacktest` with `live`: listing, history, cache write, evaluation) with an empty cache;
 *   - warm: the same with the cache the cold run left (the history unchanged: the listing only).
 * Goals: cold ≤ 1.3× the anchor, warm ≤ 0.1×; requests made versus the fewest the API allows. Before timing, the
 * warm report must equal the cold one.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pool } from "undici";
import { isAutomation, toSpec, type AnyAutomation } from "@tripwire/sdk";
import { ensureProject, openStore, seedStore } from "@tripwire/server";
import * as trainingHealth from "../../../examples/training-health/automations.js";
import { spawnListening } from "../../server/bench/common.js";
import { runBacktest, type BacktestAutomation } from "../src/backtest/backtest.js";
import { readCached } from "../src/backtest/cache.js";
import { HISTORY_PAGE_QUERY, RUNS_PER_PAGE, RUNS_QUERY, STEPS_PER_WINDOW } from "../src/backtest/runs.js";
import { HttpTransport } from "../src/remote/transport.js";
import { rng } from "./random.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const STEPS = Number(process.env.BENCH_STEPS ?? 5_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const PARALLELISM = 8;
/** How the history gets into the server: `http` (the ingestion API) or `store` (its SQLite event log, directly). */
const SEED_VIA = process.env.BENCH_SEED ?? "http";
if (SEED_VIA !== "http" && SEED_VIA !== "store") throw new Error(`BENCH_SEED must be http or store, not ${SEED_VIA}`);
/** The server child's heap: it holds every history row in memory (about 2 GB at 10⁷ rows). */
const SERVER_HEAP_MB = Number(process.env.BENCH_SERVER_HEAP_MB ?? 8192);
const KEY = "bench-live-key-0001";
const METRICS = ["loss", "gpu", "grad_norm", "lr", "acc"] as const;
const STEP_MS = 15_000;

const automations: BacktestAutomation[] = (Object.values(trainingHealth) as unknown[])
  .filter((v): v is AnyAutomation => isAutomation(v))
  .map((a) => toSpec(a))
  .map((spec) => ({ id: spec.name, address: `project:acme-ml/llm-pretrain/${spec.name}`, spec }));
const ENTITY = "acme-ml";
const PROJECT = "llm-pretrain";
const SEED = { users: [{ username: "alice", apiKeys: [KEY] }], teams: [{ name: ENTITY, admins: ["alice"] }] };

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const auth = `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}`;

/** Each run's events in order (runs started over the last 6 days), with its final state: one batch of NDJSON lines per run. */
function* history(now: number): Generator<string[]> {
  const random = rng(14);
  const start = now - 6 * 86_400_000;
  const span = Math.max(0, now - start - STEPS * STEP_MS - 60_000);
  for (let r = 0; r < RUNS; r++) {
    const run = { id: `run-${r}`, name: r % 4 === 0 ? `debug-${r}` : r % 4 === 1 ? `train-${r}` : `sweep-${r}`, user: "alice" };
    const t0 = start + Math.floor(random() * span);
    const lines: string[] = [JSON.stringify({ type: "run.state", entity: ENTITY, project: PROJECT, run, state: "running", timestamp: new Date(t0).toISOString() })];
    for (let s = 0; s < STEPS; s++) {
      const metrics = { loss: Math.round((0.3 + random() * 0.5) * 1e4) / 1e4, gpu: Math.round(random() * 100), grad_norm: Math.round(random() * 1e4) / 1e3, lr: 0.001, acc: Math.round(random() * 1e4) / 1e4 };
      lines.push(JSON.stringify({ type: "run.metric", entity: ENTITY, project: PROJECT, run, step: s, timestamp: new Date(t0 + s * STEP_MS).toISOString(), metrics }));
    }
    lines.push(JSON.stringify({ type: "run.state", entity: ENTITY, project: PROJECT, run, state: r % 9 === 4 ? "failed" : "finished", timestamp: new Date(t0 + STEPS * STEP_MS).toISOString() }));
    yield lines;
  }
}

/** Sends the history over the ingestion API (`BENCH_SEED=http`, the default). */
async function ingest(url: string, now: number): Promise<number> {
  const pool = new Pool(url, { connections: 4 });
  let events = 0;
  let pending: Promise<void>[] = [];
  for (const lines of history(now)) {
    events += lines.length;
    for (let i = 0; i < lines.length; i += 20_000) {
      const body = lines.slice(i, i + 20_000).join("\n");
      pending.push(
        pool.request({ method: "POST", path: "/api/v1/events", headers: { authorization: auth, "content-type": "application/x-ndjson" }, body }).then(async (res) => {
          const text = await res.body.text();
          if (res.statusCode !== 200) throw new Error(`ingest: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
        }),
      );
      if (pending.length >= 4) {
        await Promise.all(pending);
        pending = [];
      }
    }
  }
  await Promise.all(pending);
  await pool.close();
  return events;
}

/**
 * Writes the history straight into the server's SQLite event log through its store API (`BENCH_SEED=store`), before
 * the server starts: at the issue's size (10⁷ rows) ingestion over HTTP is most of the bench's time, and what is
 * measured is the read path (GraphQL over HTTP), which answers from the same log either way. The server replays
 * the log when it starts, as after a restart.
 */
function seedLog(db: string, now: number): number {
  const store = openStore(db);
  try {
    seedStore(store, SEED);
    ensureProject(store, ENTITY, PROJECT);
    const user = store.userByName("alice");
    if (user === undefined) throw new Error("the seed user is missing");
    let seq = store.lastEventSeq();
    let events = 0;
    const receivedAt = new Date(now).toISOString();
    for (const lines of history(now)) {
      for (let i = 0; i < lines.length; i += 20_000) {
        const chunk = lines.slice(i, i + 20_000);
        store.appendBatch({ firstSeq: seq + 1, count: chunk.length, userId: user.id, receivedAt, body: chunk.join("\n") });
        seq += chunk.length;
      }
      events += lines.length;
    }
    return events;
  } finally {
    store.close();
  }
}

/** The anchor: the same pages and windows, bare: requests and JSON.parse only. Returns the requests made. */
async function bare(url: string, to: number): Promise<{ requests: number; rows: number }> {
  const pool = new Pool(url, { connections: PARALLELISM });
  let requests = 0;
  let rows = 0;
  const post = async (query: string, variables: Record<string, unknown>) => {
    requests++;
    const res = await pool.request({ method: "POST", path: "/graphql", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as { data: any };
  };
  const runs: { name: string; lastStep: number }[] = [];
  let cursor: string | null = null;
  const filters = JSON.stringify({ createdAt: { $lte: new Date(to).toISOString() } });
  for (;;) {
    const page = await post(RUNS_QUERY, { entity: ENTITY, project: PROJECT, cursor, perPage: RUNS_PER_PAGE, order: "+created_at", filters });
    const conn = page.data.project.runs;
    for (const e of conn.edges) runs.push({ name: e.node.name, lastStep: e.node.historyKeys.lastStep });
    if (!conn.pageInfo.hasNextPage) break;
    cursor = conn.edges.at(-1).cursor;
  }
  const windows = runs.flatMap((r) => Array.from({ length: Math.ceil((r.lastStep + 1) / STEPS_PER_WINDOW) }, (_, k) => ({ run: r.name, s: k * STEPS_PER_WINDOW })));
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLELISM }, async () => {
      while (next < windows.length) {
        const w = windows[next++] as { run: string; s: number };
        const page = await post(HISTORY_PAGE_QUERY, { entity: ENTITY, project: PROJECT, run: w.run, minStep: w.s, maxStep: w.s + STEPS_PER_WINDOW, pageSize: STEPS_PER_WINDOW });
        for (const row of page.data.project.run.history as string[]) {
          JSON.parse(row);
          rows++;
        }
      }
    }),
  );
  await pool.close();
  return { requests, rows };
}

async function live(url: string, cacheDir: string, from: number, to: number) {
  const transport = new HttpTransport(url, { apiKey: KEY, connections: PARALLELISM });
  try {
    const outcome = await runBacktest(automations, { cwd: cacheDir, history: [], live: { transport, cacheDir, from, to, parallelism: PARALLELISM } });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.diagnostics));
    return outcome.report;
  } finally {
    await transport.close();
  }
}

async function timed<T>(run: () => Promise<T>): Promise<{ wall: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await run();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, value };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "tripwire-bench-live-"));
  const seed = join(dir, "seed.json");
  writeFileSync(seed, JSON.stringify(SEED));
  const db = join(dir, "live.db");
  const now = Date.now();
  let t0 = performance.now();
  const seeded = SEED_VIA === "store" ? seedLog(db, now) : 0;
  if (SEED_VIA === "store") console.log(`wrote ${fmt(seeded)} events (${fmt(RUNS)} runs × ${fmt(STEPS)} steps × ${METRICS.length} metrics) into the server's event log in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  t0 = performance.now();
  const server = await spawnListening([`--max-old-space-size=${SERVER_HEAP_MB}`, new URL("../../server/bin/tripwire-server.js", import.meta.url).pathname, "--db", db, "--port", "0", "--seed", seed, "--durability", "normal"]);
  if (SEED_VIA === "store") console.log(`server started (replaying the log) in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  try {
    if (SEED_VIA === "http") {
      t0 = performance.now();
      const events = await ingest(server.url, now);
      console.log(`ingested ${fmt(events)} events (${fmt(RUNS)} runs × ${fmt(STEPS)} steps × ${METRICS.length} metrics) in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    }
    const from = now - 7 * 86_400_000;
    const to = now;
    // The server indexes its event log on the first history query: done once here, outside every timing.
    const first = await bare(server.url, to);
    console.log(`anchor: ${fmt(first.requests)} requests, ${fmt(first.rows)} rows`);

    const cold: number[] = [];
    const coldCpu: number[] = [];
    const warm: number[] = [];
    const warmCpu: number[] = [];
    const anchor: number[] = [];
    const anchorCpu: number[] = [];
    const cacheRead: number[] = [];
    let stats: { cold?: unknown; warm?: unknown } = {};
    for (let i = 0; i < REPEAT; i++) {
      const a = await timed(() => bare(server.url, to));
      anchor.push(a.wall);
      anchorCpu.push(a.cpu);
      const cache = join(dir, `cache-${i}`);
      const c = await timed(() => live(server.url, cache, from, to));
      cold.push(c.wall);
      coldCpu.push(c.cpu);
      const w = await timed(() => live(server.url, cache, from, to));
      warm.push(w.wall);
      warmCpu.push(w.cpu);
      if (JSON.stringify(w.value.automations) !== JSON.stringify(c.value.automations)) throw new Error("the warm backtest differs from the cold one");
      // What of the warm run is reading the cache (the rest: the listing and the evaluation itself).
      const folder = join(cache, ENTITY, PROJECT);
      const r = await timed(async () => {
        for (const f of readdirSync(folder)) readCached(join(folder, f));
      });
      cacheRead.push(r.wall);
      stats = { cold: c.value.history.live, warm: w.value.history.live };
      if (i === 0) console.log(`firings: ${c.value.automations.map((x) => `${x.name} ${x.firings}`).join(", ")}`);
      rmSync(cache, { recursive: true, force: true });
    }
    const best = (xs: number[]) => Math.min(...xs);
    const c = stats.cold as { requests: number; minimumRequests: number; runs: number };
    const w = stats.warm as { requests: number; minimumRequests: number; cachedRuns: number };
    console.log(`anchor (bare requests + JSON.parse): ${fmt(best(anchor))} ms wall, ${fmt(best(anchorCpu))} ms CPU (client)`);
    console.log(`cold live backtest:                  ${fmt(best(cold))} ms wall, ${fmt(best(coldCpu))} ms CPU — ${fmt(best(cold) / best(anchor), 2)}× the anchor (goal ≤ 1.3×)`);
    console.log(`warm live backtest (cache):          ${fmt(best(warm))} ms wall, ${fmt(best(warmCpu))} ms CPU — ${fmt(best(warm) / best(anchor), 3)}× the anchor (goal ≤ 0.1×)`);
    console.log(`  of which reading the cache:         ${fmt(best(cacheRead))} ms (the rest: the listing and the evaluation, which the anchor does not do)`);
    console.log(`requests: cold ${fmt(c.requests)} (the fewest the API allows: ${fmt(c.minimumRequests)}), warm ${fmt(w.requests)} (${fmt(w.cachedRuns)} of ${fmt(c.runs)} runs from the cache)`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
