// The fast validator beside RunMetricSchema (used by the server's ingestion and the reconciler's backtest) and the
// fast timestamp reader beside parseTimestamp: each accepts only what the reference accepts, and reads it the same.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventSchema, FastRunMetric, parseEvent, parseTimestamp, timestampReader } from "../src/index.js";

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

/** The old single-call form, on a fresh validator (no date remembered). */
const fastRunMetric = (json: unknown) => {
  const fast = new FastRunMetric();
  return fast.accepts(json) ? json : undefined;
};

describe("FastRunMetric", () => {
  it("accepts only what parseEvent accepts, and returns what it returns", () => {
    let fast = 0;
    fc.assert(
      fc.property(candidate, (input) => {
        const json = JSON.parse(JSON.stringify(input)) as unknown;
        const v = new FastRunMetric();
        if (!v.accepts(json)) return;
        fast++;
        const slow = parseEvent(json);
        expect(slow.ok).toBe(true);
        if (slow.ok) expect(json).toEqual(slow.event);
        expect(v.time).toBe(parseTimestamp(json.timestamp));
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

  it("refuses a metric named __proto__ on both paths, with the schema's message (it used to pass the fast path only)", () => {
    const text = '{"type":"run.metric","entity":"acme","project":"llm","run":{"id":"r1","name":"a","user":"u"},"step":1,"timestamp":"2026-11-26T10:00:00Z","metrics":{"__proto__":1,"loss":2}}';
    expect(fastRunMetric(JSON.parse(text))).toBeUndefined();
    expect(parseEvent(JSON.parse(text))).toEqual({ ok: false, issues: [{ path: ["metrics", "__proto__"], message: '"__proto__" is not allowed as a key' }] });
  });
});

describe("timestampReader and FastRunMetric accept only what EventSchema accepts, and read it as parseTimestamp does", () => {
  const run = (id: string, name: string) => ({ id, name, user: "alice" });
  const m = (r: ReturnType<typeof run>, step: number, timestamp: string, loss: number) => ({ type: "run.metric", entity: "acme", project: "llm", run: r, step, timestamp, metrics: { loss, acc: 0.5 } });
  const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, "0"));
  const timestampArb = fc.oneof(
    fc.tuple(digits(4, 9999), digits(2, 13), digits(2, 32), digits(2, 24), digits(2, 60), digits(2, 60), fc.constantFrom("", ".", ".5", ".123", ".123456789", ".12a"), fc.constantFrom("Z", "+00:00", "z", "")).map(
      ([y, mo, d, h, mi, s, frac, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone}`,
    ),
    fc.constantFrom("2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T12:00:00.5Z", "2026-11-26T10:00Z", "2026-11-26 10:00:00Z"),
  );
  it("timestamps", () => {
    fc.assert(
      // sequences: the fast path remembers the last date it read
      fc.property(fc.array(fc.oneof(timestampArb, timestampArb.map((ts) => `2026-11-26${ts.slice(10)}`)), { minLength: 1, maxLength: 6 }), (list) => {
        const fastTimestamp = timestampReader();
        for (const ts of list) {
          const t = fastTimestamp(ts);
          const event = { type: "run.metric", entity: "acme", project: "llm", run: run("r1", "a"), step: 1, timestamp: ts, metrics: {} };
          if (t === t) {
            expect(EventSchema.safeParse(event).success).toBe(true);
            expect(t).toBe(parseTimestamp(ts));
          }
        }
      }),
      { numRuns: 1000 },
    );
    const fastTimestamp = timestampReader();
    expect(fastTimestamp("2024-02-29T00:00:00Z")).toBe(Date.parse("2024-02-29T00:00:00Z"));
    expect(fastTimestamp("2023-02-29T00:00:00Z")).toBeNaN();
    expect(fastTimestamp("2026-11-26T10:00:00+00:00")).toBeNaN();
    // the recorders' form on the day last read (its own path): every valid time of the day is read, none other
    for (const ts of ["2026-11-26T00:00:00.000Z", "2026-11-26T09:59:59.999Z", "2026-11-26T19:38:47.125Z", "2026-11-26T23:59:59.999Z"]) expect(fastTimestamp(ts)).toBe(Date.parse(ts));
    for (const ts of ["2026-11-26T24:00:00.000Z", "2026-11-26T10:60:00.000Z", "2026-11-26T10:00:60.000Z", "2026-11-26T1a:00:00.000Z", "2026-11-26T10:00:00.0a0Z", "2026-11-26T10:00:00,000Z"])
      expect(fastTimestamp(ts)).toBeNaN();
  });
  it("event fields", () => {
    const base = m(run("r1", "a"), 1, "2026-11-26T10:00:00Z", 1) as Record<string, unknown>;
    const variants = fc.record({
      type: fc.constantFrom("run.metric", "run.state", undefined),
      entity: fc.constantFrom("acme", "", 3, undefined),
      project: fc.constantFrom("llm", "", null),
      run: fc.constantFrom(run("r1", "a"), { id: "", name: "a", user: "b" }, { id: "r", name: 1, user: "b" }, { id: "r", name: "a" }, [], null),
      step: fc.constantFrom(0, 7, -1, 1.5, 2 ** 53, "3", Number.MAX_SAFE_INTEGER),
      metrics: fc.constantFrom({}, { loss: 1 }, [], null, "x"),
    });
    fc.assert(
      fc.property(variants, (v) => {
        const json = { ...base, ...v };
        if (new FastRunMetric().accepts(json)) expect(EventSchema.safeParse(json).success).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
