import { describe, expect, it } from "vitest";
import { encodeResave, type WireTrigger } from "../src/wire/index.js";

const saved = (action: WireTrigger["action"], scope: WireTrigger["scope"] = { __typename: "Project", id: "UHJvamVjdDox", name: "llm" }): WireTrigger => ({
  id: "VHJpZ2dlcjo3",
  name: "made-in-ui",
  description: "from the UI",
  enabled: false,
  scope,
  // Kept verbatim: spacing and key order as the server holds them, never re-encoded.
  event: { eventType: "RUN_METRIC", filter: '{"run_filter": "{\\"$and\\":[]}", "run_metric_filter": {"threshold_filter": {"name": "gpu", "agg_op": null, "window_size": 1, "cmp_op": "$lt", "threshold": 5.0}}}' },
  ...(action ? { action } : {}),
});

describe("encodeResave", () => {
  it("sends the whole saved definition with the new description, filter and payload verbatim", () => {
    const t = saved({ __typename: "GenericWebhookTriggeredAction", integration: { id: "SW50ZWdyYXRpb246Mg==", name: "deploy" }, requestPayload: '{"run": "${run_name}"}' });
    expect(encodeResave(t, { description: "from the UI\n\n[tripwire]" })).toEqual({
      description: "from the UI\n\n[tripwire]",
      enabled: false,
      eventFilter: t.event?.filter,
      id: "VHJpZ2dlcjo3",
      name: "made-in-ui",
      scopeID: "UHJvamVjdDox",
      scopeType: "PROJECT",
      triggeredActionConfig: { genericWebhookActionInput: { integrationID: "SW50ZWdyYXRpb246Mg==", requestPayload: '{"run": "${run_name}"}' } },
      triggeredActionType: "GENERIC_WEBHOOK",
      triggeringEventType: "RUN_METRIC",
    });
  });

  it("encodes each action and scope kind W&B's API can write, and refuses the legacy ones", () => {
    const slack = saved({ __typename: "NotificationTriggeredAction", integration: { id: "SW50ZWdyYXRpb246MQ==", channelName: "#alerts" }, title: "t", message: null, severity: "WARN" }, {
      __typename: "ArtifactPortfolio",
      id: "QXJ0aWZhY3RDb2xsZWN0aW9uOjk=",
      name: "llm-7b",
    });
    expect(encodeResave(slack)).toMatchObject({
      description: "from the UI",
      scopeType: "ARTIFACT_COLLECTION",
      triggeredActionType: "NOTIFICATION",
      triggeredActionConfig: { notificationActionInput: { integrationID: "SW50ZWdyYXRpb246MQ==", severity: "WARN", title: "t" } },
    });
    const noop = encodeResave(saved({ __typename: "NoOpTriggeredAction", noOp: true }, { __typename: "Entity", id: "RW50aXR5OjE=", name: "acme", entityType: "team" }), { enabled: true });
    expect(noop).toMatchObject({ enabled: true, scopeType: "ENTITY", scopeID: "RW50aXR5OjE=", triggeredActionType: "NO_OP", triggeredActionConfig: { noOpActionInput: { noOp: true } } });
    expect(() => encodeResave(saved({ __typename: "QueueJobTriggeredAction", queue: { id: "q" }, template: "{}" }))).toThrow(
      "TW1016: automation \"made-in-ui\": QueueJobTriggeredAction action cannot be written through W&B's API",
    );
    expect(() => encodeResave(saved({ __typename: "GenericWebhookTriggeredAction", integration: null }))).toThrow("has no integration to save it with");
  });
});
