import type { ActionSpec } from "../model/action.js";
import type { AutomationSpec } from "../model/automation.js";
import type { EventSpec } from "../model/event.js";
import type { JsonValue } from "../model/json.js";
import { TripwireError } from "../issues.js";
import { mutationFilterJson, runFilterJson } from "./filter.js";
import {
  AGG_OP,
  CHANGE_DIR,
  CHANGE_TYPE,
  CMP_OP,
  EVENT_TYPE,
  SCOPE_TYPE,
  type CreateFilterTriggerInput,
  type TriggeredActionConfig,
  type UpdateFilterTriggerInput,
  type WireActionType,
} from "./types.js";

/** The IDs an automation's names resolve to on the live backend. */
export interface EncodeIds {
  /** GraphQL ID of the scope: project, artifact collection or entity. */
  readonly scopeId: string;
  /** GraphQL ID of the Slack or webhook integration (not needed for `doNothing()`). */
  readonly integrationId?: string;
}

/**
 * The `eventFilter` JSON text W&B stores for an event (spec §B.1): run filters double-encoded with
 * `metric_filter: null`, artifact filters wrapped as `{"$or":[{"$and":[…]}]}`, run states upper-cased and sorted.
 * @example encodeEventFilter({ type: "runState", states: ["failed"] }) // '{"run_filter":"{\"$and\":[]}","run_state_filter":{"states":["FAILED"]}}'
 */
export function encodeEventFilter(event: EventSpec): string {
  switch (event.type) {
    case "raw":
      return JSON.stringify(event.filter);
    case "runState":
      return JSON.stringify({
        run_filter: JSON.stringify(runFilterJson(event.runFilter)),
        run_state_filter: { states: [...new Set(event.states.map((s) => s.toUpperCase()))].sort() },
      });
    case "runMetricThreshold":
      return metricFilter(event.runFilter, {
        threshold_filter: {
          name: event.metric,
          agg_op: event.agg === null ? null : AGG_OP[event.agg],
          window_size: event.agg === null ? 1 : event.window,
          cmp_op: CMP_OP[event.cmp],
          threshold: event.threshold,
        },
      });
    case "runMetricChange":
      return metricFilter(event.runFilter, {
        change_filter: {
          name: event.metric,
          agg_op: event.agg === null ? null : AGG_OP[event.agg],
          current_window_size: event.agg === null ? 1 : event.window,
          change_amount: event.amount,
          prior_window_size: event.agg === null ? 1 : event.priorWindow,
          change_type: CHANGE_TYPE[event.change],
          change_dir: CHANGE_DIR[event.direction],
        },
      });
    case "runMetricZScore":
      return metricFilter(event.runFilter, {
        zscore_filter: {
          name: event.metric,
          window_size: event.window,
          threshold: event.threshold,
          change_dir: CHANGE_DIR[event.direction],
        },
      });
    default:
      return JSON.stringify(mutationFilterJson(event.filter));
  }
}

function metricFilter(runFilter: Parameters<typeof runFilterJson>[0], runMetricFilter: Record<string, JsonValue>): string {
  return JSON.stringify({
    run_filter: JSON.stringify(runFilterJson(runFilter)),
    run_metric_filter: runMetricFilter,
    metric_filter: null,
  });
}

function encodeAction(action: ActionSpec, integrationId: string | undefined, name: string): {
  type: WireActionType;
  config: TriggeredActionConfig;
} {
  const needId = (): string => {
    if (!integrationId) throw new TripwireError("TW1050", `automation "${name}": its ${action.type} action needs the integration's ID`);
    return integrationId;
  };
  switch (action.type) {
    case "noop":
      return { type: "NO_OP", config: { noOpActionInput: { noOp: true } } };
    case "notification":
      return {
        type: "NOTIFICATION",
        config: {
          notificationActionInput: { integrationID: needId(), message: action.message, severity: action.severity, title: action.title },
        },
      };
    case "webhook": {
      const requestPayload = action.payload !== undefined ? JSON.stringify(action.payload) : action.payloadText;
      return {
        type: "GENERIC_WEBHOOK",
        config: {
          genericWebhookActionInput:
            requestPayload === undefined ? { integrationID: needId() } : { integrationID: needId(), requestPayload },
        },
      };
    }
    case "raw":
      throw new TripwireError("TW1016", `automation "${name}": ${action.wireType} actions cannot be created or updated through W&B's API`);
  }
}

/**
 * W&B's `CreateFilterTriggerInput` for an automation, byte for byte as W&B's Python SDK sends it
 * (keys in the same order, compact JSON, `description` omitted when empty).
 * @example encodeAutomation(spec, { scopeId: "UHJvamVjdDoxMjM=", integrationId: "SW50ZWdyYXRpb246MQ==" })
 */
export function encodeAutomation(spec: AutomationSpec, ids: EncodeIds): CreateFilterTriggerInput {
  const action = encodeAction(spec.action, ids.integrationId, spec.name);
  const input: CreateFilterTriggerInput = {
    ...(spec.description ? { description: spec.description } : {}),
    enabled: spec.enabled,
    eventFilter: encodeEventFilter(spec.event),
    name: spec.name,
    scopeID: ids.scopeId,
    scopeType: SCOPE_TYPE[spec.scope.type],
    triggeredActionConfig: action.config,
    triggeredActionType: action.type,
    triggeringEventType: spec.event.type === "raw" ? spec.event.wireType : EVENT_TYPE[spec.event.type],
  };
  return input;
}

/**
 * W&B's `UpdateFilterTriggerInput`: the whole definition plus the automation's ID, so nothing a partial
 * update would drop (filters, wandb/wandb#11613) is ever lost.
 * @example encodeUpdate(spec, { id: "VHJpZ2dlcjo5OQ==", scopeId: "UHJvamVjdDoxMjM=" })
 */
export function encodeUpdate(spec: AutomationSpec, ids: EncodeIds & { readonly id: string }): UpdateFilterTriggerInput {
  const { description, enabled, eventFilter, ...rest } = encodeAutomation(spec, ids);
  return {
    ...(description !== undefined ? { description } : {}),
    enabled,
    eventFilter,
    id: ids.id,
    ...rest,
  };
}
