/**
 * B1 — the evaluator hot path (spec: performance-anchors §6 B1). `npm run bench evaluator`
 *
 * 10,000 runs × 1,000 steps of `loss`, points interleaved across runs (step by step, every run in turn), then
 * each run's final state; 20 automations per run with the 24 h limit. In the same process, over the same
 * sequence: the floor (a bare structure-of-arrays Float64Array update of the run's 18 windows: one ring per run,
 * one running sum per window), the naive oracle (Map<string, number[]>, every window recomputed on every point),
 * and the engine through its public `push(event)`. The engine's firings must equal the oracle's before any figure
 * is printed.
 *
 * The contenders take turns over chunks of steps (`BENCH_CHUNK`, default 100; the order rotates), each chunk
 * timed alone after a full GC, so that all of them meet the same load on a shared machine: the ratios are taken
 * over the same minutes, not minutes apart.
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
const CHUNK = Math.max(1, Number(process.env.BENCH_CHUNK ?? 100));

console.log(`workload: ${R.toLocaleString()} runs × ${S.toLocaleString()} steps = ${N.toLocaleString()} points, ${RULES.length} automations per run (${M} metric, ${RULES.length - M} run-state), interleaved`);
const values = new Float64Array(N);
for (let s = 0; s < S; s++) for (let r = 0; r < R; r++) values[s * R + r] = valueAt(r, s);
const stamps = Array.from({ length: S + 1 }, (_, s) => new Date(T0 + s * STEP_MS).toISOString());

/** One contender: `run(from, to)` processes steps [from, to) of the sequence; `finish()` what follows them. */
interface Contender {
  readonly name: string;
  /** Points it processes per step (the oracle may cover fewer runs). */
  readonly runs: number;
  run(from: number, to: number): void;
  finish(): void;
  ms: number;
  readonly chunks: number[];
  check(): number;
}

// ---- (a) the floor: per point, write the value into the run's ring (the longest window, 60 values: one ring
// serves all the run's windows), and update each of the run's 18 windows' running sums with the value entering
// it and the one leaving it (read from the ring). Structure of arrays; nothing is compared.
function floor(): Contender {
  const L = 60;
  const widths = Int32Array.from(METRIC_RULES, (r) => (r.kind === "threshold" ? r.window : r.window + r.prior));
  const ring = new Float64Array(R * L);
  const pos = new Uint8Array(R);
  const sum = new Float64Array(R * M);
  return {
    name: "floor",
    runs: R,
    ms: 0,
    chunks: [],
    run(from, to) {
      for (let s = from; s < to; s++) {
        const vb = s * R;
        for (let r = 0; r < R; r++) {
          const v = values[vb + r] as number;
          const rb = r * L;
          const sb = r * M;
          const p = pos[r] as number;
          for (let j = 0; j < M; j++) {
            let at = p - (widths[j] as number);
            if (at < 0) at += L;
            sum[sb + j] = (sum[sb + j] as number) + v - (ring[rb + at] as number);
          }
          ring[rb + p] = v;
          pos[r] = p + 1 === L ? 0 : p + 1;
        }
      }
    },
    finish() {},
    check() {
      let c = 0;
      for (let i = 0; i < sum.length; i += 997) c += sum[i] as number;
      return c;
    },
  };
}

// ---- (a') the bare minimum: one 60-value ring per run, one write per point.
function floorShared(): Contender {
  const L = 60;
  const ring = new Float64Array(R * L);
  const pos = new Uint8Array(R);
  return {
    name: "shared ring",
    runs: R,
    ms: 0,
    chunks: [],
    run(from, to) {
      for (let s = from; s < to; s++) {
        const vb = s * R;
        for (let r = 0; r < R; r++) {
          const p = pos[r] as number;
          ring[r * L + p] = values[vb + r] as number;
          pos[r] = p + 1 === L ? 0 : p + 1;
        }
      }
    },
    finish() {},
    check() {
      let c = 0;
      for (let i = 0; i < ring.length; i += 997) c += ring[i] as number;
      return c;
    },
  };
}

// ---- (a'') the previous floor, for reference (`BENCH_FLOOR_RINGS=1`): a ring per window (5, 50, or 60 values for
// a 10-vs-50 change), so 690 doubles per run where one 60-value ring holds the same values: 55 MB that no cache
// holds, which made it slower than the engine itself.
function floorRings(): Contender {
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
  return {
    name: "ring per window",
    runs: R,
    ms: 0,
    chunks: [],
    run(from, to) {
      for (let s = from; s < to; s++) {
        const vb = s * R;
        for (let r = 0; r < R; r++) {
          const v = values[vb + r] as number;
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
      }
    },
    finish() {},
    check() {
      let c = 0;
      for (let i = 0; i < sum.length; i += 997) c += sum[i] as number;
      return c;
    },
  };
}

// ---- (b) the naive oracle: what one would write first. String keys, arrays, every window recomputed.
function naive(limit: number): Contender & { keys: string[] } {
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
  return {
    name: "naive oracle",
    runs: limit,
    ms: 0,
    chunks: [],
    keys,
    run(from, to) {
      for (let s = from; s < to; s++) {
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
    },
    finish() {
      const now = T0 + S * STEP_MS;
      for (let r = 0; r < limit; r++) {
        RULES.forEach((rule, a) => {
          if (rule.kind === "state" && rule.state === finalState(r)) fire(a, r, S, now);
        });
      }
    },
    check: () => keys.length,
  };
}

// ---- (c) the engine, through the public API: one event object per point, as a server would build them.
const runRefs = Array.from({ length: R }, (_, r) => ({ id: `run-${r}`, name: `sweep-${r}`, user: r % 2 ? "alice" : "bob" }));
const index = new Map(SPECS.map((s, i) => [`project:acme/llm/${s.name}`, i]));
const runOf = (f: Firing) => Number(f.run?.id.slice(4));

function engineRun(limitRuns: number, sample: boolean): Contender & { keys: string[]; samples: () => Float64Array; engine: ReturnType<typeof createEngine> | undefined } {
  let engine: ReturnType<typeof createEngine> | undefined = createEngine(SPECS);
  const keys: string[] = [];
  const samples = new Float64Array(sample ? Math.ceil((limitRuns * S) / 1024) + 1 : 0);
  let ns = 0;
  const collect = (fs: Firing[]) => {
    for (const f of fs) keys.push(firingKey(index.get(f.automationId) as number, runOf(f), f.step ?? S));
  };
  return {
    name: "engine",
    runs: limitRuns,
    ms: 0,
    chunks: [],
    keys,
    get engine() {
      return engine;
    },
    set engine(e) {
      engine = e;
    },
    samples: () => samples.subarray(0, ns),
    run(from, to) {
      const en = engine as NonNullable<typeof engine>;
      for (let s = from; s < to; s++) {
        const timestamp = stamps[s] as string;
        for (let r = 0; r < limitRuns; r++) {
          const event: TripwireEvent = { type: "run.metric", entity: "acme", project: "llm", run: runRefs[r] as (typeof runRefs)[number], step: s, timestamp, metrics: { loss: values[s * R + r] as number } };
          if (sample && ((s * R + r) & 1023) === 0) {
            const a = process.hrtime.bigint();
            const f = en.push(event);
            samples[ns++] = Number(process.hrtime.bigint() - a);
            if (f.length > 0) collect(f);
          } else {
            const f = en.push(event);
            if (f.length > 0) collect(f);
          }
        }
      }
    },
    finish() {
      const en = engine as NonNullable<typeof engine>;
      for (let r = 0; r < limitRuns; r++) {
        collect(en.push({ type: "run.state", entity: "acme", project: "llm", run: runRefs[r] as (typeof runRefs)[number], state: finalState(r), timestamp: stamps[S] as string }));
      }
    },
    check: () => keys.length,
  };
}

// Warm up every contender's code on a small slice first (JIT), then measure.
{
  const warm = Math.min(S, 100);
  const e = engineRun(Math.min(R, 200), false);
  e.run(0, warm);
  e.finish();
  for (const c of [floor(), floorShared(), floorRings(), naive(Math.min(R, 20))]) c.run(0, Math.min(warm, 3));
}
gc();

const oracleRuns = Math.min(R, Number(process.env.BENCH_ORACLE_RUNS ?? R));
const fl = floor();
const fs = floorShared();
const fr = process.env.BENCH_FLOOR_RINGS === "1" ? floorRings() : undefined;
const en = engineRun(R, true); // samples 1 push in 1,024 for latency (two clock reads: negligible)
const nv = naive(oracleRuns);
const contenders: Contender[] = fr === undefined ? [fl, fs, en, nv] : [fl, fs, fr, en, nv];
let turn = 0;
for (let from = 0; from < S; from += CHUNK, turn++) {
  const to = Math.min(S, from + CHUNK);
  for (let k = 0; k < contenders.length; k++) {
    const c = contenders[(k + turn) % contenders.length] as Contender;
    gc();
    const t0 = performance.now();
    c.run(from, to);
    const ms = performance.now() - t0;
    c.ms += ms;
    c.chunks.push(ms);
  }
}
for (const c of contenders) {
  gc();
  const t0 = performance.now();
  c.finish();
  c.ms += performance.now() - t0;
}

// Correctness before any figure: the engine's firings equal the oracle's (on the runs the oracle covered).
const engineKeys = oracleRuns === R ? en.keys : en.keys.filter((k) => Number(k.split("/")[1]) < oracleRuns);
compareKeys("engine vs naive oracle", engineKeys, nv.keys);
const counts = perAutomation(en.keys);
console.log(`firings: ${en.keys.length.toLocaleString()} (identical to the naive oracle${oracleRuns === R ? "" : ` on its ${oracleRuns} runs`}); per automation: ${counts.join(" ")}`);

const sorted = Float64Array.from(en.samples()).sort();
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
let timer = 0;
for (let i = 0; i < 10_000; i++) {
  const a = process.hrtime.bigint();
  timer += Number(process.hrtime.bigint() - a);
}
timer /= 10_000;

// Memory: the engine's typed arrays exactly; its whole heap as what a GC frees when the engine is dropped.
const windows = R * M;
const typed = (en.engine as NonNullable<typeof en.engine>).windowBytes();
const allocated = (en.engine as NonNullable<typeof en.engine>).allocatedWindowBytes();
gc();
const withEngine = process.memoryUsage();
en.engine = undefined;
gc();
const withoutEngine = process.memoryUsage();
const heap = withEngine.heapUsed + withEngine.arrayBuffers - (withoutEngine.heapUsed + withoutEngine.arrayBuffers);
const w5 = createEngine([SPECS[0]!]);
for (let r = 0; r < R; r++) for (let s = 0; s < 5; s++) w5.push({ type: "run.metric", entity: "acme", project: "llm", run: runRefs[r]!, step: s, timestamp: stamps[s]!, metrics: { loss: valueAt(r, s) } });

/** Points per millisecond of a contender, over the whole run or chunk `i`. */
const rate = (c: Contender, i?: number) => (i === undefined ? (c.runs * S) / c.ms : (c.runs * (Math.min(S, (i + 1) * CHUNK) - i * CHUNK)) / (c.chunks[i] as number));
/** The engine's ratio to a contender over the whole run, and its range over the chunks after the first. */
function ratio(c: Contender, digits: number): string {
  const per: number[] = [];
  for (let i = 1; i < en.chunks.length; i++) per.push(rate(en, i) / rate(c, i));
  const range = per.length > 0 ? `  (chunks ${fmt(Math.min(...per), digits)}–${fmt(Math.max(...per), digits)}×)` : "";
  return `${fmt(rate(en) / rate(c), digits)}×${range}`;
}

const chunks = en.chunks.length;
console.log(`timing: ${chunks} chunks of ${Math.min(CHUNK, S)} steps, the ${contenders.length} contenders in turn (rotating), each chunk after a full GC`);
console.log("");
console.log(`(a)   floor, SoA update of the ${M} windows (one ring per run):  ${fmt(fl.ms, 0)} ms  ${mps(N, fl.ms)} points  (${mps(N * M, fl.ms)} window updates)  [check ${fmt(fl.check(), 3)}]`);
console.log(`(a')  one shared 60-value ring per run, one write:    ${fmt(fs.ms, 0)} ms  ${mps(N, fs.ms)} points  [check ${fmt(fs.check(), 3)}]`);
if (fr !== undefined) console.log(`(a'') a ring per window (the previous floor):          ${fmt(fr.ms, 0)} ms  ${mps(N, fr.ms)} points  [check ${fmt(fr.check(), 3)}]`);
console.log(`(b)   naive oracle (Map<string, number[]>):           ${fmt(nv.ms, 0)} ms  ${mps(nv.runs * S, nv.ms)} points${oracleRuns === R ? "" : ` (${oracleRuns} runs)`}`);
console.log(`(c)   engine.push(event):                             ${fmt(en.ms, 0)} ms  ${mps(N, en.ms)} points  (${mps(N * M, en.ms)} window evaluations)`);
console.log("");
console.log(`engine / floor (a):             ${ratio(fl, 2)}   (goal ≥ 0.3×)`);
console.log(`engine / shared ring (a'):      ${ratio(fs, 3)}`);
if (fr !== undefined) console.log(`engine / ring per window (a''): ${ratio(fr, 2)}`);
console.log(`engine / naive oracle (b):      ${ratio(nv, 1)}   (goal ≥ 15×)`);
console.log(`latency per push (1 in 1,024 sampled, ${sorted.length.toLocaleString()} samples, timer overhead ≈ ${fmt(timer, 0)} ns): p50 ${fmt(q(0.5), 0)} ns, p99 ${fmt(q(0.99), 0)} ns, p99.9 ${fmt(q(0.999), 0)} ns, max ${fmt(sorted[sorted.length - 1] ?? 0, 0)} ns`);
console.log(`memory: typed arrays ${fmt(typed / windows, 1)} B per (automation, run) window in use (${fmt(allocated / windows, 1)} B allocated) over ${windows.toLocaleString()} windows; heap + buffers freed with the engine ${fmt(heap / windows, 1)} B per window (runs, plans included)`);
console.log(`memory at window 5 (one mean(5) automation, ${R.toLocaleString()} runs): ${fmt(w5.windowBytes() / R, 1)} B per window (goal ≤ 100 B); ${fmt(w5.allocatedWindowBytes() / R, 1)} B allocated with the arrays' doubling growth`);
