import { STATUS_CODES } from "node:http";
import { REGISTRY_PREFIX } from "@tripwire/sdk";
import { toGlobalId } from "../ids.js";
import { deliveryOutcome } from "../runtime/mask.js";
import { resolveScope } from "../scope.js";
import type { ExecutionRecord, Store } from "../store/types.js";
import type { GraphQLContext } from "./context.js";
import { integrationNode, scopeRef } from "./refs.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

const ALIAS_EVENTS = new Set(["ADD_ARTIFACT_ALIAS"]);
const TAG_EVENTS = new Set(["ADD_ARTIFACT_TAG", "REMOVE_ARTIFACT_TAG", "ADD_COLLECTION_TAG", "REMOVE_COLLECTION_TAG"]);

/** `TriggerEventDetails` for an execution, from the event that fired it. */
function eventDetails(eventType: string, firing: Obj) {
  const event = obj(firing.event);
  const run = obj(event.run);
  const base = {
    entityName: str(event.entity),
    projectName: str(event.project) ?? (typeof event.registry === "string" ? `${REGISTRY_PREFIX}${event.registry}` : null),
  };
  if (eventType.startsWith("RUN_METRIC")) {
    const explanation = obj(firing.explanation);
    const metricName = str(explanation.metric) ?? Object.keys(obj(event.metrics))[0] ?? null;
    const values = explanation.values ?? explanation.window ?? (metricName !== null ? obj(event.metrics)[metricName] : null);
    return { __typename: "RunMetricEventDetails", ...base, runName: str(run.name) ?? str(run.id), metricName, metricValues: JSON.stringify(values ?? null) };
  }
  if (eventType === "RUN_STATE") {
    return { __typename: "RunStateEventDetails", ...base, runName: str(run.name) ?? str(run.id), newRunState: str(event.state)?.toUpperCase() ?? null };
  }
  const artifact = {
    ...base,
    artifactMetadata: JSON.stringify(event.metadata ?? {}),
    artifactVersionIndex: typeof event.version === "number" ? event.version : null,
    artifactCollectionName: str(event.collection),
  };
  if (ALIAS_EVENTS.has(eventType)) return { __typename: "ArtifactAliasEventDetails", ...artifact, alias: str(event.alias) };
  if (TAG_EVENTS.has(eventType)) return { __typename: "ArtifactTagEventDetails", ...artifact, tag: str(event.tag) };
  return { __typename: "ArtifactEventDetails", ...artifact };
}

/** The `TriggerExecution` object for an execution row. */
export function executionNode(ctx: GraphQLContext, x: ExecutionRecord) {
  const firing = obj(JSON.parse(x.firing));
  const action = obj(JSON.parse(x.action));
  const integrationId = typeof action.integrationId === "number" ? action.integrationId : undefined;
  const integration = () => {
    const i = integrationId === undefined ? undefined : ctx.store.integrationById(integrationId);
    return i ? integrationNode(i) : null;
  };
  const outcome = deliveryOutcome(ctx.store, x);
  const attempts = outcome.attempts;
  return {
    id: toGlobalId("TriggerExecution", x.id),
    triggerID: toGlobalId("Trigger", x.triggerId),
    triggerName: x.triggerName,
    createdAt: x.createdAt,
    updatedAt: x.updatedAt,
    state: x.state,
    idempotencyKey: x.key,
    scope: () => {
      const s = resolveScope(ctx.store, x.scopeType, x.scopeId);
      return s ? scopeRef(s) : null;
    },
    event: { eventType: x.eventType, data: () => eventDetails(x.eventType, firing) },
    action: {
      actionType: x.actionType,
      data: () => {
        switch (x.actionType) {
          case "NOTIFICATION":
            return {
              __typename: "SlackNotificationActionArgs",
              integration,
              title: str(action.title),
              text: str(action.message),
              severity: str(action.severity) ?? "INFO",
              titleURL: null,
            };
          case "GENERIC_WEBHOOK":
            return { __typename: "GenericWebhookActionArgs", integration, requestPayload: ctx.historyPayload?.(x) ?? str(action.requestPayload) };
          default:
            return { __typename: "NoOpActionArgs", noOp: true };
        }
      },
    },
    result: () => {
      const error = outcome.error === null ? null : { message: outcome.error };
      if (x.actionType === "NO_OP" || (x.attempts === 0 && x.state !== "PENDING")) {
        return { resultType: "DEFAULT", data: { __typename: "DefaultTriggerResultDetails", error } };
      }
      if (x.attempts === 0) return null;
      return {
        resultType: "HTTP_RESPONSE",
        data: {
          __typename: "HttpTriggerResultDetails",
          error,
          status: x.statusCode === null ? null : `${x.statusCode} ${STATUS_CODES[x.statusCode] ?? ""}`.trim(),
          statusCode: x.statusCode,
          body: outcome.response,
        },
      };
    },
    attempts,
  };
}
