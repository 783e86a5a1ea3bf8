/**
 * W&B's GraphQL wire types for automations (spec §C), and the only place their enum spellings live.
 */
import type { Aggregation, ChangeType, Comparison, Direction, EventType } from "../model/event.js";
import type { FilterField } from "../model/filter.js";
import type { ScopeType } from "../model/scope.js";

export type WireScopeType = "PROJECT" | "ARTIFACT_COLLECTION" | "ENTITY";
export type WireEventType =
  | "ADD_ARTIFACT_ALIAS"
  | "ADD_ARTIFACT_TAG"
  | "ADD_COLLECTION_TAG"
  | "CREATE_ARTIFACT"
  | "LINK_MODEL"
  | "REMOVE_ARTIFACT_TAG"
  | "REMOVE_COLLECTION_TAG"
  | "RUN_METRIC"
  | "RUN_METRIC_CHANGE"
  | "RUN_METRIC_ZSCORE"
  | "RUN_STATE"
  | "UNLINK_ARTIFACT"
  | "UPDATE_ARTIFACT_ALIAS"
  | "WEAVE_METRIC_THRESHOLD";
export type WireActionType = "GENERIC_WEBHOOK" | "NOTIFICATION" | "NO_OP" | "PUSH_NOTIFICATION" | "QUEUE_JOB";
export type WireSeverity = "INFO" | "WARN" | "ERROR";

/**
 * W&B's `TriggerScopeType` for each scope type.
 * @example SCOPE_TYPE.registry // "PROJECT"
 */
export const SCOPE_TYPE: Record<ScopeType, WireScopeType> = {
  project: "PROJECT",
  registry: "PROJECT",
  collection: "ARTIFACT_COLLECTION",
  collections: "ARTIFACT_COLLECTION",
  team: "ENTITY",
  org: "ENTITY",
};

/**
 * W&B's `EventTriggeringConditionType` for each event type.
 * @example EVENT_TYPE.linkArtifact // "LINK_MODEL"
 */
export const EVENT_TYPE: Record<EventType, WireEventType> = {
  createArtifact: "CREATE_ARTIFACT",
  linkArtifact: "LINK_MODEL",
  unlinkArtifact: "UNLINK_ARTIFACT",
  addArtifactAlias: "ADD_ARTIFACT_ALIAS",
  addArtifactTag: "ADD_ARTIFACT_TAG",
  removeArtifactTag: "REMOVE_ARTIFACT_TAG",
  addCollectionTag: "ADD_COLLECTION_TAG",
  removeCollectionTag: "REMOVE_COLLECTION_TAG",
  runState: "RUN_STATE",
  runMetricThreshold: "RUN_METRIC",
  runMetricChange: "RUN_METRIC_CHANGE",
  runMetricZScore: "RUN_METRIC_ZSCORE",
};
/**
 * The event type of a W&B `EventTriggeringConditionType`.
 * @example EVENT_TYPE_FROM_WIRE.RUN_METRIC // "runMetricThreshold"
 */
export const EVENT_TYPE_FROM_WIRE: Partial<Record<string, EventType>> = Object.fromEntries(
  Object.entries(EVENT_TYPE).map(([k, v]) => [v, k as EventType]),
);

/**
 * `agg_op` spellings inside W&B's metric filters.
 * @example AGG_OP.mean // "AVERAGE"
 */
export const AGG_OP: Record<Aggregation, string> = { mean: "AVERAGE", min: "MIN", max: "MAX" };
/**
 * `cmp_op` spellings inside W&B's threshold filters.
 * @example CMP_OP.gte // "$gte"
 */
export const CMP_OP: Record<Comparison, string> = { gt: "$gt", gte: "$gte", lt: "$lt", lte: "$lte", eq: "$eq", ne: "$ne" };
/**
 * `change_type` spellings inside W&B's change filters.
 * @example CHANGE_TYPE.relative // "RELATIVE"
 */
export const CHANGE_TYPE: Record<ChangeType, string> = { relative: "RELATIVE", absolute: "ABSOLUTE" };
/**
 * `change_dir` spellings inside W&B's change and z-score filters.
 * @example CHANGE_DIR.any // "ANY"
 */
export const CHANGE_DIR: Record<Direction, string> = { increase: "INCREASE", decrease: "DECREASE", any: "ANY" };

/**
 * Filter field names on the wire: W&B filters `Run.name` on `display_name`, the run's user on `username`.
 * @example WIRE_FIELD.runName // "display_name"
 */
export const WIRE_FIELD: Record<FilterField, string> = {
  runName: "display_name",
  runUser: "username",
  alias: "alias",
  tag: "tag",
  collectionName: "collection_name",
};

export interface NotificationActionInput {
  integrationID: string;
  message: string;
  severity: WireSeverity;
  title: string;
}
export interface GenericWebhookActionInput {
  integrationID: string;
  requestPayload?: string;
}
export interface TriggeredActionConfig {
  notificationActionInput?: NotificationActionInput;
  genericWebhookActionInput?: GenericWebhookActionInput;
  noOpActionInput?: { noOp: boolean };
}

/** `CreateFilterTriggerInput` (spec §C.5). */
export interface CreateFilterTriggerInput {
  description?: string;
  enabled: boolean;
  eventFilter: string;
  name: string;
  scopeID: string;
  scopeType: WireScopeType;
  triggeredActionConfig: TriggeredActionConfig;
  triggeredActionType: WireActionType;
  triggeringEventType: WireEventType | string;
}

/** `UpdateFilterTriggerInput`: W&B's SDK always sends the whole definition with the ID. */
export interface UpdateFilterTriggerInput extends CreateFilterTriggerInput {
  id: string;
}

/** A saved automation's scope as `TriggerFields` returns it (plus optional fields naming its parent). */
export type WireScope =
  | { __typename: "Project"; id: string; name: string; entityName?: string; entity?: { name: string } | null }
  | {
      __typename: "ArtifactSequence" | "ArtifactPortfolio";
      id: string;
      name: string;
      project?: { name: string; entityName?: string; entity?: { name: string } | null } | null;
    }
  | { __typename: "Entity"; id: string; name: string; entityType?: string | null }
  | { __typename: string; id?: string; name?: string; [key: string]: unknown };

export interface WireSlackIntegration {
  __typename?: "SlackIntegration";
  id: string;
  teamName?: string | null;
  channelName: string;
}
export interface WireWebhookIntegration {
  __typename?: "GenericWebhookIntegration";
  id: string;
  name: string;
  urlEndpoint?: string | null;
}

export type WireAction =
  | { __typename: "NotificationTriggeredAction"; integration: WireSlackIntegration | null; title?: string | null; message?: string | null; severity?: string | null }
  | { __typename: "GenericWebhookTriggeredAction"; integration: WireWebhookIntegration | null; requestPayload?: string | null }
  | { __typename: "NoOpTriggeredAction"; noOp?: boolean | null }
  | { __typename: string; [key: string]: unknown };

/** A saved automation (`TriggerFields`, spec §C.2). `event`/`action` are the SDK's aliases of the fields below. */
export interface WireTrigger {
  __typename?: "Trigger";
  id: string;
  createdAt?: string;
  updatedAt?: string | null;
  name: string;
  description?: string | null;
  enabled: boolean;
  scope: WireScope;
  event?: { __typename?: string; eventType: string; filter: string };
  triggeringCondition?: { __typename?: string; eventType: string; filter: string };
  action?: WireAction;
  triggeredAction?: WireAction;
}
