// The sparkline's data: a run's metric read from the event log around a firing, bounded in points.
import { describe, expect, it } from "vitest";
import { metricSeries } from "../src/ui.js";
import { metric, seededStore } from "./helpers.js";

describe("the metric around a firing", () => {
  it("takes the 60 values up to the firing's step and the 20 after it, of that run and metric only", () => {
    const { store, cleanup } = seededStore();
    try {
      const ids: number[] = [];
      for (let step = 0; step < 150; step++) {
        const body = [metric("r1", step, { loss: step / 10, acc: 1 }), metric("r2", step, { loss: 99 }), metric("r1", step, { acc: 2 }, { project: "vision" })].join("\n");
        ids.push(store.appendBatch({ firstSeq: step * 3 + 1, count: 3, userId: null, receivedAt: new Date(0).toISOString(), body }));
      }
      const event = JSON.parse(metric("r1", 100, { loss: 10 })) as Record<string, unknown>;
      const firing = { event, step: 100, run: { id: "r1", name: "sweep-1", user: "bob" }, explanation: { kind: "threshold", metric: "loss", threshold: 9.5 } } as never;
      const series = metricSeries(store, ids[100] as number, firing);
      expect(series?.points.map((p) => p.step)).toEqual([...Array.from({ length: 60 }, (_, i) => 41 + i), ...Array.from({ length: 20 }, (_, i) => 101 + i)]);
      expect(series?.points[0]).toEqual({ step: 41, value: 4.1 });
      expect({ ...series, points: series?.points.length }).toEqual({ metric: "loss", run: "sweep-1", step: 100, points: 80, threshold: 9.5 });
      // Near the start of the log: what there is. A run-state firing has no series.
      expect(metricSeries(store, ids[2] as number, { ...(firing as object), step: 2 } as never)?.points.map((p) => p.step)).toEqual([0, 1, 2, ...Array.from({ length: 20 }, (_, i) => 3 + i)]);
      expect(metricSeries(store, ids[2] as number, { event: { type: "run.state" }, explanation: { kind: "runState" } } as never)).toBeNull();
    } finally {
      cleanup();
    }
  });
});
