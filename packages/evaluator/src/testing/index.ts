/**
 * `@tripwire/evaluator/testing`: unit tests for automations. Builders of test events (`runStream`,
 * `artifactEvents`), `evaluate(automations, events)`, the checks behind `expect(result).toFire(…)` and
 * `tripwire test`. Pure, like the evaluator: no test framework is imported here (`@tripwire/evaluator/vitest`
 * registers the matchers with vitest).
 *
 * @example
 * import { evaluate, runStream } from "@tripwire/evaluator/testing";
 * const result = evaluate(automations, runStream("r1", { name: "sweep-1" }).metric("loss", "0.5 0.7 0.9x3"));
 */
export { parseSeries, type Series, type SeriesValue } from "./series.js";
export {
  runStream,
  artifactEvents,
  durationMs,
  isRunStream,
  isArtifactStream,
  DEFAULT_START,
  type RunStream,
  type RunStreamOptions,
  type ArtifactStream,
  type ArtifactEventsOptions,
  type LinkSource,
  type Duration,
} from "./streams.js";
export {
  evaluate,
  isEvaluation,
  checkFiring,
  describeFiring,
  tripwireMatchers,
  type Evaluation,
  type EventInput,
  type AutomationsInput,
  type FiringQuery,
  type FiringCheck,
} from "./evaluate.js";
