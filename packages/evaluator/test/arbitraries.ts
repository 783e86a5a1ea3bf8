/** fast-check generators of automations and event streams that stress windows, float drift and cooldowns. */
import fc from "fast-check";
import type { AutomationSpec, FilterExpr, RunFilter, Scope } from "@tripwire/sdk";
import type { EngineOptions, TripwireEvent } from "../src/index.js";

const T0 = Date.parse("2026-11-26T10:00:00Z");

/** Values chosen so that running sums drift (0.1, 0.2, 0.3, 1e16 …) and windows hit thresholds exactly. */
export const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 1, 2, 3, -1, -0.1, 1e16, -1e16, 1e-300, 1e6 + 0.1) },
  { weight: 6, arbitrary: fc.constantFrom(0, 0.1, 0.2, 0.3, 0.6, 0.7, 1, 3, -0.1) },
  { weight: 4, arbitrary: fc.integer({ min: -30, max: 30 }).map((x) => x / 10 + 0) },
  { weight: 2, arbitrary: fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true, minExcluded: true }).map((x) => (Math.abs(x) < 1e-6 ? 0 : x)) },
  { weight: 1, arbitrary: fc.constantFrom<number | string>(NaN, Infinity, "n/a") },
);
const small = fc.constantFrom(0, 0.1, 0.2, 0.3, 0.6, 0.7, 1, 3, -0.1);
/** Thresholds that exact means reach (a mean of two or three small values), so `eq` and drift meet. */
const thresholdArb = fc.oneof(
  fc.constantFrom(0, 0.1, 0.2, 0.3, 0.5, 0.6, 1, 2, 1.5, -0.5, 0.1 + 0.2, 0.6 / 3, 1e16, 0.4, 0.25, 1.85),
  fc.tuple(small, small).map(([a, b]) => (a + b) / 2),
  fc.tuple(small, small, small).map(([a, b, c]) => (a + b + c) / 3),
);

const scopes: Scope[] = [
  { type: "project", entity: "acme", project: "llm" },
  { type: "project", entity: "acme", project: "llm" },
  { type: "project", entity: "acme", project: "llm" },
  { type: "project", entity: "acme", project: "other" },
  { type: "team", team: "acme" },
  { type: "org", org: "bigco" },
  { type: "registry", org: "acme", registry: "model" },
];
const runFilterArb: fc.Arbitrary<RunFilter | undefined> = fc.constantFrom<RunFilter | undefined>(
  undefined,
  undefined,
  { op: "eq", field: "runName", value: "sweep-1" },
  { op: "regex", field: "runName", value: "2$" },
  { op: "not", arg: { op: "eq", field: "runUser", value: "bob" } } as FilterExpr<"runName" | "runUser">,
);

const metricAutomation: fc.Arbitrary<Omit<AutomationSpec, "name">> = fc.oneof(
  fc.record({
    metric: fc.constantFrom("loss", "acc"),
    agg: fc.constantFrom(null, "mean", "min", "max"),
    window: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constantFrom(2, 3)),
    cmp: fc.constantFrom("gt", "gte", "lt", "lte", "eq", "ne"),
    threshold: thresholdArb,
    runFilter: runFilterArb,
  }).map((e) => ({ type: "runMetricThreshold" as const, ...e, window: e.agg === null ? 1 : e.window })),
  fc.record({
    metric: fc.constantFrom("loss", "acc"),
    agg: fc.constantFrom(null, "mean", "min", "max"),
    window: fc.integer({ min: 1, max: 4 }),
    priorWindow: fc.integer({ min: 1, max: 4 }),
    change: fc.constantFrom("relative", "absolute"),
    direction: fc.constantFrom("increase", "decrease", "any"),
    amount: fc.constantFrom(0.1, 0.5, 1, 2, 1e-9, 0.3),
    runFilter: runFilterArb,
  }).map((e) => ({ type: "runMetricChange" as const, ...e, window: e.agg === null ? 1 : e.window, priorWindow: e.agg === null ? 1 : e.priorWindow })),
  fc.record({
    metric: fc.constantFrom("loss", "acc"),
    window: fc.integer({ min: 2, max: 6 }),
    direction: fc.constantFrom("increase", "decrease", "any"),
    threshold: fc.constantFrom(0.5, 1, 1.5, 2),
    runFilter: runFilterArb,
  }).map((e) => ({ type: "runMetricZScore" as const, ...e })),
  fc.record({
    states: fc.subarray(["failed", "finished", "running"] as const, { minLength: 1 }),
    runFilter: runFilterArb,
  }).map((e) => ({ type: "runState" as const, ...e, states: [...e.states] })),
).chain((event) =>
  fc.record({ scope: fc.constantFrom(...scopes), enabled: fc.constantFrom(true, true, true, true, true, true, true, true, false) }).map(({ scope, enabled }) => {
    const ev = { ...event } as Record<string, unknown>;
    if (ev.runFilter === undefined) delete ev.runFilter;
    return { enabled, scope, event: ev as AutomationSpec["event"], action: { type: "noop" as const } };
  }),
);

export const automationsArb: fc.Arbitrary<AutomationSpec[]> = fc
  .array(metricAutomation, { minLength: 1, maxLength: 7 })
  .map((list) => list.map((a, i) => ({ name: `a${i}`, ...a })));

const runs = [
  { entity: "acme", project: "llm", run: { id: "r1", name: "sweep-1", user: "alice" } },
  { entity: "acme", project: "llm", run: { id: "r2", name: "sweep-2", user: "bob" } },
  { entity: "acme", project: "llm", run: { id: "r1", name: "sweep-1", user: "alice" } },
  { entity: "acme", project: "llm", run: { id: "r2", name: "sweep-2", user: "bob" } },
  // r1 again under another display name: run filters must follow renames
  { entity: "acme", project: "llm", run: { id: "r1", name: "sweep-12", user: "alice" } },
  { entity: "acme", project: "other", run: { id: "r1", name: "other-2", user: "alice" } },
  { entity: "acme", project: "wandb-registry-model", run: { id: "r9", name: "reg", user: "alice" } },
  { entity: "solo", project: "llm", run: { id: "r3", name: "sweep-1", user: "carol" } },
];

type Step =
  | { kind: "metric"; run: number; dt: number; dstep: number; loss?: number | string | undefined; acc?: number | string | undefined }
  | { kind: "state"; run: number; dt: number; state: "running" | "finished" | "failed" | "crashed" | "killed" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant("metric" as const), run: fc.integer({ min: 0, max: runs.length - 1 }), dt: fc.constantFrom(0, 1_000, 3_600_000, 6 * 3_600_000), dstep: fc.constantFrom(1, 1, 1, 2, 0, -1), loss: fc.option(valueArb, { nil: undefined, freq: 8 }), acc: fc.option(valueArb, { nil: undefined, freq: 3 }) }, { requiredKeys: ["kind", "run", "dt", "dstep"] }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("state" as const), run: fc.integer({ min: 0, max: runs.length - 1 }), dt: fc.constantFrom(0, 1_000, 12 * 3_600_000), state: fc.constantFrom("running", "finished", "failed", "crashed", "killed") }) },
);

/** A stream of run events: steps mostly increase per run (with duplicates and regressions), time moves in jumps. */
export const eventsArb: fc.Arbitrary<TripwireEvent[]> = fc.array(stepArb, { minLength: 10, maxLength: 160 }).map((steps) => {
  let t = T0;
  const stepOf = runs.map(() => 0);
  return steps.map((s): TripwireEvent => {
    t += s.dt;
    const r = runs[s.run] as (typeof runs)[number];
    const timestamp = new Date(t).toISOString();
    if (s.kind === "state") return { type: "run.state", entity: r.entity, project: r.project, run: r.run, state: s.state, timestamp };
    stepOf[s.run] = Math.max(0, (stepOf[s.run] as number) + s.dstep);
    const metrics: Record<string, number | string> = {};
    if (s.loss !== undefined) metrics.loss = s.loss;
    if (s.acc !== undefined) metrics.acc = s.acc;
    return { type: "run.metric", entity: r.entity, project: r.project, run: r.run, step: stepOf[s.run] as number, timestamp, metrics };
  });
});

export const optionsArb: fc.Arbitrary<EngineOptions> = fc.record({
  partialWindows: fc.boolean(),
  runStateCooldown: fc.boolean(),
  zscoreWindow: fc.constantFrom("including-latest" as const, "preceding" as const),
  zscoreStd: fc.constantFrom("population" as const, "sample" as const),
  cooldownMs: fc.constantFrom(86_400_000, 86_400_000, 0, 3_600_000),
}).map((o) => ({ ...o, orgOf: { acme: "bigco" } }));
