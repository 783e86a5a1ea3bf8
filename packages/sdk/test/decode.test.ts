import { describe, expect, it } from "vitest";
import { normalizeSpec, specsEqual, type AutomationSpec, type JsonValue } from "@tripwire/sdk";
import { decodeAutomation, decodeEventFilter, encodeAutomation, encodeEventFilter, type WireTrigger } from "@tripwire/sdk/wire";

const project = { __typename: "Project", id: "UHJvamVjdDox", name: "llm", entityName: "acme" } as const;
const noop = { __typename: "NoOpTriggeredAction", noOp: true } as const;
const trigger = (eventType: string, filter: string, extra: Partial<WireTrigger> = {}): WireTrigger => ({
  id: "VHJpZ2dlcjox",
  name: "t",
  description: null,
  enabled: true,
  scope: project,
  event: { eventType, filter },
  action: noop,
  ...extra,
});
const decodeEvent = (eventType: string, filter: string) => decodeEventFilter(eventType, filter);

describe("decodeAutomation reads what W&B saves, tolerantly and without dropping anything", () => {
  it("unwraps the saved {\"filter\": …} of artifact events, as an object or as JSON text", () => {
    const asObject = trigger("ADD_ARTIFACT_ALIAS", '{"filter": {"$or": [{"$and": [{"alias": {"$eq": "latest"}}]}]}}');
    const asText = trigger("ADD_ARTIFACT_ALIAS", JSON.stringify({ filter: '{"$or":[{"$and":[{"alias":{"$eq":"latest"}}]}]}' }));
    const expected = { type: "addArtifactAlias", filter: { op: "eq", field: "alias", value: "latest" } };
    expect(decodeAutomation(asObject).spec?.event).toEqual(expected);
    expect(decodeAutomation(asText).spec?.event).toEqual(expected);
    expect(decodeAutomation(asObject).issues).toEqual([]);
  });

  it("reads UI-made shapes: bare values, several keys, $eq/$ne comparisons, $nin, field-level $not", () => {
    expect(decodeEvent("ADD_ARTIFACT_TAG", '{"tag": "europe", "alias": {"$regex": "^v", "$ne": "v0"}}').event).toEqual({
      type: "addArtifactTag",
      filter: {
        op: "and",
        args: [
          // canonical order: sorted by the conditions' JSON, so order never reads as a difference
          { op: "ne", field: "alias", value: "v0" },
          { op: "regex", field: "alias", value: "^v" },
          { op: "eq", field: "tag", value: "europe" },
        ],
      },
    });
    expect(decodeEvent("ADD_ARTIFACT_ALIAS", '{"alias": {"$nin": ["a", "b"]}}').event).toEqual({
      type: "addArtifactAlias",
      filter: { op: "not", arg: { op: "in", field: "alias", values: ["a", "b"] } },
    });
    expect(decodeEvent("ADD_ARTIFACT_ALIAS", '{"alias": {"$not": {"$eq": "x"}}}').event).toEqual({
      type: "addArtifactAlias",
      filter: { op: "not", arg: { op: "eq", field: "alias", value: "x" } },
    });
    const ui = '{"run_filter":"{\\"$and\\":[]}","run_metric_filter":{"threshold_filter":{"name":"acc","agg_op":"AVERAGE","window_size":5,"cmp_op":"$ne","threshold":1.0},"change_filter":null},"metric_filter":null}';
    expect(decodeEvent("RUN_METRIC", ui)).toEqual({
      event: { type: "runMetricThreshold", metric: "acc", agg: "mean", window: 5, cmp: "ne", threshold: 1 },
      issues: [],
    });
  });

  it("reads the legacy metric_filter, the SDK's prior-window default, and agg null with any window", () => {
    expect(decodeEvent("RUN_METRIC", '{"run_filter":"{}","metric_filter":"{\\"name\\":\\"loss\\",\\"agg_op\\":\\"MAX\\",\\"window_size\\":3,\\"cmp_op\\":\\"$gt\\",\\"threshold\\":2}"}').event).toEqual({
      type: "runMetricThreshold", metric: "loss", agg: "max", window: 3, cmp: "gt", threshold: 2,
    });
    expect(decodeEvent("RUN_METRIC_CHANGE", '{"run_filter":"{\\"$and\\":[]}","run_metric_filter":{"change_filter":{"name":"l","agg_op":"MIN","current_window_size":4,"change_amount":1,"change_type":"ABSOLUTE","change_dir":"INCREASE"}}}').event).toMatchObject({
      window: 4, priorWindow: 4,
    });
    expect(decodeEvent("RUN_METRIC", '{"run_filter":"{\\"$and\\":[]}","run_metric_filter":{"threshold_filter":{"name":"l","agg_op":null,"window_size":9,"cmp_op":"$lt","threshold":1}}}').event).toMatchObject({
      agg: null, window: 1,
    });
  });

  it("keeps unknown operators verbatim (a raw node) and re-encodes them unchanged", () => {
    const { event, issues } = decodeEvent("ADD_ARTIFACT_ALIAS", '{"filter":{"$or":[{"$and":[{"alias":{"$exists":true}},{"alias":{"$eq":"prod"}}]}]}}');
    expect(issues.map((i) => `${i.severity} ${i.code}`)).toEqual(["warning TW1015"]);
    expect(encodeEventFilter(event)).toBe('{"$or":[{"$and":[{"alias":{"$eq":"prod"}},{"alias":{"$exists":true}}]}]}');
  });

  it("keeps an unknown future metric-filter field verbatim (the whole event) and re-encodes it unchanged", () => {
    const text = '{"run_filter":"{\\"$and\\":[]}","run_metric_filter":{"threshold_filter":{"name":"l","agg_op":null,"window_size":1,"cmp_op":"$gt","threshold":1,"min_steps":100}},"metric_filter":null}';
    const { event, issues } = decodeEvent("RUN_METRIC", text);
    expect(event).toEqual({ type: "raw", wireType: "RUN_METRIC", filter: JSON.parse(text) });
    expect(issues[0]?.message).toBe("the threshold_filter has fields Tripwire does not know (min_steps); kept verbatim");
    expect(encodeEventFilter(event)).toBe(text);
  });

  it("unknown and legacy event types, unknown actions: kept, flagged", () => {
    expect(decodeAutomation(trigger("WEAVE_METRIC_THRESHOLD", '{"x":1}')).spec?.event).toEqual({ type: "raw", wireType: "WEAVE_METRIC_THRESHOLD", filter: { x: 1 } });
    const queue = decodeAutomation(trigger("RUN_STATE", '{"run_filter":"{\\"$and\\":[]}","run_state_filter":{"states":["FAILED"]}}', {
      action: { __typename: "QueueJobTriggeredAction", queue: { id: "q", name: "gpu" }, template: "{}" },
    }));
    expect(queue.spec?.action).toEqual({ type: "raw", wireType: "QUEUE_JOB", data: { __typename: "QueueJobTriggeredAction", queue: { id: "q", name: "gpu" }, template: "{}" } });
    expect(queue.issues.map((i) => `${i.severity} ${i.code}`)).toEqual(["error TW1016"]);
  });

  it("CRASHED reads as failed; states are de-duplicated and sorted", () => {
    expect(decodeEvent("RUN_STATE", '{"run_filter":"{\\"$and\\":[]}","run_state_filter":{"states":["RUNNING","CRASHED","FAILED"]}}').event).toEqual({
      type: "runState", states: ["failed", "running"],
    });
  });

  it("scopes: registry by prefix, collections by their project, teams and orgs; personal entities refused", () => {
    const at = (scope: WireTrigger["scope"]) => decodeAutomation(trigger("ADD_ARTIFACT_ALIAS", '{"filter":{"$or":[{"$and":[]}]}}', { scope }), { entity: "acme" });
    expect(at({ __typename: "Project", id: "p", name: "wandb-registry-model" }).spec?.scope).toEqual({ type: "registry", org: "acme", registry: "model" });
    expect(at({ __typename: "ArtifactSequence", id: "c", name: "ds", project: { name: "llm", entityName: "acme" } }).spec?.scope).toEqual({
      type: "collection", parent: { type: "project", entity: "acme", project: "llm" }, collection: "ds",
    });
    expect(at({ __typename: "Entity", id: "e", name: "ml", entityType: "team" }).spec?.scope).toEqual({ type: "team", team: "ml" });
    expect(at({ __typename: "Entity", id: "e", name: "acme", entityType: "organization" }).spec?.scope).toEqual({ type: "org", org: "acme" });
    const personal = at({ __typename: "Entity", id: "e", name: "bob", entityType: "personal" });
    expect(personal.spec).toBeUndefined();
    expect(personal.issues[0]?.message).toBe('entity "bob" of type personal cannot hold automations (only teams and organizations)');
    const orphan = at({ __typename: "ArtifactPortfolio", id: "c", name: "x" });
    expect(orphan.issues[0]?.message).toBe('cannot tell which project or registry holds collection "x"');
  });

  it("webhook payloads: JSON parsed, non-JSON templates kept as text, empty means none", () => {
    const hook = (requestPayload: string | null) =>
      decodeAutomation(trigger("ADD_ARTIFACT_ALIAS", '{"filter":{"$or":[{"$and":[]}]}}', {
        action: { __typename: "GenericWebhookTriggeredAction", integration: { id: "i", name: "ci", urlEndpoint: "https://x" }, requestPayload },
      })).spec?.action;
    expect(hook('{"b": 1, "a": "${alias}"}')).toEqual({ type: "webhook", integration: { kind: "webhook", name: "ci" }, payload: { a: "${alias}", b: 1 } });
    expect(hook('{"v": ${metric_values}}')).toEqual({ type: "webhook", integration: { kind: "webhook", name: "ci" }, payloadText: '{"v": ${metric_values}}' });
    expect(hook(null)).toEqual({ type: "webhook", integration: { kind: "webhook", name: "ci" } });
  });

  it("Slack channels read without \"#\", as slack() names them, however W&B stored them", () => {
    const notify = (channelName: string) =>
      decodeAutomation(trigger("ADD_ARTIFACT_ALIAS", '{"filter":{"$or":[{"$and":[]}]}}', {
        action: { __typename: "NotificationTriggeredAction", integration: { id: "i", channelName }, title: "t", message: "m", severity: "WARN" },
      })).spec?.action;
    const expected = { type: "notification", integration: { kind: "slack", name: "ml-alerts" }, title: "t", message: "m", severity: "WARN" };
    expect(notify("#ml-alerts")).toEqual(expected);
    expect(notify("ml-alerts")).toEqual(expected);
    // "#" alone reads as the empty name slack("#") gives (a Slack action that validate refuses), not as a raw action.
    expect(notify("#")).toEqual({ ...expected, integration: { kind: "slack", name: "" } });
    expect(notify("")).toEqual({ ...expected, integration: { kind: "slack", name: "" } });
  });
});

describe("the normaliser: equal meaning never reads as a difference", () => {
  const base: AutomationSpec = {
    name: "n",
    enabled: true,
    scope: { type: "project", entity: "acme", project: "llm" },
    event: { type: "runMetricThreshold", metric: "loss", agg: null, window: 1, cmp: "gt", threshold: 1 },
    action: { type: "webhook", integration: { kind: "webhook", name: "ci" }, payload: { a: 1, b: [1, 2] } },
  };
  it("1 vs 1.0, key order, absent vs empty description, latest with a stray window", () => {
    const parsed = JSON.parse('{"b":[1.0,2],"a":1.0}') as JsonValue;
    expect(specsEqual(base, { ...base, action: { type: "webhook", integration: { kind: "webhook", name: "ci" }, payload: parsed } })).toBe(true);
    expect(specsEqual(base, { ...base, description: "" })).toBe(true);
    expect(specsEqual(base, { ...base, event: { ...base.event, window: 7 } as AutomationSpec["event"] })).toBe(true);
    expect(specsEqual(base, { ...base, action: { type: "webhook", integration: { kind: "webhook", name: "ci" }, payloadText: '{ "b": [1, 2.0], "a": 1 }' } })).toBe(true);
    expect(specsEqual(base, { ...base, movedFrom: ["old"], protect: true })).toBe(true);
    expect(specsEqual(base, { ...base, description: "x" })).toBe(false);
    expect(specsEqual(base, { ...base, action: { type: "webhook", integration: { kind: "webhook", name: "ci" }, payload: { a: 1, b: [2, 1] } } })).toBe(false);
  });
  it("a payload key named __proto__ is data: it counts in comparisons and survives normalising", () => {
    const withProto = (v: number) => ({ ...base, action: { type: "webhook", integration: { kind: "webhook", name: "ci" }, payload: JSON.parse(`{"__proto__":{"x":${v}}}`) as JsonValue } }) as AutomationSpec;
    expect(specsEqual(withProto(1), withProto(2))).toBe(false);
    expect(specsEqual(withProto(1), withProto(1))).toBe(true);
    const normalised = normalizeSpec(withProto(1)).action as { payload: Record<string, unknown> };
    expect(Object.keys(normalised.payload)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(normalised.payload)).toBe(Object.prototype);
  });

  it("filters: nesting, order, duplicates, double negation, single-value in", () => {
    const a = { op: "eq", field: "runName", value: "a" } as const;
    const b = { op: "eq", field: "runUser", value: "b" } as const;
    const withFilter = (runFilter: NonNullable<Extract<AutomationSpec["event"], { type: "runMetricThreshold" }>["runFilter"]>) =>
      ({ ...base, event: { ...base.event, runFilter } }) as AutomationSpec;
    expect(specsEqual(withFilter({ op: "and", args: [a, { op: "and", args: [b, a] }] }), withFilter({ op: "and", args: [b, a] }))).toBe(true);
    expect(specsEqual(withFilter({ op: "not", arg: { op: "not", arg: a } }), withFilter(a))).toBe(true);
    expect(specsEqual(withFilter({ op: "in", field: "runName", values: ["a"] }), withFilter(a))).toBe(true);
    expect(specsEqual(withFilter({ op: "and", args: [] }), base)).toBe(true);
    expect(specsEqual(withFilter({ op: "or", args: [a, b] }), withFilter({ op: "and", args: [a, b] }))).toBe(false);
  });
  it("decoding what encoding produced gives the normalised definition back", () => {
    const input = encodeAutomation(base, { scopeId: "p", integrationId: "i" });
    const decoded = decodeAutomation({
      id: "t", name: input.name, enabled: input.enabled, scope: project,
      event: { eventType: input.triggeringEventType, filter: input.eventFilter },
      action: { __typename: "GenericWebhookTriggeredAction", integration: { id: "i", name: "ci" }, requestPayload: input.triggeredActionConfig.genericWebhookActionInput?.requestPayload ?? null },
    });
    expect(decoded.spec).toEqual(normalizeSpec(base));
  });
});
