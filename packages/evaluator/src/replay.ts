/**
 * Backtests: the firings a list of automations would have produced over recorded history. Same engine, same
 * semantics as the live path; only the input differs (an event sequence, or columnar history in memory).
 */
import type { AutomationSpec } from "@tripwire/sdk";
import { createEngine, type EngineAutomation, type EngineOptions, type Firing, type MetricColumns } from "./engine/index.js";
import type { TripwireEvent } from "./events/index.js";

/**
 * Every firing of the automations over the events, in order.
 * @example
 * const firings = replay([toSpec(lossSpike)], events, { cooldownMs: 0 });
 * console.log(firings.map((f) => `${f.at} ${f.automation} ${f.run?.name}`));
 */
export function replay(
  automations: readonly (AutomationSpec | EngineAutomation)[],
  events: Iterable<TripwireEvent>,
  options?: EngineOptions,
): Firing[] {
  const engine = createEngine(automations, options);
  const out: Firing[] = [];
  for (const event of events) for (const f of engine.push(event)) out.push(f);
  return out;
}

/**
 * Every firing over columnar run history already in memory (one row per logged step, see `MetricColumns`).
 * @example
 * const firings = replayColumns(automations, {
 *   runs: [{ entity: "acme", project: "llm", id: "r1", name: "sweep-1", user: "alice" }],
 *   run: [0, 0], step: [0, 1], time: [Date.parse("2026-11-26T10:00:00Z"), Date.parse("2026-11-26T10:00:10Z")],
 *   metrics: { loss: [0.9, 0.7] },
 * });
 */
export function replayColumns(
  automations: readonly (AutomationSpec | EngineAutomation)[],
  columns: MetricColumns,
  options?: EngineOptions,
): Firing[] {
  return createEngine(automations, options).pushColumns(columns);
}

/**
 * Async form of `replay`, for event sources read incrementally (`readJsonlEvents`, `readWandbHistoryCsv`).
 * @example const firings = await replayAsync(automations, readJsonlEvents(lines));
 */
export async function replayAsync(
  automations: readonly (AutomationSpec | EngineAutomation)[],
  events: AsyncIterable<TripwireEvent> | Iterable<TripwireEvent>,
  options?: EngineOptions,
): Promise<Firing[]> {
  const engine = createEngine(automations, options);
  const out: Firing[] = [];
  for await (const event of events) for (const f of engine.push(event)) out.push(f);
  return out;
}
