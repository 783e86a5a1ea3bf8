/**
 * `@tripwire/evaluator`: the runtime semantics of W&B Automations as a pure, streaming engine — which
 * automations fire, when, for which run or artifact, and why — with replay for backtests, readers for recorded
 * history, and the webhook / Slack rendering of a firing.
 *
 * @example
 * import { createEngine, parseEvent } from "@tripwire/evaluator";
 * const engine = createEngine(specs);
 * const r = parseEvent(JSON.parse(body));
 * if (r.ok) for (const firing of engine.push(r.event)) deliver(firing);
 */
export {
  EventSchema,
  RunMetricSchema,
  FastRunMetric,
  parseEvent,
  isRunEvent,
  EVENT_RUN_STATES,
  ARTIFACT_EVENT_KINDS,
  COLLECTION_EVENT_KINDS,
  type TripwireEvent,
  type TripwireEventType,
  type RunMetricEvent,
  type RunStateEvent,
  type ArtifactEvent,
  type CollectionTagEvent,
  type RunRef,
  type EventRunState,
  type EventIssue,
} from "./events/index.js";
export {
  createEngine,
  restoreEngine,
  automationIdOf,
  type Engine,
  type EngineAutomation,
  type EngineOptions,
  type EngineSnapshot,
  type Firing,
  type Explanation,
  type ThresholdExplanation,
  type ChangeExplanation,
  type ZScoreExplanation,
  type RunStateExplanation,
  type ArtifactExplanation,
  type MetricColumns,
} from "./engine/index.js";
export { replay, replayAsync, replayColumns } from "./replay.js";
export { renderPayload, renderTemplate, templateVariables, jsonEscape, EVENT_TYPE_NAMES, compileTemplate } from "./actions/template.js";
export { signPayload, webhookRequest, compileWebhook, type CompiledWebhook } from "./actions/webhook.js";
export { slackMessage, summarizeFiring, firingLink } from "./actions/slack.js";
export { readJsonlEvents, JsonlDecoder, JSONL_LINE, type JsonlLineKind } from "./readers/jsonl.js";
export { readWandbHistoryCsv, type CsvRun } from "./readers/csv.js";
export { compileFilter, UnsupportedFilterError, type FieldValues, type Predicate } from "./filter.js";
export { compileRegex, regexError, type RegexTest } from "./regex.js";
export { scopeContains, projectLocation, artifactLocation, type Location, type OrgOf } from "./scope.js";
export { meanOf, minOf, maxOf, aggregateOf, compare, changeOf, directionHolds, zscoreOf, type StdKind } from "./windows/reference.js";
export { cooldownAllows } from "./cooldown.js";
export { parseTimestamp, formatTimestamp, DEFAULT_COOLDOWN_MS } from "./time.js";
export { EVALUATOR_CODES, EVALUATOR_FORMERLY, type EvaluatorCode } from "./codes.js";
export { retryAfterMs, retryDelayMs, backoffMs, isRetryable, type RetryPolicy, type FailedAttempt } from "./retry.js";
export { timestampReader } from "./time.js";
