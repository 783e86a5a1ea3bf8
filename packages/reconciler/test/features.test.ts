import { describe, expect, it } from "vitest";
import { automation, doNothing, metric, onRunMetric, onRunState, project, toSpec } from "@tripwire/sdk";
import { automationDocuments, ENTITY_AUTOMATIONS } from "../src/remote/documents.js";
import { hasFeature } from "../src/model/features.js";
import { missingFeatures } from "../src/resolve/features.js";

describe("server features", () => {
  it("takes no-op and run-state as present on a server that reports a feature W&B added after them", () => {
    expect(hasFeature(new Set(["AUTOMATION_ACTION_NO_OP"]), "AUTOMATION_ACTION_NO_OP")).toBe(true);
    expect(hasFeature(new Set(["AUTOMATION_EVENT_RUN_METRIC", "AUTOMATION_EVENT_RUN_METRIC_CHANGE"]), "AUTOMATION_ACTION_NO_OP")).toBe(false);
    expect(hasFeature(new Set(["AUTOMATION_EVENT_RUN_METRIC_ZSCORE"]), "AUTOMATION_ACTION_NO_OP")).toBe(true);
    expect(hasFeature(new Set(["AUTOMATION_EVENT_RUN_METRIC_ZSCORE"]), "AUTOMATION_EVENT_RUN_STATE")).toBe(false);
    expect(hasFeature(new Set(["AUTOMATION_SCOPE_ENTITY"]), "AUTOMATION_EVENT_RUN_STATE")).toBe(true);
    // Only the flags W&B's SDK stopped checking are implied; the others need their own flag.
    expect(hasFeature(new Set(["AUTOMATIONS_ON_ORGANIZATION"]), "AUTOMATION_SCOPE_ENTITY")).toBe(false);
  });

  it("names what an automation needs that the server lacks", () => {
    const spec = toSpec(automation("failed").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing()));
    expect(missingFeatures(spec, new Set()).map((m) => [m.feature, m.what])).toEqual([
      ["AUTOMATION_EVENT_RUN_STATE", "run-state events"],
      ["AUTOMATION_ACTION_NO_OP", "no-op actions"],
    ]);
    const threshold = toSpec(automation("t").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(1))).do(doNothing()));
    expect(missingFeatures(threshold, new Set(["AUTOMATION_EVENT_RUN_STATE"]))).toEqual([]);
  });

  it("leaves out the fragments on types the server lacks, with their spreads", () => {
    const all = automationDocuments(() => true);
    expect(all.ENTITY_AUTOMATIONS).toBe(ENTITY_AUTOMATIONS);
    const older = automationDocuments(() => false).ENTITY_AUTOMATIONS;
    expect(older).not.toContain("EntityScopeFields");
    expect(older).not.toContain("NoOp");
    expect(older).toContain("...ProjectScopeFields ...ArtifactPortfolioScopeFields ...ArtifactSequenceScopeFields }");
    expect(older).toContain("fragment GenericWebhookActionFields on GenericWebhookTriggeredAction");
    const noEntity = automationDocuments((f) => f !== "AUTOMATION_SCOPE_ENTITY").CREATE_AUTOMATION;
    expect(noEntity).toContain("fragment NoOpActionFields on NoOpTriggeredAction");
    expect(noEntity).not.toContain("EntityScopeFields");
  });
});
