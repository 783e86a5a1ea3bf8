import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  normalizeSpec,
  type ActionSpec,
  type AutomationSpec,
  type EventSpec,
  type FilterExpr,
  type FilterField,
  type JsonValue,
  type Scope,
} from "@tripwire/sdk";
import { decodeAutomation, encodeAutomation, type CreateFilterTriggerInput, type WireTrigger } from "@tripwire/sdk/wire";

const text = fc.string({ maxLength: 10, unit: "grapheme" });
const name = fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
const positive = fc.double({ min: 1e-6, max: 1e9, noNaN: true });
const window = fc.integer({ min: 1, max: 200 });

const filter = (fields: readonly FilterField[]): fc.Arbitrary<FilterExpr> =>
  fc.letrec<{ expr: FilterExpr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.record({ op: fc.constantFrom("eq", "ne", "contains", "regex"), field: fc.constantFrom(...fields), value: text }),
      fc.record({ op: fc.constant("in"), field: fc.constantFrom(...fields), values: fc.array(text, { maxLength: 3 }) }),
      fc.record({ op: fc.constant("and"), args: fc.array(tie("expr"), { maxLength: 3 }) }),
      fc.record({ op: fc.constant("or"), args: fc.array(tie("expr"), { maxLength: 3 }) }),
      fc.record({ op: fc.constant("not"), arg: tie("expr") }),
    ) as fc.Arbitrary<FilterExpr>,
  })).expr;

const withOptional = <T extends object, K extends string, V>(base: fc.Arbitrary<T>, key: K, value: fc.Arbitrary<V>) =>
  fc.tuple(base, fc.option(value, { nil: undefined })).map(([b, v]) => (v === undefined ? b : { ...b, [key]: v }));

const parentScope = fc.oneof(
  fc.record({ type: fc.constant("project" as const), entity: name, project: name.filter((p) => !p.startsWith("wandb-registry-")) }),
  fc.record({ type: fc.constant("registry" as const), org: name, registry: name }),
);
const scope: fc.Arbitrary<Scope> = fc.oneof(
  parentScope,
  fc.record({ type: fc.constant("collection" as const), parent: parentScope, collection: name }),
  fc.record({ type: fc.constant("team" as const), team: name }),
  fc.record({ type: fc.constant("org" as const), org: name }),
);

const artifactEvent = (types: readonly string[]) =>
  withOptional(
    fc.record({ type: fc.constantFrom(...types) }),
    "filter",
    filter(["alias", "tag"]),
  ) as fc.Arbitrary<EventSpec>;
const runEvent: fc.Arbitrary<EventSpec> = withOptional(
  fc.oneof(
    fc.record({ type: fc.constant("runState"), states: fc.uniqueArray(fc.constantFrom("running", "finished", "failed"), { minLength: 1 }) }),
    fc.record({ type: fc.constant("runMetricThreshold"), metric: name, agg: fc.constantFrom("mean", "min", "max", null), window, cmp: fc.constantFrom("gt", "gte", "lt", "lte", "eq", "ne"), threshold: finite }),
    fc.record({
      type: fc.constant("runMetricChange"), metric: name, agg: fc.constantFrom("mean", "min", "max", null), window, priorWindow: window,
      change: fc.constantFrom("relative", "absolute"), direction: fc.constantFrom("increase", "decrease", "any"), amount: positive,
    }),
    fc.record({ type: fc.constant("runMetricZScore"), metric: name, window, direction: fc.constantFrom("increase", "decrease", "any"), threshold: positive }),
  ),
  "runFilter",
  filter(["runName", "runUser"]),
) as fc.Arbitrary<EventSpec>;

const ARTIFACT = ["linkArtifact", "unlinkArtifact", "addArtifactAlias", "addArtifactTag", "removeArtifactTag", "addCollectionTag", "removeCollectionTag"];
const eventFor = (s: Scope): fc.Arbitrary<EventSpec> =>
  s.type === "collection" ? artifactEvent([...ARTIFACT, "createArtifact"]) : fc.oneof(artifactEvent(ARTIFACT), runEvent);

const action: fc.Arbitrary<ActionSpec> = fc.oneof(
  fc.constant({ type: "noop" as const }),
  fc.record({
    type: fc.constant("notification" as const),
    integration: fc.record({ kind: fc.constant("slack" as const), name }),
    title: text,
    message: text,
    severity: fc.constantFrom("INFO", "WARN", "ERROR"),
  }),
  withOptional(
    fc.record({ type: fc.constant("webhook" as const), integration: fc.record({ kind: fc.constant("webhook" as const), name }) }),
    "payload",
    fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as JsonValue),
  ),
);

const spec: fc.Arbitrary<AutomationSpec> = scope.chain((s) =>
  withOptional(fc.record({ name, enabled: fc.boolean(), scope: fc.constant(s), event: eventFor(s), action }), "description", name),
) as fc.Arbitrary<AutomationSpec>;

/** What a W&B server returns for an automation it saved from `input` (spec §B.1: artifact filters wrapped in {"filter": …}). */
function saved(input: CreateFilterTriggerInput, s: AutomationSpec): WireTrigger {
  const project = (p: Scope) =>
    p.type === "project" ? { name: p.project, entityName: p.entity } : p.type === "registry" ? { name: `wandb-registry-${p.registry}`, entityName: p.org } : { name: "", entityName: "" };
  const sc = s.scope;
  const wireScope: WireTrigger["scope"] =
    sc.type === "collection"
      ? { __typename: sc.parent.type === "registry" ? "ArtifactPortfolio" : "ArtifactSequence", id: input.scopeID, name: sc.collection, project: project(sc.parent) }
      : sc.type === "team" || sc.type === "org"
        ? { __typename: "Entity", id: input.scopeID, name: sc.type === "team" ? sc.team : sc.org, entityType: sc.type === "team" ? "team" : "organization" }
        : { __typename: "Project", id: input.scopeID, ...project(sc) };
  const mutation = !input.triggeringEventType.startsWith("RUN_");
  const cfg = input.triggeredActionConfig;
  const wireAction: WireTrigger["action"] = cfg.notificationActionInput
    ? { __typename: "NotificationTriggeredAction", integration: { id: "i", channelName: (s.action as { integration: { name: string } }).integration.name }, ...cfg.notificationActionInput }
    : cfg.genericWebhookActionInput
      ? { __typename: "GenericWebhookTriggeredAction", integration: { id: "i", name: (s.action as { integration: { name: string } }).integration.name }, requestPayload: cfg.genericWebhookActionInput.requestPayload ?? null }
      : { __typename: "NoOpTriggeredAction", noOp: true };
  return {
    id: "VHJpZ2dlcjox",
    name: input.name,
    description: input.description ?? null,
    enabled: input.enabled,
    scope: wireScope,
    event: { eventType: input.triggeringEventType, filter: mutation ? JSON.stringify({ filter: JSON.parse(input.eventFilter) }) : input.eventFilter },
    action: wireAction,
  };
}

describe("wire round trip (property)", () => {
  it("decode(encode(spec)) equals the normalised spec, with no issues", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const input = encodeAutomation(s, { scopeId: "c2NvcGU=", integrationId: "aW50ZWdyYXRpb24=" });
        const { spec: decoded, issues } = decodeAutomation(saved(input, s));
        expect(issues).toEqual([]);
        expect(canonicalJson(decoded)).toBe(canonicalJson(normalizeSpec(s)));
      }),
      { numRuns: 500 },
    );
  });

  it("normalising is idempotent and encoding a normalised spec decodes to itself", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const n = normalizeSpec(s);
        expect(normalizeSpec(n)).toEqual(n);
        const again = decodeAutomation(saved(encodeAutomation(n, { scopeId: "s", integrationId: "i" }), n)).spec;
        expect(canonicalJson(again)).toBe(canonicalJson(n));
      }),
      { numRuns: 300 },
    );
  });
});
