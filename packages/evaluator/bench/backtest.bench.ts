/**
 * B2 — backtest over recorded history already in memory (spec: performance-anchors §6 B2). `npm run bench evaluator`
 *
 * The same 10 M rows (10,000 runs × 1,000 steps, stored run by run as an export is) and the same 20 automations
 * as B1. The engine reads the columns through `replayColumns`; DuckDB (one thread) runs one window query per
 * automation over the same table, and the 24 h limit is applied afterwards in JavaScript: the query returns every
 * row where the condition holds, ordered by run and step, and a row fires when it is at least 24 h after the
 * run's previous firing of that automation — exactly the engine's rule, since the limit only ever suppresses.
 * Both must produce identical firings before any figure counts. Figures: (rows × automations) evaluated per second.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { createEngine } from "../src/index.js";
import {
  compareKeys,
  DAY_MS,
  finalState,
  firingKey,
  fmt,
  gc,
  perAutomation,
  RULES,
  RUNS,
  SPECS,
  STEP_MS,
  STEPS,
  T0,
  VALUE_EXPR,
  VALUE_SQL,
  valueAt,
  type Rule,
} from "./workload.js";

const R = RUNS;
const S = STEPS;
const N = R * S;
const A = RULES.length;
console.log(`workload: ${N.toLocaleString()} rows (${R.toLocaleString()} runs × ${S.toLocaleString()} steps, run by run) × ${A} automations, columnar in memory`);

// ---- the history, as columns
const run = new Int32Array(N);
const step = new Int32Array(N);
const time = new Float64Array(N);
const loss = new Float64Array(N);
let jsSum = 0;
for (let r = 0, i = 0; r < R; r++) {
  for (let s = 0; s < S; s++, i++) {
    run[i] = r;
    step[i] = s;
    time[i] = T0 + s * STEP_MS;
    const v = valueAt(r, s);
    loss[i] = v;
    jsSum += v;
  }
}
const runs = Array.from({ length: R }, (_, r) => ({ entity: "acme", project: "llm", id: `run-${r}`, name: `sweep-${r}`, user: r % 2 ? "alice" : "bob" }));
const index = new Map(SPECS.map((s, i) => [`project:acme/llm/${s.name}`, i]));

// ---- the engine
function engineBacktest(rows = N): { ms: number; keys: string[] } {
  const t0 = performance.now();
  const engine = createEngine(SPECS);
  const firings = engine.pushColumns({ runs, run, step, time, metrics: { loss } }, 0, rows);
  for (let r = 0; r < rows / S; r++) {
    firings.push(...engine.push({ type: "run.state", entity: "acme", project: "llm", run: runs[r]!, state: finalState(r), timestamp: new Date(T0 + S * STEP_MS).toISOString() }));
  }
  const ms = performance.now() - t0;
  return { ms, keys: firings.map((f) => firingKey(index.get(f.automationId) as number, Number(f.run?.id.slice(4)), f.step ?? S)) };
}

// ---- DuckDB
const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
const db = await instance.connect();
await db.run("SET threads = 1");
const threads = (await db.runAndReadAll("SELECT current_setting('threads')")).getRowsJS()[0]?.[0];
const tLoad = performance.now();
await db.run(`CREATE TABLE h AS WITH grid AS (SELECT r.range::BIGINT AS run, s.range::BIGINT AS step FROM range(${R}) r, range(${S}) s), ${VALUE_SQL}
  SELECT run::INTEGER AS run, step::INTEGER AS step, (${T0} + step * ${STEP_MS})::BIGINT AS ts, ${VALUE_EXPR} AS v FROM h5 ORDER BY run, step`);
await db.run(`CREATE TABLE runs AS SELECT range::INTEGER AS run, CASE WHEN range % 10 = 0 THEN 'failed' ELSE 'finished' END AS state FROM range(${R})`);
const loadMs = performance.now() - tLoad;
const sqlSum = Number((await db.runAndReadAll("SELECT sum(v) FROM h")).getRowsJS()[0]?.[0]);
if (sqlSum !== jsSum) throw new Error(`DuckDB's table differs from the JavaScript columns (sum ${sqlSum} vs ${jsSum})`);

const AGG = { mean: "avg", min: "min", max: "max" } as const;
function sqlOf(rule: Rule): string {
  if (rule.kind === "state") return `SELECT run, ${S} AS step FROM runs WHERE state = '${rule.state}' ORDER BY run`;
  if (rule.kind === "threshold") {
    const w = rule.window;
    return `SELECT run, step FROM (
      SELECT run, step, ${AGG[rule.agg]}(v) OVER win AS a, count(*) OVER win AS n FROM h
      WINDOW win AS (PARTITION BY run ORDER BY step ROWS BETWEEN ${w - 1} PRECEDING AND CURRENT ROW))
      WHERE n = ${w} AND a ${rule.cmp === "gt" ? ">" : "<"} ${rule.t} ORDER BY run, step`;
  }
  const delta = rule.change === "absolute" ? "(cur - prior)" : "(CASE WHEN prior = 0 THEN NULL ELSE (cur - prior) / abs(prior) END)";
  const cond = rule.direction === "increase" ? `${delta} >= ${rule.amount}` : rule.direction === "decrease" ? `${delta} <= -${rule.amount}` : `abs(${delta}) >= ${rule.amount}`;
  return `SELECT run, step FROM (
    SELECT run, step,
      ${AGG[rule.agg]}(v) OVER (PARTITION BY run ORDER BY step ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) AS cur,
      ${AGG[rule.agg]}(v) OVER (PARTITION BY run ORDER BY step ROWS BETWEEN 59 PRECEDING AND 10 PRECEDING) AS prior,
      row_number() OVER (PARTITION BY run ORDER BY step) AS n
    FROM h) WHERE n >= 60 AND ${cond} ORDER BY run, step`;
}

async function duckBacktest(): Promise<{ ms: number; keys: string[]; perQuery: number[] }> {
  const keys: string[] = [];
  const perQuery: number[] = [];
  const t0 = performance.now();
  for (let a = 0; a < A; a++) {
    const q0 = performance.now();
    const reader = await db.runAndReadAll(sqlOf(RULES[a] as Rule));
    const [runsCol, stepsCol] = reader.getColumnsJS() as [number[], number[]];
    // The 24 h limit, in JavaScript: rows arrive ordered by run, then step.
    let lastRun = -1;
    let last = NaN;
    for (let i = 0; i < runsCol.length; i++) {
      const r = Number(runsCol[i]);
      const s = Number(stepsCol[i]);
      const ts = T0 + s * STEP_MS;
      if (r !== lastRun) {
        lastRun = r;
        last = NaN;
      }
      if (ts - last < DAY_MS) continue;
      last = ts;
      keys.push(firingKey(a, r, s));
    }
    perQuery.push(performance.now() - q0);
  }
  return { ms: performance.now() - t0, keys, perQuery };
}

engineBacktest(Math.min(N, 500 * S)); // warm-up (JIT) on the first 500 runs
gc();
const en = engineBacktest();
gc();
const dk = await duckBacktest();
compareKeys("engine vs DuckDB", en.keys, dk.keys);
console.log(`firings: ${en.keys.length.toLocaleString()}, identical in the engine and DuckDB; per automation: ${perAutomation(en.keys).join(" ")}`);
console.log(`DuckDB: threads = ${String(threads)}, table built in ${fmt(loadMs, 0)} ms (not timed); per query (ms): ${dk.perQuery.map((x) => fmt(x, 0)).join(" ")}`);
const evals = N * A;
console.log("");
console.log(`engine (replayColumns):  ${fmt(en.ms, 0)} ms  ${fmt(evals / en.ms / 1000, 1)} M (row × automation)/s  (${fmt(N / en.ms / 1000, 2)} M rows/s)`);
console.log(`DuckDB, 1 thread:        ${fmt(dk.ms, 0)} ms  ${fmt(evals / dk.ms / 1000, 1)} M (row × automation)/s`);
console.log(`engine / DuckDB:         ${fmt(dk.ms / en.ms, 1)}×   (goal ≥ 10×)`);
instance.closeSync?.();
