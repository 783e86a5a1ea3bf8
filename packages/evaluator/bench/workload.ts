/**
 * The benchmark workload of spec §6 B1/B2 (performance anchors): 10,000 runs × 1,000 steps of one metric, and
 * 20 automations per run — 12 thresholds (mean / min / max at windows 5 and 50, two comparisons each), 6 change
 * thresholds (current 10 vs prior 50; mean / min / max; relative and absolute) and 2 run-state automations.
 *
 * Values are dyadic (k / 8192, |v| < 4) so that every window sum is exact in any order: DuckDB, the naive oracle
 * and the engine must then agree bit for bit. They come from an integer hash that SQL computes identically.
 */
import type { AutomationSpec } from "@tripwire/sdk";

export const RUNS = Number(process.env.BENCH_RUNS ?? 10_000);
export const STEPS = Number(process.env.BENCH_STEPS ?? 1_000);
export const T0 = Date.parse("2026-11-26T00:00:00Z");
/** Five minutes between steps: a run spans 83 h, so the 24 h limit lets an automation fire several times per run. */
export const STEP_MS = 300_000;
export const DAY_MS = 86_400_000;

/** MurmurHash3's 32-bit finaliser of run · 1,000,003 + step (the same as `VALUE_SQL`). */
function mix(r: number, s: number): number {
  let h = (r * 1_000_003 + s) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The value of run r at step s: noise in [0, 2) plus a per-run drift, all multiples of 1/8192. */
export function valueAt(r: number, s: number): number {
  return (mix(r, s) % 2048) / 1024 + (s * (r % 7)) / 8192;
}

/**
 * DuckDB SQL computing `valueAt` for a relation `grid(run, step)`: 32-bit multiplications are split in 16-bit
 * halves so every product fits a BIGINT (HUGEINT arithmetic is several times slower).
 */
const mul32 = (h: string, c: number) => `((${h} * ${c & 0xffff}) + ((${h} * ${c >>> 16}) % 65536) * 65536) % 4294967296`;
export const VALUE_SQL = `
  h0 AS (SELECT run, step, (run * 1000003 + step) % 4294967296 AS h FROM grid),
  h1 AS (SELECT run, step, xor(h, h >> 16) AS h FROM h0),
  h2 AS (SELECT run, step, ${mul32("h", 0x85ebca6b)} AS h FROM h1),
  h3 AS (SELECT run, step, xor(h, h >> 13) AS h FROM h2),
  h4 AS (SELECT run, step, ${mul32("h", 0xc2b2ae35)} AS h FROM h3),
  h5 AS (SELECT run, step, xor(h, h >> 16) AS h FROM h4)`;
export const VALUE_EXPR = `(h % 2048)::DOUBLE / 1024 + (step * (run % 7))::DOUBLE / 8192`;

/** Final state of run r (10 % fail). */
export const finalState = (r: number): "failed" | "finished" => (r % 10 === 0 ? "failed" : "finished");

export const PROJECT = { type: "project", entity: "acme", project: "llm" } as const;

export interface Threshold {
  readonly kind: "threshold";
  readonly agg: "mean" | "min" | "max";
  readonly window: number;
  readonly cmp: "gt" | "lt";
  readonly t: number;
}
export interface Change {
  readonly kind: "change";
  readonly agg: "mean" | "min" | "max";
  readonly window: 10;
  readonly prior: 50;
  readonly change: "relative" | "absolute";
  readonly direction: "increase" | "decrease" | "any";
  readonly amount: number;
}
export interface StateRule {
  readonly kind: "state";
  readonly state: "failed" | "finished";
}
export type Rule = Threshold | Change | StateRule;

export const RULES: readonly Rule[] = [
  { kind: "threshold", agg: "mean", window: 5, cmp: "gt", t: 2.2 },
  { kind: "threshold", agg: "mean", window: 5, cmp: "lt", t: 0.25 },
  { kind: "threshold", agg: "min", window: 5, cmp: "gt", t: 1.5 },
  { kind: "threshold", agg: "min", window: 5, cmp: "lt", t: 0.002 },
  { kind: "threshold", agg: "max", window: 5, cmp: "gt", t: 2.6 },
  { kind: "threshold", agg: "max", window: 5, cmp: "lt", t: 0.5 },
  { kind: "threshold", agg: "mean", window: 50, cmp: "gt", t: 1.55 },
  { kind: "threshold", agg: "mean", window: 50, cmp: "lt", t: 0.85 },
  { kind: "threshold", agg: "min", window: 50, cmp: "gt", t: 0.4 },
  { kind: "threshold", agg: "min", window: 50, cmp: "lt", t: 0.0005 },
  { kind: "threshold", agg: "max", window: 50, cmp: "gt", t: 2.65 },
  { kind: "threshold", agg: "max", window: 50, cmp: "lt", t: 1.97 },
  { kind: "change", agg: "mean", window: 10, prior: 50, change: "relative", direction: "increase", amount: 0.4 },
  { kind: "change", agg: "mean", window: 10, prior: 50, change: "absolute", direction: "decrease", amount: 0.45 },
  { kind: "change", agg: "min", window: 10, prior: 50, change: "relative", direction: "any", amount: 40 },
  { kind: "change", agg: "min", window: 10, prior: 50, change: "absolute", direction: "increase", amount: 0.5 },
  { kind: "change", agg: "max", window: 10, prior: 50, change: "relative", direction: "decrease", amount: 0.2 },
  { kind: "change", agg: "max", window: 10, prior: 50, change: "absolute", direction: "any", amount: 0.5 },
  { kind: "state", state: "failed" },
  { kind: "state", state: "finished" },
];

export function ruleName(rule: Rule, i: number): string {
  if (rule.kind === "threshold") return `r${i}-${rule.agg}${rule.window}-${rule.cmp}-${rule.t}`;
  if (rule.kind === "change") return `r${i}-${rule.agg}10v50-${rule.change}-${rule.direction}-${rule.amount}`;
  return `r${i}-state-${rule.state}`;
}

export function specOf(rule: Rule, i: number): AutomationSpec {
  const base = { name: ruleName(rule, i), enabled: true, scope: PROJECT, action: { type: "noop" as const } };
  if (rule.kind === "threshold") {
    return { ...base, event: { type: "runMetricThreshold", metric: "loss", agg: rule.agg, window: rule.window, cmp: rule.cmp, threshold: rule.t } };
  }
  if (rule.kind === "change") {
    return { ...base, event: { type: "runMetricChange", metric: "loss", agg: rule.agg, window: 10, priorWindow: 50, change: rule.change, direction: rule.direction, amount: rule.amount } };
  }
  return { ...base, event: { type: "runState", states: [rule.state] } };
}

export const SPECS: readonly AutomationSpec[] = RULES.map(specOf);

/** A firing as a comparable key: automation index, run, step (run-state firings use step = STEPS). */
export const firingKey = (automation: number, run: number, step: number): string => `${automation}/${run}/${step}`;

export function compareKeys(name: string, got: readonly string[], want: readonly string[]): void {
  const a = [...got].sort();
  const b = [...want].sort();
  let same = a.length === b.length;
  for (let i = 0; same && i < a.length; i++) same = a[i] === b[i];
  if (!same) {
    const sa = new Set(a);
    const sb = new Set(b);
    const missing = b.filter((k) => !sa.has(k)).slice(0, 5);
    const extra = a.filter((k) => !sb.has(k)).slice(0, 5);
    throw new Error(`${name}: firings differ from the reference (${a.length} vs ${b.length}); missing ${missing.join(", ")}; extra ${extra.join(", ")}`);
  }
}

export function perAutomation(keys: readonly string[]): number[] {
  const counts = RULES.map(() => 0);
  for (const k of keys) counts[Number(k.split("/")[0])]!++;
  return counts;
}

export const fmt = (x: number, digits = 1): string => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const mps = (count: number, ms: number): string => `${fmt(count / ms / 1000, 2)} M/s`;

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
