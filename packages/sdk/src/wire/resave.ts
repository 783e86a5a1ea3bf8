import { TripwireError } from "../issues.js";
import type { TriggeredActionConfig, UpdateFilterTriggerInput, WireActionType, WireScopeType, WireTrigger } from "./types.js";

const SCOPE_OF_TYPENAME: Readonly<Record<string, WireScopeType>> = {
  Project: "PROJECT",
  ArtifactSequence: "ARTIFACT_COLLECTION",
  ArtifactPortfolio: "ARTIFACT_COLLECTION",
  Entity: "ENTITY",
};

/**
 * W&B's `UpdateFilterTriggerInput` that saves an automation again exactly as it was read, with `changes` applied:
 * every field, the event filter and the action's payload verbatim (never decoded and re-encoded), as W&B's SDK sends
 * the whole saved definition on `update_automation`. How W&B's backend treats an update naming only some fields is
 * not documented, so Tripwire never sends one. Throws for what W&B's API cannot write (legacy queue-job or push
 * actions).
 * @example encodeResave(savedTrigger, { description: "owned by ci" })
 */
export function encodeResave(trigger: WireTrigger, changes: { readonly description?: string; readonly enabled?: boolean } = {}): UpdateFilterTriggerInput {
  const scopeType = SCOPE_OF_TYPENAME[trigger.scope.__typename];
  const scopeId = (trigger.scope as { id?: string }).id;
  if (!scopeType || !scopeId) throw new TripwireError("TW1016", `automation "${trigger.name}": its scope (${trigger.scope.__typename}) cannot be written through W&B's API`);
  const event = trigger.event ?? trigger.triggeringCondition;
  if (!event) throw new TripwireError("TW1016", `automation "${trigger.name}": it was read without its event`);
  const action = encodeSavedAction(trigger);
  const description = changes.description ?? trigger.description ?? undefined;
  return {
    ...(description ? { description } : {}),
    enabled: changes.enabled ?? trigger.enabled,
    eventFilter: event.filter,
    id: trigger.id,
    name: trigger.name,
    scopeID: scopeId,
    scopeType,
    triggeredActionConfig: action.config,
    triggeredActionType: action.type,
    triggeringEventType: event.eventType,
  };
}

function encodeSavedAction(trigger: WireTrigger): { type: WireActionType; config: TriggeredActionConfig } {
  const a = (trigger.action ?? trigger.triggeredAction) as { __typename: string; [key: string]: unknown } | undefined;
  const integrationId = () => {
    const id = (a?.integration as { id?: string } | null | undefined)?.id;
    if (!id) throw new TripwireError("TW1016", `automation "${trigger.name}": its ${a?.__typename} has no integration to save it with`);
    return id;
  };
  const given = <K extends string>(key: K, value: unknown): Partial<Record<K, string>> => (typeof value === "string" ? ({ [key]: value } as Record<K, string>) : {});
  switch (a?.__typename) {
    case "NotificationTriggeredAction":
      return {
        type: "NOTIFICATION",
        config: {
          notificationActionInput: {
            integrationID: integrationId(),
            ...given("message", a.message),
            ...given("severity", a.severity),
            ...given("title", a.title),
          } as NonNullable<TriggeredActionConfig["notificationActionInput"]>,
        },
      };
    case "GenericWebhookTriggeredAction":
      return { type: "GENERIC_WEBHOOK", config: { genericWebhookActionInput: { integrationID: integrationId(), ...given("requestPayload", a.requestPayload) } } };
    case "NoOpTriggeredAction":
      return { type: "NO_OP", config: { noOpActionInput: { noOp: true } } };
    default:
      throw new TripwireError("TW1016", `automation "${trigger.name}": ${a?.__typename ?? "its"} action cannot be written through W&B's API`);
  }
}
