import type { AutomationSpec, EventSpec, ProjectScope, Scope } from "@tripwire/sdk";
import type { EventRunState, RunMetricEvent, RunStateEvent, TripwireEvent } from "../src/index.js";

export const LLM: ProjectScope = { type: "project", entity: "acme", project: "llm" };
export const T0 = Date.parse("2026-11-26T10:00:00Z");
export const HOUR = 3_600_000;
export const iso = (ms: number) => new Date(ms).toISOString();

export function auto(event: EventSpec, scope: Scope = LLM, name = "a", enabled = true): AutomationSpec {
  return { name, enabled, scope, event, action: { type: "noop" } };
}

export const run1 = { id: "r1", name: "sweep-1", user: "alice" };
export const run2 = { id: "r2", name: "sweep-2", user: "bob" };

/** One `loss` point per value, one step and one second apart, for run1 of acme/llm. */
export function points(values: readonly (number | string | null)[], opts: { run?: typeof run1; start?: number; every?: number; metric?: string; project?: string } = {}): RunMetricEvent[] {
  const every = opts.every ?? 1000;
  return values.map((v, i) => ({
    type: "run.metric",
    entity: "acme",
    project: opts.project ?? "llm",
    run: opts.run ?? run1,
    step: i,
    timestamp: iso((opts.start ?? T0) + i * every),
    metrics: { [opts.metric ?? "loss"]: v },
  }));
}

export function state(s: EventRunState, at: number, run = run1): RunStateEvent {
  return { type: "run.state", entity: "acme", project: "llm", run, state: s, timestamp: iso(at) };
}

/** Indexes (into `events`) of the events that made something fire. */
export function firedAt(events: readonly TripwireEvent[], firings: readonly { event: TripwireEvent }[]): number[] {
  return firings.map((f) => events.indexOf(f.event));
}
