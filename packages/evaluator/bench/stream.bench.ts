/**
 * B1 — the evaluator hot path (spec: performance-anchors §6 B1). `npm run bench evaluator`
 *
 * 10,000 runs × 1,000 steps of `loss`, points interleaved across runs (step by step, every run in turn), then
 * each run's final state; 20 automations per run with the 24 h limit. In the same process, over the same
 * sequence: the floor (a bare structure-of-arrays Float64Array ring update), the naive oracle (Map<string,
 * number[]>, every window recomputed on every point), and the engine through its public `push(event)`.
 * The engine's firings must equal the oracle's before any figure is printed.
 */
import { createEngine, type Firing, type TripwireEvent } from "../src/index.js";
import {
  compareKeys,
  DAY_MS,
  finalState,
  firingKey,
  fmt,
  gc,
  mps,
  perAutomation,
  RULES,
  RUNS,
  SPECS,
  STEP_MS,
  STEPS,
  T0,
  valueAt,
  type Change,
  type Threshold,
} from "./workload.js";

const R = RUNS;
const S = STEPS;
const N = R * S;
const METRIC_RULES = RULES.filter((r): r is Threshold | Change => r.kind !== "state");
const M = METRIC_RULES.length; // 18 windows per run

console.log(`workload: ${R.toLocaleString()} runs × ${S.toLocaleString()} steps = ${N.toLocaleString()} points, ${RULES.length} automations per run (${M} metric, ${RULES.length - M} run-state), interleaved`);
const values = new Float64Array(N);
for (let s = 0; s < S; s++) for (let r = 0; r < R; r++) values[s * R + r] = valueAt(r, s);
const stamps = Array.from({ length: S + 1 }, (_, s) => new Date(T0 + s * STEP_MS).toISOString());

// ---- (a) the floor: per point, write the value into each of the run's 18 windows (its own ring, sized by the
// automation: 5, 50, or 60 for a 10-vs-50 change) and update that window's running sum. Nothing is compared.
function floor(): { ms: number; check: number } {
  const widths = METRIC_RULES.map((r) => (r.kind === "threshold" ? r.window : r.window + r.prior));
  const offsets: number[] = [];
  let per = 0;
  for (const w of widths) {
    offsets.push(per);
    per += w;
  }
  const W = Int32Array.from(widths);
  const O = Int32Array.from(offsets);
  const ring = new Float64Array(R * per);
  const head = new Int32Array(R * M);
  const sum = new Float64Array(R * M);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = i % R;
    const v = values[i] as number;
    const rb = r * per;
    const hb = r * M;
    for (let j = 0; j < M; j++) {
      const h = head[hb + j] as number;
      const at = rb + (O[j] as number) + h;
      sum[hb + j] = (sum[hb + j] as number) + v - (ring[at] as number);
      ring[at] = v;
      head[hb + j] = h + 1 === (W[j] as number) ? 0 : h + 1;
    }
  }
  const ms = performance.now() - t0;
  let check = 0;
  for (let i = 0; i < sum.length; i += 997) check += sum[i] as number;
  return { ms, check };
}

// ---- (a') the bare minimum: one 60-value ring per run (all windows share it), one write per point.
function floorShared(): { ms: number; check: number } {
  const L = 60;
  const ring = new Float64Array(R * L);
  const head = new Int32Array(R);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = i % R;
    const h = head[r] as number;
    ring[r * L + h] = values[i] as number;
    head[r] = h + 1 === L ? 0 : h + 1;
  }
  const ms = performance.now() - t0;
  let check = 0;
  for (let i = 0; i < ring.length; i += 997) check += ring[i] as number;
  return { ms, check };
}

// ---- (b) the naive oracle: what one would write first. String keys, arrays, every window recomputed.
function naive(limit: number): { ms: number; keys: string[]; points: number } {
  const hist = new Map<string, number[]>();
  const last = new Map<string, number>();
  const keys: string[] = [];
  const mean = (a: number[], from: number) => {
    let s = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < a.length; i++) {
      const x = a[i] as number;
      s += x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    const m = s / (a.length - from);
    return m < lo ? lo : m > hi ? hi : m;
  };
  const aggOf = (agg: string, a: number[], from: number, to: number) => {
    if (agg === "mean") return mean(a.slice(0, to), from);
    let m = agg === "min" ? Infinity : -Infinity;
    for (let i = from; i < to; i++) m = agg === "min" ? Math.min(m, a[i] as number) : Math.max(m, a[i] as number);
    return m;
  };
  const fire = (a: number, r: number, step: number, now: number) => {
    const ck = `${a}:${r}`;
    const t = last.get(ck);
    if (t !== undefined && now - t < DAY_MS) return;
    last.set(ck, now);
    keys.push(firingKey(a, r, step));
  };
  const t0 = performance.now();
  const points = limit * S;
  for (let s = 0; s < S; s++) {
    const now = T0 + s * STEP_MS;
    for (let r = 0; r < limit; r++) {
      const key = `run-${r}:loss`;
      let arr = hist.get(key);
      if (arr === undefined) hist.set(key, (arr = []));
      arr.push(values[s * R + r] as number);
      if (arr.length > 60) arr.shift();
      const n = s + 1;
      for (let a = 0; a < M; a++) {
        const rule = METRIC_RULES[a] as Threshold | Change;
        const len = arr.length;
        if (rule.kind === "threshold") {
          if (n < rule.window) continue;
          const x = aggOf(rule.agg, arr, len - rule.window, len);
          if (rule.cmp === "gt" ? x > rule.t : x < rule.t) fire(a, r, s, now);
        } else {
          if (n < 60) continue;
          const cur = aggOf(rule.agg, arr, len - 10, len);
          const prior = aggOf(rule.agg, arr, len - 60, len - 10);
          const d = rule.change === "absolute" ? cur - prior : prior === 0 ? NaN : (cur - prior) / Math.abs(prior);
          const ok = rule.direction === "increase" ? d >= rule.amount : rule.direction === "decrease" ? d <= -rule.amount : Math.abs(d) >= rule.amount;
          if (ok) fire(a, r, s, now);
        }
      }
    }
  }
  const now = T0 + S * STEP_MS;
  for (let r = 0; r < limit; r++) {
    RULES.forEach((rule, a) => {
      if (rule.kind === "state" && rule.state === finalState(r)) fire(a, r, S, now);
    });
  }
  return { ms: performance.now() - t0, keys, points };
}

// ---- (c) the engine, through the public API: one event object per point, as a server would build them.
const runRefs = Array.from({ length: R }, (_, r) => ({ id: `run-${r}`, name: `sweep-${r}`, user: r % 2 ? "alice" : "bob" }));
const index = new Map(SPECS.map((s, i) => [`project:acme/llm/${s.name}`, i]));
const runOf = (f: Firing) => Number(f.run?.id.slice(4));

function engineRun(limitRuns: number, sample: boolean): { ms: number; keys: string[]; samples: Float64Array; engine: ReturnType<typeof createEngine> } {
  const engine = createEngine(SPECS);
  const keys: string[] = [];
  const samples = new Float64Array(sample ? Math.ceil(N / 1024) : 0);
  let ns = 0;
  const collect = (fs: Firing[]) => {
    for (const f of fs) keys.push(firingKey(index.get(f.automationId) as number, runOf(f), f.step ?? S));
  };
  const t0 = performance.now();
  for (let s = 0; s < S; s++) {
    const timestamp = stamps[s] as string;
    for (let r = 0; r < limitRuns; r++) {
      const event: TripwireEvent = { type: "run.metric", entity: "acme", project: "llm", run: runRefs[r] as (typeof runRefs)[number], step: s, timestamp, metrics: { loss: values[s * R + r] as number } };
      if (sample && ((s * R + r) & 1023) === 0) {
        const a = process.hrtime.bigint();
        const f = engine.push(event);
        samples[ns++] = Number(process.hrtime.bigint() - a);
        if (f.length > 0) collect(f);
      } else {
        const f = engine.push(event);
        if (f.length > 0) collect(f);
      }
    }
  }
  for (let r = 0; r < limitRuns; r++) {
    collect(engine.push({ type: "run.state", entity: "acme", project: "llm", run: runRefs[r] as (typeof runRefs)[number], state: finalState(r), timestamp: stamps[S] as string }));
  }
  return { ms: performance.now() - t0, keys, samples: samples.subarray(0, ns), engine };
}

// Warm up every contender's code on a small slice first (JIT), then measure.
engineRun(Math.min(R, 200), false);
gc();

const fl = floor();
gc();
const fs = floorShared();
gc();
const heapBefore = process.memoryUsage();
const en = engineRun(R, true); // samples 1 push in 1,024 for latency (two clock reads: negligible)
gc();
const heapAfter = process.memoryUsage();
const oracleRuns = Number(process.env.BENCH_ORACLE_RUNS ?? R);
const nv = naive(oracleRuns);

// Correctness before any figure: the engine's firings equal the oracle's (on the runs the oracle covered).
const engineKeys = oracleRuns === R ? en.keys : en.keys.filter((k) => Number(k.split("/")[1]) < oracleRuns);
compareKeys("engine vs naive oracle", engineKeys, nv.keys);
const counts = perAutomation(en.keys);
console.log(`firings: ${en.keys.length.toLocaleString()} (identical to the naive oracle${oracleRuns === R ? "" : ` on its ${oracleRuns} runs`}); per automation: ${counts.join(" ")}`);

const sorted = Float64Array.from(en.samples).sort();
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
let timer = 0;
for (let i = 0; i < 10_000; i++) {
  const a = process.hrtime.bigint();
  timer += Number(process.hrtime.bigint() - a);
}
timer /= 10_000;

const windows = R * M;
const typed = en.engine.windowBytes();
const heap = heapAfter.heapUsed + heapAfter.arrayBuffers - (heapBefore.heapUsed + heapBefore.arrayBuffers);
const w5 = createEngine([SPECS[0]!]);
for (let r = 0; r < R; r++) for (let s = 0; s < 5; s++) w5.push({ type: "run.metric", entity: "acme", project: "llm", run: runRefs[r]!, step: s, timestamp: stamps[s]!, metrics: { loss: valueAt(r, s) } });

const enRate = N / en.ms;
console.log("");
console.log(`(a)  floor, SoA ring update of the ${M} windows:  ${fmt(fl.ms, 0)} ms  ${mps(N, fl.ms)} points  (${mps(N * M, fl.ms)} window updates)  [check ${fmt(fl.check, 3)}]`);
console.log(`(a') one shared 60-value ring per run:        ${fmt(fs.ms, 0)} ms  ${mps(N, fs.ms)} points  [check ${fmt(fs.check, 3)}]`);
console.log(`(b)  naive oracle (Map<string, number[]>):    ${fmt(nv.ms, 0)} ms  ${mps(nv.points, nv.ms)} points${oracleRuns === R ? "" : ` (${oracleRuns} runs)`}`);
console.log(`(c)  engine.push(event):                      ${fmt(en.ms, 0)} ms  ${mps(N, en.ms)} points  (${mps(N * M, en.ms)} window evaluations)`);
console.log("");
console.log(`engine / floor (a):         ${fmt(enRate / (N / fl.ms), 2)}×   (goal ≥ 0.3×)`);
console.log(`engine / shared ring (a'):  ${fmt(enRate / (N / fs.ms), 3)}×`);
console.log(`engine / naive oracle (b):  ${fmt(enRate / (nv.points / nv.ms), 1)}×   (goal ≥ 15×)`);
console.log(`latency per push (1 in 1,024 sampled, ${sorted.length.toLocaleString()} samples, timer overhead ≈ ${fmt(timer, 0)} ns): p50 ${fmt(q(0.5), 0)} ns, p99 ${fmt(q(0.99), 0)} ns, p99.9 ${fmt(q(0.999), 0)} ns, max ${fmt(sorted[sorted.length - 1] ?? 0, 0)} ns`);
console.log(`memory: typed arrays ${fmt(typed / windows, 1)} B per (automation, run) window in use (${fmt(en.engine.allocatedWindowBytes() / windows, 1)} B allocated) over ${windows.toLocaleString()} windows; heap + buffers after GC ${fmt(heap / windows, 1)} B per window (runs, plans, firings list included)`);
console.log(`memory at window 5 (one mean(5) automation, ${R.toLocaleString()} runs): ${fmt(w5.windowBytes() / R, 1)} B per window (goal ≤ 100 B); ${fmt(w5.allocatedWindowBytes() / R, 1)} B allocated with the arrays' doubling growth`);
