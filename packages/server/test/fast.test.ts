import fc from "fast-check";
import { parseEvent } from "@tripwire/evaluator";
import { describe, expect, it } from "vitest";
import { fastRunMetric } from "../src/ingest/fast.js";

// Inputs near the documented run.metric shape, valid and not: odd timestamps, steps, names, extra keys,
// nested metric values, missing fields.
const scalar = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.constant(null));
const metricValue = fc.oneof({ weight: 5, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 2 }) }, { weight: 1, arbitrary: fc.dictionary(fc.string(), scalar, { maxKeys: 2 }) });
const timestamp = fc.oneof(
  fc.date({ min: new Date("1970-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom("2026-11-26T10:00:00Z", "2026-11-26T10:00:00+02:00", "2026-02-30T10:00:00Z", "2026-11-26T10:00:00", "2026-11-26 10:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T10:00:00.123456789Z", "2024-02-29T00:00:00-23:59", "yesterday", ""),
);
const valid = fc.record({
  type: fc.constant("run.metric"),
  entity: fc.string({ minLength: 1 }),
  project: fc.string({ minLength: 1 }),
  run: fc.record({ id: fc.string({ minLength: 1 }), name: fc.string(), user: fc.string() }),
  step: fc.nat(),
  timestamp,
  metrics: fc.dictionary(fc.string(), metricValue, { maxKeys: 4 }),
});
// One mutation at most, so about half the inputs stay valid and the rest sit just outside the rules.
const mutation = fc.oneof(
  fc.constant((e: Record<string, unknown>) => e),
  fc.constant((e: Record<string, unknown>) => e),
  fc.constant((e: Record<string, unknown>) => e),
  fc.constant((e: Record<string, unknown>) => ({ ...e, type: "run.state" })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, extra: 1 })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, entity: "" })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, run: { ...(e.run as object), extra: "x" } })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, run: { id: "r", name: 1, user: "u" } })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, run: { id: "", name: "n", user: "u" } })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, step: -1 })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, step: 1.5 })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, step: 2 ** 60 })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, metrics: [1, 2] })),
  fc.constant((e: Record<string, unknown>) => ({ ...e, metrics: null })),
  fc.constant((e: Record<string, unknown>) => {
    const { timestamp: _t, ...rest } = e;
    return rest;
  }),
);
const candidate = fc.tuple(valid, mutation).map(([e, m]) => m(e as Record<string, unknown>));

describe("fastRunMetric", () => {
  it("accepts only what parseEvent accepts, and returns what it returns", () => {
    let fast = 0;
    fc.assert(
      fc.property(candidate, (input) => {
        const json = JSON.parse(JSON.stringify(input)) as unknown;
        const f = fastRunMetric(json);
        if (f === undefined) return;
        fast++;
        const slow = parseEvent(json);
        expect(slow.ok).toBe(true);
        if (slow.ok) expect(f).toEqual(slow.event);
      }),
      { numRuns: 3000 },
    );
    expect(fast).toBeGreaterThan(100); // the generator does reach the fast path
  });

  it("takes the documented example and leaves other event types to parseEvent", () => {
    const ok = { type: "run.metric", entity: "acme", project: "llm", run: { id: "r1", name: "sweep-1", user: "alice" }, step: 7, timestamp: "2026-11-26T10:00:00Z", metrics: { loss: 0.86, gpu: 3.5 } };
    expect(fastRunMetric(ok)).toBe(ok);
    expect(fastRunMetric({ ...ok, type: "run.state", state: "finished" })).toBeUndefined();
    expect(fastRunMetric({ ...ok, metrics: { img: { path: "x" } } })).toBeUndefined();
    expect(fastRunMetric({ ...ok, timestamp: "2026-02-30T10:00:00Z" })).toBeUndefined();
  });
});
