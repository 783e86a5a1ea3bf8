import { describe, expect, it } from "vitest";
import {
  alias,
  automation,
  doNothing,
  formatIssue,
  metric,
  onAddArtifactAlias,
  onAddArtifactTag,
  onRunMetric,
  onRunState,
  project,
  registry,
  runName,
  sendWebhook,
  tag,
  toSpec,
  validate,
  validateAll,
  webhook,
  type AutomationSpec,
} from "@tripwire/sdk";

const llm = project("acme/llm");
const base = toSpec(automation("ok").in(llm).on(onRunState("failed")).do(doNothing()));
const codes = (input: unknown) => validate(input).issues.map((i) => `${i.severity} ${i.code} ${i.path.join(".")}`);

describe("validate returns every issue with code, message and path", () => {
  it("a valid automation has no issues", () => {
    expect(validate(base)).toEqual({ ok: true, issues: [], value: base });
  });

  it("collects all issues of one automation, not just the first", () => {
    const spec: AutomationSpec = {
      ...base,
      name: "x".repeat(256),
      scope: { type: "project", entity: "", project: "wandb-registry-model" },
      event: { type: "runMetricChange", metric: "", agg: "mean", window: 0, priorWindow: 2.5, change: "relative", direction: "any", amount: 0 },
    };
    expect(codes(spec)).toEqual([
      "error TW1001 name",
      "error TW1012 scope.entity",
      "error TW1012 scope.project",
      "error TW1013 event.metric",
      "error TW1003 event.window",
      "error TW1003 event.priorWindow",
      "error TW1004 event.amount",
    ]);
    const first = validate(spec).issues[4]!;
    expect(first.message).toBe("window must be at least 1 (a whole number of logged values), got 0");
  });

  it("shape errors come from the zod schema, with paths", () => {
    const r = validate({ ...base, enabled: "yes", event: { type: "runState", states: ["killed"] } });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => [i.code, i.path.join(".")])).toEqual([
      ["TW1000", "enabled"],
      ["TW1000", "event.states.0"],
    ]);
  });

  it("scope × event pairs W&B refuses (spec §A.3)", () => {
    const onCollection = { ...base, scope: { type: "collection", parent: llm.spec, collection: "c" } };
    expect(codes(onCollection)).toEqual(["error TW1002 event.type"]);
    expect(codes({ ...base, event: { type: "createArtifact" } })).toEqual(["error TW1002 event.type"]);
  });

  it("filter fields must fit the event; regexes must compile; in [] is refused; raw is a warning", () => {
    const tagOnAlias = toSpec(automation("a").in(llm).on(onAddArtifactAlias()).do(doNothing()));
    expect(codes({ ...tagOnAlias, event: { type: "addArtifactAlias", filter: { op: "eq", field: "tag", value: "x" } } })).toEqual([
      "error TW1008 event.filter.field",
    ]);
    expect(codes({ ...tagOnAlias, event: { type: "addArtifactAlias", filter: { op: "regex", field: "alias", value: "(" } } })).toEqual([
      "error TW1007 event.filter.value",
    ]);
    expect(codes({ ...base, event: { type: "runState", states: ["failed"], runFilter: { op: "and", args: [{ op: "in", field: "runUser", values: [] }] } } })).toEqual([
      "error TW1018 event.runFilter.args.0.values",
    ]);
    const raw = validate({ ...tagOnAlias, event: { type: "addArtifactAlias", filter: { op: "raw", json: { alias: { $exists: true } } } } });
    expect(raw.ok).toBe(true);
    expect(raw.issues.map((i) => `${i.severity} ${i.code}`)).toEqual(["warning TW1015"]);
  });

  it("metric rules: latest has no window, thresholds finite, z-score threshold > 0", () => {
    const latest = toSpec(automation("m").in(llm).on(onRunMetric(metric("m").gt(1))).do(doNothing()));
    expect(codes({ ...latest, event: { ...latest.event, window: 5 } })).toEqual(["error TW1003 event.window"]);
    const z = toSpec(automation("z").in(llm).on(onRunMetric(metric("m").zscore(1).gt(1))).do(doNothing()));
    expect(codes(z)).toEqual(["warning TW1003 event.window"]);
    expect(codes({ ...z, event: { ...z.event, window: 30, threshold: 0 } })).toEqual(["error TW1005 event.threshold"]);
    // Not a finite number is a shape error (zod rejects NaN and Infinity).
    expect(codes({ ...latest, event: { ...latest.event, threshold: Number.NaN } })).toEqual(["error TW1000 event.threshold"]);
  });

  it("warns when payloadText renders to invalid JSON: a text placeholder outside quotes", () => {
    const hook = (payloadText: string) =>
      toSpec(automation("w").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(1))).do(sendWebhook(webhook("ci"), { payloadText })));
    const bad = validate(hook('{"run": ${run_name}, "n": 1}'));
    expect(bad.issues.map((i) => `${i.severity} ${i.code} ${i.path.join(".")}`)).toEqual(["warning TW1040 action.payloadText"]);
    expect(bad.issues[0]?.message).toMatch(/^payloadText does not render to valid JSON \(.+\); placeholders are replaced by their text without quotes, so write text ones inside a JSON string: "\$\{run_name\}"$/);
    expect(validate(hook('{"run": "${run_name}", ')).issues.map((i) => i.code)).toEqual(["TW1040"]);
    // Values that are JSON themselves may stand unquoted, as the builder's docs suggest payloadText for.
    expect(validate(hook('{"run": "${run_name}", "values": ${metric_values}, "v": ${artifact_version_index}, "m": ${artifact_metadata.size}}')).issues).toEqual([]);
  });

  it("webhooks: integration names as W&B allows them, payload templates checked", () => {
    const hook = toSpec(
      automation("w")
        .in(registry("acme/model"))
        .on(onAddArtifactAlias(alias.eq("production")))
        .do(sendWebhook(webhook("bad/name"), { payload: { v: "${artifact_version_string}", s: "${ACCESS_TOKEN}", typo: "${artifact_verison}" } })),
    );
    expect(codes(hook)).toEqual(["error TW1011 action.integration.name", "warning TW1019 action.payload.typo"]);
    expect(validate(hook).issues[1]?.message).toBe(
      '${artifact_verison} is not a W&B template variable; if it is a team secret, secret names are written in capitals (letters, digits, "_")',
    );
  });

  it("raw actions and the legacy alias event cannot be written", () => {
    expect(codes({ ...base, action: { type: "raw", wireType: "QUEUE_JOB", data: {} } })).toEqual(["error TW1016 action.wireType"]);
    expect(codes({ ...base, event: { type: "raw", wireType: "UPDATE_ARTIFACT_ALIAS", filter: {} } })).toEqual(["error TW1016 event.wireType"]);
    expect(codes({ ...base, event: { type: "raw", wireType: "WEAVE_METRIC_THRESHOLD", filter: {} } })).toEqual(["warning TW1015 event"]);
  });

  it("validateAll: names unique per scope, renames that do not collide", () => {
    const a = toSpec(automation("dup").in(llm).on(onRunState("failed")).do(doNothing()));
    const sameNameOtherScope = toSpec(automation("dup").in(project("acme/other")).on(onRunState("failed")).do(doNothing()));
    const b = toSpec(automation("dup").in(llm).on(onAddArtifactTag(tag.eq("x"))).do(doNothing()));
    const r1 = toSpec(automation("n1").in(llm).on(onRunState("failed")).do(doNothing()).movedFrom("old"));
    const r2 = toSpec(automation("n2").in(llm).on(onRunState("failed")).do(doNothing()).movedFrom("old"));
    const r = validateAll([a, sameNameOtherScope, b, r1, r2]);
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => `${i.code} ${i.path.join(".")} ${i.message}`)).toEqual([
      'TW1014 2.name another automation in this scope is already named "dup" (#1 in the list); names are unique per scope',
      'TW1017 4.movedFrom automation #4 also declares movedFrom("old"); one automation can take over an old name',
    ]);
  });

  it("formats like tsc, with the builder's recorded location", () => {
    const defined = automation("w").in(llm).on(onRunMetric(metric("loss").mean(0).gt(1)).where(runName.eq("x"))).do(doNothing());
    const issue = validate(toSpec(defined)).issues[0]!;
    expect(formatIssue(issue, { file: "automations/alerts.ts", line: 12, column: 7 })).toBe(
      "automations/alerts.ts:12:7 - error TW1003: window must be at least 1 (a whole number of logged values), got 0 (at event.window)",
    );
    expect(defined.source?.file).toMatch(/validate\.test\.ts$/);
  });
});
