import { REGISTRY_PREFIX, type AutomationSpec } from "@tripwire/sdk";
import { decodeAutomation, type DecodeResult, type WireAction, type WireScope, type WireTrigger } from "@tripwire/sdk/wire";
import { toGlobalId } from "./ids.js";
import type { CollectionRecord, EntityRecord, ProjectRecord, ScopeType, Store, TriggerRecord } from "./store/types.js";

/** A trigger scope resolved to its rows. */
export type ResolvedScope =
  | { readonly type: "PROJECT"; readonly project: ProjectRecord; readonly entity: EntityRecord }
  | { readonly type: "ARTIFACT_COLLECTION"; readonly collection: CollectionRecord; readonly project: ProjectRecord; readonly entity: EntityRecord }
  | { readonly type: "ENTITY"; readonly entity: EntityRecord };

/** Looks up a scope by type and row ID; `undefined` when it does not exist. */
export function resolveScope(store: Store, type: ScopeType, id: number): ResolvedScope | undefined {
  switch (type) {
    case "PROJECT": {
      const project = store.projectById(id);
      const entity = project && store.entityById(project.entityId);
      return project && entity ? { type, project, entity } : undefined;
    }
    case "ARTIFACT_COLLECTION": {
      const collection = store.collectionById(id);
      const project = collection && store.projectById(collection.projectId);
      const entity = project && store.entityById(project.entityId);
      return collection && project && entity ? { type, collection, project, entity } : undefined;
    }
    case "ENTITY": {
      const entity = store.entityById(id);
      return entity ? { type, entity } : undefined;
    }
  }
}

/** The scope as `TriggerFields` returns it, with the parent names `decodeAutomation` needs. */
export function wireScope(scope: ResolvedScope): WireScope {
  switch (scope.type) {
    case "PROJECT":
      return { __typename: "Project", id: toGlobalId("Project", scope.project.id), name: scope.project.name, entityName: scope.project.entityName };
    case "ARTIFACT_COLLECTION":
      return {
        __typename: scope.collection.kind === "portfolio" ? "ArtifactPortfolio" : "ArtifactSequence",
        id: toGlobalId("ArtifactCollection", scope.collection.id),
        name: scope.collection.name,
        project: { name: scope.project.name, entityName: scope.project.entityName },
      };
    case "ENTITY":
      return { __typename: "Entity", id: toGlobalId("Entity", scope.entity.id), name: scope.entity.name, entityType: scope.entity.type };
  }
}

export const isRegistryProject = (p: ProjectRecord): boolean => p.name.startsWith(REGISTRY_PREFIX) && p.name !== REGISTRY_PREFIX;

/** The saved action in W&B's `TriggeredAction` shape (integration by name), for decoding. */
export function wireAction(store: Store, actionType: string, configText: string): WireAction {
  const config = JSON.parse(configText) as Record<string, unknown>;
  const integrationOf = (id: unknown) => (typeof id === "number" ? store.integrationById(id) : undefined);
  switch (actionType) {
    case "NOTIFICATION": {
      const i = integrationOf(config.integrationId);
      return {
        __typename: "NotificationTriggeredAction",
        integration: i && i.kind === "slack" ? { __typename: "SlackIntegration", id: toGlobalId("Integration", i.id), teamName: i.teamName, channelName: i.channelName ?? "" } : null,
        title: (config.title as string | undefined) ?? "",
        message: (config.message as string | undefined) ?? "",
        severity: (config.severity as string | undefined) ?? "INFO",
      };
    }
    case "GENERIC_WEBHOOK": {
      const i = integrationOf(config.integrationId);
      return {
        __typename: "GenericWebhookTriggeredAction",
        integration: i && i.kind === "webhook" ? { __typename: "GenericWebhookIntegration", id: toGlobalId("Integration", i.id), name: i.name ?? "", urlEndpoint: i.url } : null,
        requestPayload: (config.requestPayload as string | undefined) ?? null,
      };
    }
    case "NO_OP":
      return { __typename: "NoOpTriggeredAction", noOp: true };
    default:
      return { __typename: `${actionType}TriggeredAction` };
  }
}

/** Decodes a saved trigger into the SDK model (what the evaluator runs). */
export function decodeTrigger(store: Store, t: TriggerRecord, scope?: ResolvedScope): DecodeResult {
  const s = scope ?? resolveScope(store, t.scopeType, t.scopeId);
  if (!s) return { issues: [{ code: "TW1021", severity: "error", message: "the automation's scope no longer exists", path: ["scope"] }] };
  const wire: WireTrigger = {
    id: toGlobalId("Trigger", t.id),
    name: t.name,
    description: t.description,
    enabled: t.enabled,
    scope: wireScope(s),
    triggeringCondition: { eventType: t.eventType, filter: t.eventFilter },
    triggeredAction: wireAction(store, t.actionType, t.actionConfig),
  };
  return decodeAutomation(wire, {});
}

/** Decodes a saved trigger into a spec or `undefined` when it cannot be run. */
export function triggerSpec(store: Store, t: TriggerRecord): AutomationSpec | undefined {
  const r = decodeTrigger(store, t);
  return r.spec && !r.issues.some((i) => i.severity === "error") ? r.spec : undefined;
}
