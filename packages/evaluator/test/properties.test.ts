import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "@tripwire/sdk";
import type { AutomationSpec } from "@tripwire/sdk";
import { createEngine, replay, replayColumns, restoreEngine, type Firing, type TripwireEvent } from "../src/index.js";
import { MAX, MIN, SUM } from "../src/windows/layout.js";
import { meanOf, maxOf, minOf } from "../src/windows/reference.js";
import { Channel } from "../src/windows/streaming.js";
import { automationsArb, eventsArb, optionsArb, valueArb } from "./arbitraries.js";
import { oracle } from "./oracle.js";

const same = (a: Firing[], b: Firing[]) => expect(a.map(canonicalJson)).toEqual(b.map(canonicalJson));
const RUNS = { numRuns: 300 };

describe("properties (spec §D.4)", () => {
  it("the streaming engine equals a naive batch recompute on random streams and automations", () => {
    fc.assert(
      fc.property(automationsArb, eventsArb, optionsArb, (automations, events, options) => {
        const firings = replay(automations, events, options);
        same(firings, oracle(automations, events, options));
        for (const { explanation: x } of firings) {
          if (x.kind === "threshold" && x.agg === "mean") {
            expect(Math.min(...x.values)).toBeLessThanOrEqual(x.value);
            expect(x.value).toBeLessThanOrEqual(Math.max(...x.values));
          }
        }
      }),
      RUNS,
    );
  });

  it("re-chunking a stream (push / pushBatch in any split) never changes the firings", () => {
    fc.assert(
      fc.property(automationsArb, eventsArb, optionsArb, fc.array(fc.integer({ min: 0, max: 8 })), (automations, events, options, cuts) => {
        const engine = createEngine(automations, options);
        const got: Firing[] = [];
        let i = 0;
        for (const c of cuts) {
          if (c === 0 && i < events.length) got.push(...engine.push(events[i++]!));
          else {
            got.push(...engine.pushBatch(events.slice(i, i + c)));
            i = Math.min(events.length, i + c);
          }
        }
        got.push(...engine.pushBatch(events.slice(i)));
        same(got, replay(automations, events, options));
      }),
      RUNS,
    );
  });

  it("snapshot (JSON round-trip) and restore at any point never changes the firings", () => {
    fc.assert(
      fc.property(automationsArb, eventsArb, optionsArb, fc.nat(), (automations, events, options, at) => {
        const cut = events.length === 0 ? 0 : at % (events.length + 1);
        const first = createEngine(automations, options);
        const got = first.pushBatch(events.slice(0, cut));
        const saved = JSON.parse(JSON.stringify(first.snapshot()));
        const second = restoreEngine(automations, saved, options);
        got.push(...second.pushBatch(events.slice(cut)));
        same(got, replay(automations, events, options));
      }),
      RUNS,
    );
  });

  it("columnar history (replayColumns, row by row or by run) gives the same firings as the same rows as events", () => {
    fc.assert(
      fc.property(automationsArb, eventsArb, optionsArb, fc.boolean(), fc.nat(40), (automations, unordered, options, byRun, split) => {
        // By run, as a history export holds rows (the columnar kernels take long stretches of one run).
        const key = (e: TripwireEvent) => `${e.entity}/${"project" in e ? e.project : ""}/${"run" in e ? e.run.id : ""}`;
        const stream = byRun ? [...unordered].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0)) : unordered;
        // Columns hold one name per run: give every event of a run its first name.
        const first = new Map<string, Extract<TripwireEvent, { type: "run.metric" }>["run"]>();
        const events = stream
          .filter((e): e is Extract<TripwireEvent, { type: "run.metric" }> => e.type === "run.metric")
          .map((e) => {
            const key = `${e.entity}/${e.project}/${e.run.id}`;
            if (!first.has(key)) first.set(key, e.run);
            return { ...e, run: first.get(key)! };
          });
        const keys: string[] = [];
        const runs: { entity: string; project: string; id: string; name: string; user: string }[] = [];
        const col = (name: string) => events.map((e) => { const v = e.metrics[name]; return typeof v === "number" ? v : NaN; });
        const columns = {
          runs,
          run: events.map((e) => {
            const key = `${e.entity}/${e.project}/${e.run.id}`;
            if (!keys.includes(key)) { keys.push(key); runs.push({ entity: e.entity, project: e.project, ...e.run }); }
            return keys.indexOf(key);
          }),
          step: events.map((e) => e.step),
          time: events.map((e) => Date.parse(e.timestamp)),
          metrics: { loss: col("loss"), acc: col("acc") },
        };
        const strip = (fs: Firing[]) => fs.map(({ event: _e, ...rest }) => canonicalJson(rest));
        expect(strip(replayColumns(automations, columns, options))).toEqual(strip(replay(automations, events, options)));
        // in two calls, split anywhere: the kernels leave the windows exactly as streaming would
        const engine = createEngine(automations, options);
        const cut = Math.min(split, events.length);
        const twice = [...engine.pushColumns(columns, 0, cut), ...engine.pushColumns(columns, cut)];
        expect(strip(twice)).toEqual(strip(replay(automations, events, options)));
      }),
      RUNS,
    );
  });

  it("AVERAGE, change and z-score decisions are exact against a fresh recompute, even where running sums drift", () => {
    const small = fc.constantFrom(0.1, 0.2, 0.3, 0.6, 0.7, 1, 3, -0.1, 1e6 + 0.1);
    const spec = (event: AutomationSpec["event"]): AutomationSpec => ({ name: "m", enabled: true, scope: { type: "project", entity: "acme", project: "llm" }, event, action: { type: "noop" } });
    const eventArb = fc.oneof(
      fc.record({ w: fc.integer({ min: 2, max: 4 }), cmp: fc.constantFrom("eq" as const, "ne" as const, "gte" as const, "lt" as const), t: fc.array(small, { minLength: 2, maxLength: 4 }) }).map(({ w, cmp, t }) => spec({ type: "runMetricThreshold", metric: "loss", agg: "mean", window: w, cmp, threshold: meanOf(t) })),
      fc.record({ w: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 1, max: 3 }), rel: fc.boolean(), amount: fc.constantFrom(0.1, 0.2, 0.5, 1, 0.05) }).map(({ w, p, rel, amount }) => spec({ type: "runMetricChange", metric: "loss", agg: "mean", window: w, priorWindow: p, change: rel ? "relative" : "absolute", direction: "any", amount })),
      fc.record({ w: fc.integer({ min: 2, max: 5 }), t: fc.constantFrom(0.5, 1, Math.SQRT1_2, 1.5, 2) }).map(({ w, t }) => spec({ type: "runMetricZScore", metric: "loss", window: w, direction: "any", threshold: t })),
    );
    fc.assert(
      fc.property(eventArb, fc.array(small, { minLength: 1, maxLength: 60 }), (automation, values) => {
        const run = { id: "r1", name: "n", user: "u" };
        const events: TripwireEvent[] = values.map((v, i) => ({ type: "run.metric", entity: "acme", project: "llm", run, step: i, timestamp: "2026-11-26T10:00:00Z", metrics: { loss: v } }));
        const want = oracle([automation], events, { cooldownMs: 0 });
        same(replay([automation], events, { cooldownMs: 0 }), want);
        // the columnar kernels too (one run, one stretch of rows)
        const columns = { runs: [{ entity: "acme", project: "llm", ...run }], run: values.map(() => 0), step: values.map((_, i) => i), time: values.map(() => Date.parse("2026-11-26T10:00:00Z")), metrics: { loss: values } };
        const strip = (fs: Firing[]) => fs.map(({ event: _e, at: _a, ...rest }) => canonicalJson(rest));
        expect(strip(replayColumns([automation], columns, { cooldownMs: 0 }))).toEqual(strip(want));
      }),
      { numRuns: 1500 },
    );
  });

  it("min ≤ mean ≤ max, and the streaming min / max / sum track the window exactly", () => {
    fc.assert(
      fc.property(fc.array(valueArb.filter((v): v is number => typeof v === "number" && Number.isFinite(v)), { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 4 }), (values, w, o) => {
        const ch = new Channel([{ kind: SUM, offset: o, width: w }, { kind: MIN, offset: o, width: w }, { kind: MAX, offset: o, width: w }]);
        const slot = ch.addSlot();
        values.forEach((v, i) => {
          ch.push(slot, i, v);
          const end = i + 1 - o;
          if (end <= 0) return;
          const from = Math.max(0, end - w);
          const mean = meanOf(values, from, end);
          expect(minOf(values, from, end)).toBeLessThanOrEqual(mean);
          expect(mean).toBeLessThanOrEqual(maxOf(values, from, end));
          expect(ch.extreme(1, slot)).toBe(minOf(values, from, end));
          expect(ch.extreme(2, slot)).toBe(maxOf(values, from, end));
          const cnt = ch.spanCount(0, slot);
          expect(cnt).toBe(end - from);
          const scale = ch.scale(0, slot);
          expect(Math.abs(ch.runningA(0, slot) / cnt - mean)).toBeLessThanOrEqual((2 * (5 * w * w + 2 * w + 2) * 2 ** -53 * scale) / cnt + 4 * 2 ** -53 * Math.abs(mean));
        });
      }),
      RUNS,
    );
  });
});
