/**
 * Explanations of run-metric firings: why an automation fired, from the values of the spans its decision read
 * (oldest first), recomputed with the reference aggregates (`windows/reference.ts`), so a reported value is exactly
 * what the reference gives on the window. The streaming path reads the spans from a slot's ring, the columnar
 * path from its series.
 */
import { TripwireError } from "@tripwire/sdk";
import type { RunMetricEvent } from "../events/index.js";
import { aggregateOf, changeOf, zscoreOf, type StdKind } from "../windows/reference.js";
import type { Channel } from "../windows/streaming.js";
import type { Compilation, Compiled } from "./compile.js";
import type { RunInfo } from "./runs.js";
import type { Explanation, Firing } from "./types.js";

/** The values of state `k`'s span in a slot, oldest first. */
export function spanValues(ch: Channel, slot: number, k: number): number[] {
  const cnt = ch.spanCount(k, slot);
  ch.copySpan(slot, ch.offsets[k] as number, cnt, ch.scratch);
  const out: number[] = [];
  for (let i = 0; i < cnt; i++) out.push(ch.scratch[i] as number);
  return out;
}

/** A run-metric firing, its explanation built from the values of each state's span (`span(k)`, oldest first). */
export function explainMetric(c: Compilation, a: Compiled, run: RunInfo, event: RunMetricEvent, latest: number, span: (k: number) => number[]): Firing {
  const spec = a.spec;
  const e = spec.event;
  let explanation: Explanation;
  if (e.type === "runMetricThreshold") {
    const values = span(a.stA);
    explanation = { kind: "threshold", metric: e.metric, agg: e.agg, window: e.agg === null ? 1 : e.window, values, value: aggregateOf(e.agg, values), cmp: e.cmp, threshold: e.threshold };
  } else if (e.type === "runMetricChange") {
    const currentValues = span(a.stA);
    const priorValues = span(a.stB);
    const current = aggregateOf(e.agg, currentValues);
    const prior = aggregateOf(e.agg, priorValues);
    explanation = {
      kind: "change",
      metric: e.metric,
      agg: e.agg,
      window: e.agg === null ? 1 : e.window,
      priorWindow: e.agg === null ? 1 : e.priorWindow,
      currentValues,
      priorValues,
      current,
      prior,
      change: e.change,
      delta: changeOf(current, prior, e.change),
      direction: e.direction,
      amount: e.amount,
    };
  } else if (e.type === "runMetricZScore") {
    const values = span(a.stA);
    const stdKind: StdKind = c.zSample ? "sample" : "population";
    const z = zscoreOf(values, latest, stdKind);
    explanation = {
      kind: "zscore",
      metric: e.metric,
      window: e.window,
      windowValues: c.zOffset === 1 ? "preceding" : "including-latest",
      values,
      latest,
      mean: z.mean,
      std: z.std,
      stdKind,
      zscore: z.z,
      direction: e.direction,
      threshold: e.threshold,
    };
  } else {
    throw new TripwireError("TW2900", `internal error: automation ${a.id} is not a run-metric automation`);
  }
  return {
    automationId: a.id,
    automation: spec.name,
    scope: spec.scope,
    eventType: e.type,
    at: event.timestamp,
    event,
    run: { id: run.id, name: run.name, user: run.user },
    step: event.step,
    explanation,
  };
}
