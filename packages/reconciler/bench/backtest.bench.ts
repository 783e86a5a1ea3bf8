/**
 * B3 — backtest end to end from JSON (performance-anchors §6 B3). `npm run bench backtest`
 *
 * 1,000 runs × 1,000 steps × 10 metrics of JSONL in a temp folder, written as a recorder would (time order, the
 * runs interleaved), with each run's final state; the automations of `examples/training-health` (a mean-5
 * threshold, a 10-vs-50 change, a mean-20 threshold on `gpu`, a z-score over 30, two run-state automations).
 * In the same run: the anchor — read the same file through the same line reader and `JSON.parse` every line,
 * nothing else — and the whole streaming backtest (`runBacktest`: parse, check, batch, evaluate, report).
 * Goal: backtest ≤ 1.3× parse-only. Before any timing counts, the backtest of the first runs must equal the
 * evaluator's plain `replay` of the same events. Best of `BENCH_REPEAT` (3) alternating runs of each, in wall
 * time and in the process's CPU time (on a shared machine the CPU time is the steadier of the two).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAutomation, toSpec, type AnyAutomation } from "@tripwire/sdk";
import { readJsonlEvents, replayAsync } from "@tripwire/evaluator";
import { createInterface } from "node:readline";
import * as trainingHealth from "../../../examples/training-health/automations.js";
import { runBacktest, type BacktestAutomation } from "../src/backtest/backtest.js";
import { forEachLine, openHistory } from "../src/backtest/lines.js";
import { FiringRecorder } from "../src/backtest/report.js";
import { rng } from "./random.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 1_000);
const STEPS = Number(process.env.BENCH_STEPS ?? 1_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const CHECK_RUNS = Math.min(RUNS, 40);
const T0 = Date.parse("2026-11-20T00:00:00Z");
const STEP_MS = 15_000;
const METRICS = ["loss", "gpu", "grad_norm", "lr", "acc", "val_loss", "tokens_per_s", "mem_gb", "step_time", "throughput"] as const;

const automations: BacktestAutomation[] = (Object.values(trainingHealth) as unknown[])
  .filter((v): v is AnyAutomation => isAutomation(v))
  .map((a) => toSpec(a))
  .map((spec) => ({ id: spec.name, address: `project:acme-ml/llm-pretrain/${spec.name}`, spec }));

/** The history is logged in the automations' own project (else their scope matches no run and nothing is evaluated). */
const scopes = new Set(automations.map((a) => (a.spec.scope.type === "project" ? `${a.spec.scope.entity}/${a.spec.scope.project}` : "")));
const [ENTITY, PROJECT] = ([...scopes][0] ?? "").split("/") as [string, string];
if (scopes.size !== 1 || !ENTITY || !PROJECT) throw new Error(`the benchmark expects the automations in one project, found ${[...scopes].join(", ")}`);

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Writes the history: step by step, every run's row at that step (a run's rows 15 s apart, runs 1 s apart). */
async function writeHistory(file: string, runs: number): Promise<number> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const random = rng(42);
  const meta = Array.from({ length: runs }, (_, r) => ({
    id: `r${String(r).padStart(4, "0")}`,
    name: `${r % 10 === 0 ? "debug" : r % 3 === 0 ? "train" : "sweep"}-${r}`,
    user: r % 2 ? "alice" : "bob",
    // each run's own character: where its loss spikes, when its GPU idles
    spikeAt: Math.floor(random() * STEPS * 2),
    idleAt: Math.floor(random() * STEPS * 3),
  }));
  let buffered = "";
  let bytes = 0;
  for (let s = 0; s < STEPS; s++) {
    for (let r = 0; r < runs; r++) {
      const m = meta[r] as (typeof meta)[number];
      const spike = s >= m.spikeAt && s < m.spikeAt + 8 ? 0.5 : 0;
      const idle = s >= m.idleAt && s < m.idleAt + 40;
      const metrics = {
        loss: round(2 / (1 + s / 100) + 0.05 * random() + spike, 4),
        gpu: round(idle ? 2 * random() : 85 + 10 * random(), 1),
        grad_norm: round(1 + 0.2 * random() + (random() < 0.002 ? 5 : 0), 3),
        lr: round(3e-4 * (1 - s / STEPS), 7),
        acc: round(0.3 + 0.6 * (s / STEPS) + 0.02 * random(), 4),
        val_loss: round(2.1 / (1 + s / 100) + 0.05 * random(), 4),
        tokens_per_s: Math.round(41000 + 2000 * random()),
        mem_gb: round(61 + random(), 2),
        step_time: round(0.9 + 0.1 * random(), 3),
        throughput: round(120 + 5 * random(), 2),
      } satisfies Record<(typeof METRICS)[number], number>;
      const timestamp = new Date(T0 + s * STEP_MS + r * 1000).toISOString();
      buffered += `${JSON.stringify({ type: "run.metric", entity: ENTITY, project: PROJECT, run: { id: m.id, name: m.name, user: m.user }, step: s, timestamp, metrics })}\n`;
    }
    if (buffered.length > 1 << 20 || s === STEPS - 1) {
      if (s === STEPS - 1) {
        for (let r = 0; r < runs; r++) {
          const m = meta[r] as (typeof meta)[number];
          const state = r % 7 === 0 ? "failed" : r % 13 === 0 ? "crashed" : "finished";
          buffered += `${JSON.stringify({ type: "run.state", entity: ENTITY, project: PROJECT, run: { id: m.id, name: m.name, user: m.user }, state, timestamp: new Date(T0 + STEPS * STEP_MS + r * 1000).toISOString() })}\n`;
        }
      }
      bytes += Buffer.byteLength(buffered);
      if (!out.write(buffered)) await once(out, "drain");
      buffered = "";
    }
  }
  out.end();
  await once(out, "finish");
  return bytes;
}

const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const dir = mkdtempSync(join(tmpdir(), "tripwire-bench-backtest-"));
try {
  // ---- correctness first: the first runs' backtest equals the evaluator's replay of the same events
  const small = join(dir, "check.jsonl");
  await writeHistory(small, CHECK_RUNS);
  const viaBacktest = await runBacktest(automations, { cwd: dir, history: [small] });
  if (!viaBacktest.ok) throw new Error(`the benchmark's own history is invalid: ${JSON.stringify(viaBacktest.diagnostics)}`);
  const lines = createInterface({ input: openHistory(small), crlfDelay: Number.POSITIVE_INFINITY });
  const oracle = new FiringRecorder();
  oracle.record(await replayAsync(automations.map((a) => ({ id: a.id, spec: a.spec })), readJsonlEvents(lines)));
  const expected = automations.map((a) => oracle.result(a.id, a.address, a.spec.name));
  if (JSON.stringify(expected) !== JSON.stringify(viaBacktest.report.automations)) throw new Error("the backtest differs from the evaluator's replay");
  if (expected.every((a) => a.firings === 0)) throw new Error("no automation fires on the benchmark's history: it would time the reading alone");
  console.log(`check: the backtest of ${CHECK_RUNS} runs equals replay (firings per automation: ${expected.map((a) => `${a.name} ${a.firings}`).join(", ")})`);

  // ---- the workload
  const file = join(dir, "history.jsonl");
  const tw = performance.now();
  const bytes = await writeHistory(file, RUNS);
  const lineCount = RUNS * STEPS + RUNS;
  console.log(
    `workload: ${fmt(RUNS)} runs × ${fmt(STEPS)} steps × ${METRICS.length} metrics = ${fmt(lineCount)} lines, ${fmt(bytes / 1e6, 1)} MB (${fmt(bytes / lineCount)} B/line; written in ${fmt((performance.now() - tw) / 1000, 1)} s); ${automations.length} automations`,
  );
  if (statSync(file).size !== bytes) throw new Error("the history file was not written whole");

  /** Wall and CPU milliseconds of `run`. */
  async function timed(run: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { wall, cpu: (c.user + c.system) / 1000 };
  }
  async function parseOnly(): Promise<{ wall: number; cpu: number }> {
    let keys = 0;
    const t = await timed(async () => {
      await forEachLine(openHistory(file), (line) => {
        const v = JSON.parse(line) as { step?: number };
        if (v.step === 0) keys++;
      });
    });
    if (keys !== RUNS) throw new Error(`parse-only read ${keys} first steps, expected ${RUNS}`);
    return t;
  }
  let peakHeap = 0;
  let firings = 0;
  async function backtest(): Promise<{ wall: number; cpu: number }> {
    const sample = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
    let outcome: Awaited<ReturnType<typeof runBacktest>> | undefined;
    const t = await timed(async () => {
      outcome = await runBacktest(automations, { cwd: dir, history: [file] });
    });
    clearInterval(sample);
    if (!outcome?.ok) throw new Error(JSON.stringify(outcome?.diagnostics));
    if (outcome.report.history.events !== lineCount) throw new Error(`the backtest read ${outcome.report.history.events} events, expected ${lineCount}`);
    firings = outcome.report.automations.reduce((n, a) => n + a.firings, 0);
    return t;
  }

  const parse: { wall: number; cpu: number }[] = [];
  const full: { wall: number; cpu: number }[] = [];
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < REPEAT; i++) {
    parse.push(await parseOnly());
    globalThis.gc?.();
    full.push(await backtest());
    globalThis.gc?.();
  }
  const best = (xs: { wall: number; cpu: number }[], k: "wall" | "cpu") => Math.min(...xs.map((x) => x[k]));
  const line = (label: string, xs: { wall: number; cpu: number }[]) => {
    const w = best(xs, "wall");
    return `${label}${fmt(w)} ms wall (${fmt(best(xs, "cpu"))} ms CPU)  ${fmt(bytes / w / 1000, 0)} MB/s  ${fmt(lineCount / w / 1000, 2)} M lines/s   (runs, wall: ${xs.map((x) => fmt(x.wall)).join(", ")})`;
  };
  console.log(`firings: ${fmt(firings)}`);
  console.log("");
  console.log(line("parse only (read + split + JSON.parse):  ", parse));
  console.log(line("backtest (runBacktest, whole report):     ", full));
  console.log(`backtest / parse only:                    ${fmt(best(full, "wall") / best(parse, "wall"), 2)}× wall, ${fmt(best(full, "cpu") / best(parse, "cpu"), 2)}× CPU   (goal ≤ 1.3×)`);
  console.log(`heap: ${fmt(heapBefore / 1e6, 1)} MB before, peak ${fmt(peakHeap / 1e6, 1)} MB during the backtests (file ${fmt(bytes / 1e6, 0)} MB)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
