import { describe, expect, expectTypeOf, it } from "vitest";
import {
  alias,
  and,
  automation,
  collectionName,
  doNothing,
  isAutomation,
  metric,
  not,
  onAddArtifactAlias,
  onAddArtifactTag,
  onAddCollectionTag,
  onCreateArtifact,
  onLinkArtifact,
  onRawEvent,
  onRemoveArtifactTag,
  onRemoveCollectionTag,
  onRunMetric,
  onRunState,
  onUnlinkArtifact,
  or,
  org,
  project,
  rawFilter,
  registry,
  runName,
  runUser,
  sendNotification,
  sendWebhook,
  slack,
  tag,
  team,
  toSpec,
  webhook,
  type Automation,
  type AutomationSpec,
  type EventedAutomation,
  type NewAutomation,
  type ScopedAutomation,
} from "@tripwire/sdk";

const llm = project("acme/llm-pretrain");

// The contract example, verbatim.
const contract = [
  automation("loss-spike")
    .in(llm)
    .on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(runName.contains("sweep-")))
    .do(sendNotification(slack("ml-alerts"), { title: "Loss spiked", severity: "WARN" })),
  automation("loss-plateau")
    .in(llm)
    .on(onRunMetric(metric("loss").mean(10).decreasesBy({ frac: 0.25, priorWindow: 50 })))
    .do(doNothing()),
  automation("run-failed").in(llm).on(onRunState(["failed"]).where(runUser.eq("alice"))).do(sendNotification(slack("ml-alerts"))),
  automation("deploy-prod")
    .in(registry("acme/model").collection("llm-7b"))
    .on(onAddArtifactAlias(alias.eq("production")))
    .do(sendWebhook(webhook("deploy"), { payload: { version: "${artifact_version_string}" } }))
    .describe("Deploy whatever gets the production alias"),
];

describe("builders produce the model's plain data", () => {
  it("the contract example yields exactly these specs", () => {
    expect(contract.map(toSpec)).toEqual([
      {
        name: "loss-spike",
        enabled: true,
        scope: { type: "project", entity: "acme", project: "llm-pretrain" },
        event: {
          type: "runMetricThreshold",
          metric: "loss",
          agg: "mean",
          window: 5,
          cmp: "gt",
          threshold: 0.6,
          runFilter: { op: "contains", field: "runName", value: "sweep-" },
        },
        action: { type: "notification", integration: { kind: "slack", name: "ml-alerts" }, title: "Loss spiked", message: "", severity: "WARN" },
      },
      {
        name: "loss-plateau",
        enabled: true,
        scope: { type: "project", entity: "acme", project: "llm-pretrain" },
        event: { type: "runMetricChange", metric: "loss", agg: "mean", window: 10, priorWindow: 50, change: "relative", direction: "decrease", amount: 0.25 },
        action: { type: "noop" },
      },
      {
        name: "run-failed",
        enabled: true,
        scope: { type: "project", entity: "acme", project: "llm-pretrain" },
        event: { type: "runState", states: ["failed"], runFilter: { op: "eq", field: "runUser", value: "alice" } },
        action: { type: "notification", integration: { kind: "slack", name: "ml-alerts" }, title: "", message: "", severity: "INFO" },
      },
      {
        name: "deploy-prod",
        description: "Deploy whatever gets the production alias",
        enabled: true,
        scope: { type: "collection", parent: { type: "registry", org: "acme", registry: "model" }, collection: "llm-7b" },
        event: { type: "addArtifactAlias", filter: { op: "eq", field: "alias", value: "production" } },
        action: { type: "webhook", integration: { kind: "webhook", name: "deploy" }, payload: { version: "${artifact_version_string}" } },
      },
    ] satisfies AutomationSpec[]);
  });

  it("every builder call returns a new value and the old one is unchanged", () => {
    const base = automation("a").in(llm).on(onRunState("failed")).do(doNothing());
    const disabled = base.enabled(false);
    const described = disabled.describe("d").movedFrom("old-a").protect();
    expect(toSpec(base).enabled).toBe(true);
    expect(toSpec(disabled).enabled).toBe(false);
    expect(toSpec(described)).toMatchObject({ enabled: false, description: "d", movedFrom: ["old-a"], protect: true });
    expect(toSpec(disabled).description).toBeUndefined();
    const ev = onRunState("failed");
    const narrowed = ev.where(runName.eq("x"));
    expect(ev.spec).toEqual({ type: "runState", states: ["failed"] });
    expect(narrowed.spec).toEqual({ type: "runState", states: ["failed"], runFilter: { op: "eq", field: "runName", value: "x" } });
  });

  it("terminal values are frozen and serialise to their spec", () => {
    const a = contract[0]!;
    expect(Object.isFrozen(a)).toBe(true);
    const spec = toSpec(a);
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.event)).toBe(true);
    expect(JSON.parse(JSON.stringify(a))).toEqual(spec);
    expect(() => {
      (spec as { name: string }).name = "changed";
    }).toThrow(TypeError);
  });

  it("values are recognised by brand across SDK copies, not by instanceof", () => {
    const a = contract[0]!;
    expect(isAutomation(a)).toBe(true);
    expect(isAutomation({ ...a })).toBe(false); // spreading drops the non-enumerable brand
    const foreign = Object.defineProperty({}, Symbol.for("tripwire/brand"), { value: "automation" });
    expect(isAutomation(foreign)).toBe(true);
    expect(isAutomation(toSpec(a))).toBe(false);
  });

  it("records where each automation was defined (first frame outside the SDK)", () => {
    const a = automation("here");
    expect(a.source?.file).toMatch(/builders\.test\.ts$/);
    expect(a.source?.line).toBeGreaterThan(0);
    expect(a.in(llm).source).toEqual(a.source);
  });
});

describe("every scope, event and action can be written", () => {
  it("scopes", () => {
    expect(project("acme", "llm").spec).toEqual({ type: "project", entity: "acme", project: "llm" });
    expect(registry("acme/model").spec).toEqual({ type: "registry", org: "acme", registry: "model" });
    expect(llm.collection("dataset").spec).toEqual({ type: "collection", parent: llm.spec, collection: "dataset" });
    expect(registry("acme", "model").collection("llm-7b").spec).toEqual({
      type: "collection",
      parent: { type: "registry", org: "acme", registry: "model" },
      collection: "llm-7b",
    });
    expect(llm.collections(collectionName.regex("^ckpt-")).spec).toEqual({
      type: "collections",
      parent: llm.spec,
      filter: { op: "regex", field: "collectionName", value: "^ckpt-" },
    });
    expect(llm.collections().spec).toEqual({ type: "collections", parent: llm.spec });
    expect(team("acme-ml").spec).toEqual({ type: "team", team: "acme-ml" });
    expect(org("acme").spec).toEqual({ type: "org", org: "acme" });
  });

  it("artifact and collection events, with filters given or added by where()", () => {
    const cases = [
      [onCreateArtifact(alias.eq("latest")), "createArtifact", { op: "eq", field: "alias", value: "latest" }],
      [onLinkArtifact().where(alias.regex("^v")), "linkArtifact", { op: "regex", field: "alias", value: "^v" }],
      [onUnlinkArtifact(), "unlinkArtifact", undefined],
      [onAddArtifactAlias(alias.in(["a", "b"])), "addArtifactAlias", { op: "in", field: "alias", values: ["a", "b"] }],
      [onAddArtifactTag(tag.eq("europe")), "addArtifactTag", { op: "eq", field: "tag", value: "europe" }],
      [onRemoveArtifactTag(tag.ne("x")), "removeArtifactTag", { op: "ne", field: "tag", value: "x" }],
      [onAddCollectionTag(tag.contains("gold")), "addCollectionTag", { op: "contains", field: "tag", value: "gold" }],
      [onRemoveCollectionTag(), "removeCollectionTag", undefined],
    ] as const;
    for (const [event, type, filter] of cases) {
      expect(event.spec).toEqual(filter ? { type, filter } : { type });
    }
    expect(onAddArtifactTag(tag.eq("a")).where(tag.eq("b")).spec).toEqual({
      type: "addArtifactTag",
      filter: { op: "and", args: [{ op: "eq", field: "tag", value: "a" }, { op: "eq", field: "tag", value: "b" }] },
    });
  });

  it("metric thresholds: mean/min/max with default window 5, latest, six comparisons", () => {
    const t = (c: ReturnType<typeof onRunMetric>) => c.spec;
    expect(t(onRunMetric(metric("loss").mean().gt(1)))).toMatchObject({ agg: "mean", window: 5, cmp: "gt" });
    expect(t(onRunMetric(metric("loss").min(7).gte(1)))).toMatchObject({ agg: "min", window: 7, cmp: "gte" });
    expect(t(onRunMetric(metric("loss").max(3).lt(1)))).toMatchObject({ agg: "max", window: 3, cmp: "lt" });
    expect(t(onRunMetric(metric("loss").avg(2).lte(1)))).toMatchObject({ agg: "mean", window: 2, cmp: "lte" });
    expect(t(onRunMetric(metric("loss").latest().eq(1)))).toMatchObject({ agg: null, window: 1, cmp: "eq" });
    expect(t(onRunMetric(metric("loss").ne(-5)))).toEqual({ type: "runMetricThreshold", metric: "loss", agg: null, window: 1, cmp: "ne", threshold: -5 });
  });

  it("metric changes: current window 10, prior 50 by default; relative (frac) or absolute (diff)", () => {
    expect(onRunMetric(metric("loss").mean().increasesBy({ frac: 0.5 })).spec).toEqual({
      type: "runMetricChange", metric: "loss", agg: "mean", window: 10, priorWindow: 50, change: "relative", direction: "increase", amount: 0.5,
    });
    expect(onRunMetric(metric("loss").max(4).changesBy({ diff: 2, priorWindow: 8 })).spec).toMatchObject({
      agg: "max", window: 4, priorWindow: 8, change: "absolute", direction: "any", amount: 2,
    });
    expect(onRunMetric(metric("lr").latest().decreasesBy({ diff: 0.1 })).spec).toMatchObject({
      agg: null, window: 1, priorWindow: 1, change: "absolute", direction: "decrease",
    });
  });

  it("z-scores: gt is a rise, lt(-t) a drop, abs().gt either way; window 30 by default", () => {
    expect(onRunMetric(metric("loss").zscore().gt(3)).spec).toEqual({ type: "runMetricZScore", metric: "loss", window: 30, direction: "increase", threshold: 3 });
    expect(onRunMetric(metric("acc").zscore(10).lt(-2)).spec).toMatchObject({ window: 10, direction: "decrease", threshold: 2 });
    expect(onRunMetric(metric("acc").zscore(10).abs().gte(2.5)).spec).toMatchObject({ direction: "any", threshold: 2.5 });
  });

  it("run states: crashed means failed, case-insensitive, de-duplicated and sorted", () => {
    expect(onRunState(["running", "CRASHED", "finished", "failed"]).spec).toEqual({ type: "runState", states: ["failed", "finished", "running"] });
    expect(onRunState("crashed").spec).toEqual({ type: "runState", states: ["failed"] });
  });

  it("run filters with and / or / not", () => {
    const f = and(runName.regex("^train-"), or(runUser.eq("alice"), runUser.in(["bob", "carol"])), not(runName.contains("debug")));
    expect(onRunState("failed").where(f).spec).toEqual({
      type: "runState",
      states: ["failed"],
      runFilter: {
        op: "and",
        args: [
          { op: "regex", field: "runName", value: "^train-" },
          { op: "or", args: [{ op: "eq", field: "runUser", value: "alice" }, { op: "in", field: "runUser", values: ["bob", "carol"] }] },
          { op: "not", arg: { op: "contains", field: "runName", value: "debug" } },
        ],
      },
    });
    expect(runName.regex(/^train-\d+/).value).toBe("^train-\\d+");
  });

  it("actions: Slack with defaults and W&B's aliases, webhook with JSON or text payload, no-op", () => {
    expect(sendNotification(slack("#ml-alerts"), { text: "hi", level: "error" })).toEqual({
      type: "notification", integration: { kind: "slack", name: "ml-alerts" }, title: "", message: "hi", severity: "ERROR",
    });
    expect(sendWebhook(webhook("deploy", { entity: "acme-ml" }))).toEqual({ type: "webhook", integration: { kind: "webhook", name: "deploy", entity: "acme-ml" } });
    expect(sendWebhook(webhook("d"), { payloadText: '{"v": ${metric_values}}' })).toEqual({
      type: "webhook", integration: { kind: "webhook", name: "d" }, payloadText: '{"v": ${metric_values}}',
    });
    expect(doNothing()).toEqual({ type: "noop" });
  });

  it("every scope × event combination W&B allows can be built (spec §A.3)", () => {
    const scopes = {
      project: llm,
      registry: registry("acme/model"),
      collection: llm.collection("c"),
      collections: llm.collections(),
      team: team("t"),
      org: org("o"),
    } as const;
    const artifactEvents = [onLinkArtifact(), onUnlinkArtifact(), onAddArtifactAlias(), onAddArtifactTag(), onRemoveArtifactTag(), onAddCollectionTag(), onRemoveCollectionTag()];
    const runEvents = [onRunState("failed"), onRunMetric(metric("m").gt(1)), onRunMetric(metric("m").mean().changesBy({ diff: 1 })), onRunMetric(metric("m").zscore().gt(1))];
    let built = 0;
    for (const [kind, scope] of Object.entries(scopes)) {
      for (const e of artifactEvents) {
        expect(toSpec(automation("x").in(scope).on(e).do(doNothing())).scope.type).toBe(kind);
        built++;
      }
      if (kind === "collection" || kind === "collections") {
        toSpec(automation("x").in(scope).on(onCreateArtifact()).do(doNothing()));
        built++;
      } else {
        for (const e of runEvents) {
          toSpec(automation("x").in(scope as typeof llm).on(e).do(doNothing()));
          built++;
        }
      }
    }
    expect(built).toBe(6 * 7 + 2 * 1 + 4 * 4);
  });
});

describe("forbidden combinations fail at run time for JavaScript users", () => {
  // These casts stand in for untyped JavaScript; the same lines fail to type-check (see the type tests below).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const js = (v: unknown): any => v;
  it("run events on a collection scope", () => {
    expect(() => automation("x").in(llm.collection("c")).on(js(onRunState("failed")))).toThrow(
      'TW1002: automation "x": run events (runState) need a project, registry, team or org scope; W&B refuses them on a collection scope',
    );
    expect(() => automation("x").in(llm.collections()).on(js(onRunMetric(metric("m").gt(1))))).toThrow(/TW1002.*collection filter scope/);
  });
  it("a new version outside a collection scope", () => {
    for (const scope of [llm, registry("a/b"), team("t"), org("o")]) {
      expect(() => automation("x").in(scope).on(js(onCreateArtifact()))).toThrow(/TW1002: .*a new artifact version is only created inside a collection/);
    }
  });
  it("a window on .latest()", () => {
    expect(() => js(metric("loss").latest)(5)).toThrow('TW1003: metric("loss").latest() has no window');
    expect(() => metric("loss").latest().increasesBy(js({ diff: 1, priorWindow: 5 }))).toThrow(/TW1003: loss: the latest value has no prior window/);
  });
  it(".do() before .on(), .on() before .in()", () => {
    expect(() => automation("x").do(js(doNothing()))).toThrow('TW1000: automation "x": call .on(event) before .do(action)');
    expect(() => automation("x").in(llm).do(js(doNothing()))).toThrow(/call .on\(event\) before .do\(action\)/);
    expect(() => automation("x").on(js(onRunState("failed")))).toThrow(/call .in\(scope\) before .on\(event\)/);
  });
  it("killed runs, unknown states, wrong-signed z-scores, both diff and frac, wrong integration kind", () => {
    expect(() => onRunState(js(["killed"]))).toThrow(/TW1009: killed runs never trigger automations/);
    expect(() => onRunState(js("paused"))).toThrow(/TW1009: unknown run state "paused"/);
    expect(() => metric("x").zscore().gt(-1)).toThrow(/TW1005/);
    expect(() => metric("x").zscore().lt(2)).toThrow(/TW1005: x.zscore\(...\).lt\(2\): a drop needs a negative threshold/);
    expect(() => metric("x").mean().changesBy(js({ diff: 1, frac: 0.1 }))).toThrow(/exactly one of/);
    expect(() => sendNotification(js(webhook("w")))).toThrow(/TW1011: sendNotification needs slack\(channel\)/);
    expect(() => sendWebhook(js(slack("s")))).toThrow(/TW1011: sendWebhook needs webhook\(name\)/);
    expect(() => runName.regex(/x/i)).toThrow(/TW1007/);
    expect(() => toSpec(js(automation("x").in(llm)))).toThrow('TW1000: automation "x" is incomplete: it needs .on(event)');
  });
});

describe("type tests: accepted and rejected shapes", () => {
  it("stages expose only the next step", () => {
    expectTypeOf(automation("x")).toEqualTypeOf<NewAutomation>();
    expectTypeOf(automation("x").in(llm)).toEqualTypeOf<ScopedAutomation<"project">>();
    expectTypeOf(automation("x").in(llm).on(onRunState("failed"))).toEqualTypeOf<EventedAutomation>();
    expectTypeOf(automation("x").in(llm).on(onRunState("failed")).do(doNothing())).toEqualTypeOf<Automation>();
    expectTypeOf(toSpec).returns.toEqualTypeOf<AutomationSpec>();
  });

  it("forbidden shapes do not type-check", () => {
    const collection = llm.collection("c");
    const typeOnly = (f: () => unknown) => expect(typeof f).toBe("function"); // compile-time checks; never run
    typeOnly(() => {
      // @ts-expect-error run events need a project, registry, team or org scope, not a collection
      automation("x").in(collection).on(onRunState(["failed"]));
      // @ts-expect-error run metric events are refused on the collections filter scope too
      automation("x").in(llm.collections()).on(onRunMetric(metric("m").gt(1)));
      // @ts-expect-error onCreateArtifact needs a collection scope
      automation("x").in(llm).on(onCreateArtifact());
      // @ts-expect-error onCreateArtifact needs a collection scope (teams contain no versions directly)
      automation("x").in(team("t")).on(onCreateArtifact());
      // @ts-expect-error latest() has no window
      metric("loss").latest(5);
      // @ts-expect-error the latest value has no prior window
      metric("loss").latest().increasesBy({ diff: 1, priorWindow: 50 });
      // @ts-expect-error call .on(event) before .do(action)
      automation("x").do(doNothing());
      // @ts-expect-error call .on(event) before .do(action)
      automation("x").in(llm).do(doNothing());
      // @ts-expect-error call .in(scope) before .on(event)
      automation("x").on(onRunState("failed"));
      // @ts-expect-error killed can never be chosen
      onRunState(["killed"]);
      // @ts-expect-error alias events filter on aliases, not tags
      onAddArtifactAlias(tag.eq("x"));
      // @ts-expect-error run filters take run fields only
      onRunState("failed").where(and(runName.eq("a"), alias.eq("b")));
      // @ts-expect-error exactly one of diff or frac
      metric("m").mean().changesBy({ diff: 1, frac: 0.1 });
      // @ts-expect-error Slack notifications need a Slack integration
      sendNotification(webhook("w"));
      // @ts-expect-error a scope is "entity/project"
      project("just-a-name");
      // @ts-expect-error z-score abs() only combines with gt / gte
      metric("m").zscore().abs().lt(-1);
      // @ts-expect-error no window after aggregation
      metric("m").mean(5).max(3);
    });
  });

  it("accepted shapes type-check", () => {
    expectTypeOf(onCreateArtifact).toBeCallableWith(alias.regex("^v"));
    expectTypeOf(automation("x").in(llm.collection("c")).on(onCreateArtifact())).toEqualTypeOf<EventedAutomation>();
    expectTypeOf(automation("x").in(llm.collections(collectionName.eq("a"))).on(onCreateArtifact())).toEqualTypeOf<EventedAutomation>();
    expectTypeOf(automation("x").in(org("o")).on(onRunMetric(metric("m").gt(1)))).toEqualTypeOf<EventedAutomation>();
    expectTypeOf(automation("x").in(llm).on(onRawEvent("WEAVE_METRIC_THRESHOLD", {}))).toEqualTypeOf<EventedAutomation>();
    expectTypeOf(onAddArtifactAlias).toBeCallableWith(or(alias.eq("a"), rawFilter({ alias: { $exists: true } })));
  });
});
