import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  alias,
  automation,
  doNothing,
  metric,
  normalizeSpec,
  not,
  onAddArtifactAlias,
  onAddArtifactTag,
  onCreateArtifact,
  onLinkArtifact,
  onRunMetric,
  onRunState,
  or,
  org,
  project,
  registry,
  runName,
  sendNotification,
  sendWebhook,
  slack,
  tag,
  team,
  toSpec,
  webhook,
  type Automation,
} from "@tripwire/sdk";
import { decodeAutomation, encodeAutomation, encodeUpdate, type WireTrigger } from "@tripwire/sdk/wire";

// The GraphQL variables W&B's own Python SDK sends for each worked example of spec §B.10 (copied verbatim).
const golden = JSON.parse(readFileSync(new URL("./fixtures/wire-examples.json", import.meta.url), "utf8")) as Record<
  string,
  { variables: { input: unknown }; saved?: WireTrigger; update?: { input: unknown } }
>;

const PROJECT = "UHJvamVjdDoxMjM="; // Project:123
const REGISTRY_PROJECT = "UHJvamVjdDo0NTY="; // Project:456, "wandb-registry-model"
const SLACK = "SW50ZWdyYXRpb246MQ=="; // Integration:1
const HOOK = "SW50ZWdyYXRpb246Mg=="; // Integration:2

const acme = project("acme/llm");
const slackAction = sendNotification(slack("alerts"), { title: "Loss alert", text: "loss too high", level: "warn" });
const hookAction = sendWebhook(webhook("ci"), { payload: { event_type: "${event_type}", alias: "${alias}" } });

const cases: Record<string, { automation: Automation; scopeId: string; integrationId?: string }> = {
  B1: {
    automation: automation("loss-alert")
      .in(acme)
      .on(onRunMetric(metric("loss").avg(5).gt(0.6)).where(runName.contains("my-run")))
      .do(slackAction)
      .describe("avg loss over 5 > 0.6"),
    scopeId: PROJECT,
    integrationId: SLACK,
  },
  B2: { automation: automation("acc-hit").in(acme).on(onRunMetric(metric("acc").gte(0.9))).do(doNothing()), scopeId: PROJECT },
  B3: {
    // W&B's SDK defaults the prior window to the current one; Tripwire defaults to the UI's 50, so say 10.
    automation: automation("loss-drop")
      .in(acme)
      .on(onRunMetric(metric("loss").mean(10).decreasesBy({ frac: 0.25, priorWindow: 10 })))
      .do(doNothing()),
    scopeId: PROJECT,
  },
  B4: {
    automation: automation("loss-change").in(acme).on(onRunMetric(metric("loss").mean(10).changesBy({ diff: 0.5 }))).do(doNothing()),
    scopeId: PROJECT,
  },
  B5: { automation: automation("acc-z").in(acme).on(onRunMetric(metric("acc").zscore(30).abs().gt(2))).do(doNothing()), scopeId: PROJECT },
  B6: {
    automation: automation("run-done")
      .in(acme)
      .on(onRunState(["running", "FAILED", "finished", "failed"]).where(runName.regex("^train-.*")))
      .do(slackAction),
    scopeId: PROJECT,
    integrationId: SLACK,
  },
  B7: {
    automation: automation("registry-link").in(registry("acme/model")).on(onLinkArtifact(alias.eq("prod"))).do(hookAction),
    scopeId: REGISTRY_PROJECT,
    integrationId: HOOK,
  },
  B8: {
    automation: automation("alias-added")
      .in(registry("acme/model").collection("my-collection"))
      .on(onAddArtifactAlias(alias.regex("^prod-.*")))
      .do(hookAction),
    scopeId: "QXJ0aWZhY3RDb2xsZWN0aW9uOjc4OQ==",
    integrationId: HOOK,
  },
  B9: {
    automation: automation("new-version").in(acme.collection("dataset")).on(onCreateArtifact()).do(doNothing()).enabled(false),
    scopeId: "QXJ0aWZhY3RDb2xsZWN0aW9uOjc5MA==",
  },
  B10: {
    automation: automation("tag-added").in(acme).on(onAddArtifactTag(or(tag.eq("europe"), tag.eq("asia")))).do(doNothing()),
    scopeId: PROJECT,
  },
  B11: {
    automation: automation("org-alias").in(org("acme")).on(onAddArtifactAlias(alias.eq("production"))).do(doNothing()),
    scopeId: "RW50aXR5OjI=",
  },
  B12: {
    automation: automation("team-gpu").in(team("acme-ml")).on(onRunMetric(metric("gpu").lt(10)).where(not(runName.eq("debug")))).do(doNothing()),
    scopeId: "RW50aXR5OjE=",
  },
};

describe("wire golden: encodeAutomation matches W&B's Python SDK byte for byte (spec §B.10)", () => {
  for (const [id, c] of Object.entries(cases)) {
    it(`Example ${id}`, () => {
      const ids = c.integrationId ? { scopeId: c.scopeId, integrationId: c.integrationId } : { scopeId: c.scopeId };
      const input = encodeAutomation(toSpec(c.automation), ids);
      expect(JSON.stringify(input)).toBe(JSON.stringify(golden[id]?.variables.input));
    });
  }

  it("Example B13: a saved automation, disabled, re-sent whole with its filter unwrapped", () => {
    const saved = golden.B13?.saved as WireTrigger;
    const { spec, issues } = decodeAutomation(saved, { collectionParent: () => ({ type: "registry", org: "acme", registry: "model" }) });
    expect(issues).toEqual([]);
    const input = encodeUpdate({ ...spec!, enabled: false }, {
      id: saved.id,
      scopeId: (saved.scope as { id: string }).id,
      integrationId: "SW50ZWdyYXRpb246Mg==",
    });
    expect(JSON.stringify({ input })).toBe(JSON.stringify(golden.B13?.update));
  });

  it("every example decodes back to its definition (normalised)", () => {
    for (const [id, c] of Object.entries(cases)) {
      const input = golden[id]?.variables.input as Record<string, string>;
      const spec = toSpec(c.automation);
      const scope =
        id === "B8" || id === "B9"
          ? { __typename: id === "B8" ? "ArtifactPortfolio" : "ArtifactSequence", id: input.scopeID, name: spec.scope.type === "collection" ? spec.scope.collection : "" }
          : id === "B11" || id === "B12"
            ? { __typename: "Entity", id: input.scopeID, name: id === "B11" ? "acme" : "acme-ml", entityType: id === "B11" ? "organization" : "team" }
            : { __typename: "Project", id: input.scopeID, name: id === "B7" ? "wandb-registry-model" : "llm" };
      const integration =
        spec.action.type === "notification"
          ? { __typename: "NotificationTriggeredAction", integration: { id: SLACK, channelName: "alerts" }, title: "Loss alert", message: "loss too high", severity: "WARN" }
          : spec.action.type === "webhook"
            ? { __typename: "GenericWebhookTriggeredAction", integration: { id: HOOK, name: "ci" }, requestPayload: '{"event_type": "${event_type}", "alias": "${alias}"}' }
            : { __typename: "NoOpTriggeredAction", noOp: true };
      const trigger: WireTrigger = {
        id: "VHJpZ2dlcjox",
        name: spec.name,
        description: spec.description ?? null,
        enabled: spec.enabled,
        scope: scope as WireTrigger["scope"],
        event: { eventType: input.triggeringEventType as string, filter: input.eventFilter as string },
        action: integration as NonNullable<WireTrigger["action"]>,
      };
      const parent = spec.scope.type === "collection" ? spec.scope.parent : undefined;
      const { spec: decoded, issues } = decodeAutomation(trigger, { entity: "acme", collectionParent: () => parent });
      expect(issues, id).toEqual([]);
      expect(decoded, id).toEqual(normalizeSpec(spec));
    }
  });
});
