import { describe, expect, it } from "vitest";
import type { ArtifactFilter, Scope } from "@tripwire/sdk";
import { compileFilter, createEngine, replay, type ArtifactEvent, type TripwireEvent } from "../src/index.js";
import { auto, iso, LLM, state, T0 } from "./helpers.js";

const at = (i: number) => iso(T0 + i * 1000);
const version = (v: number, over: Partial<ArtifactEvent> = {}): ArtifactEvent =>
  ({ type: "artifact.created", entity: "acme", project: "llm", collection: "dataset", version: v, aliases: [], tags: [], metadata: {}, user: "alice", timestamp: at(v), ...over }) as ArtifactEvent;
const aliasAdded = (v: number, alias: string, over: Partial<ArtifactEvent> = {}): ArtifactEvent => version(v, { type: "artifact.alias_added", alias, ...over });

describe("§A.2 / §D.1 scope containment", () => {
  const onAlias = (scope: Scope, name = "a") => auto({ type: "addArtifactAlias" }, scope, name);
  const projectEvent = aliasAdded(1, "prod");
  const { project: _project, ...inRegistry } = aliasAdded(1, "prod", { collection: "llm-7b" });
  const registryEvent: ArtifactEvent = { ...inRegistry, registry: "model" };
  const otherProject = aliasAdded(1, "prod", { project: "other" });
  const otherEntity = aliasAdded(1, "prod", { entity: "solo" });
  const ckpt = aliasAdded(1, "prod", { collection: "ckpt-7" });
  const registryProject = { type: "registry", org: "acme", registry: "model" } as const;
  it.each([
    ["project sees every collection of the project, including new ones", LLM, [projectEvent, ckpt], [otherProject, registryEvent, otherEntity]],
    ["project sees only its own versions, never a registry's linked versions", LLM, [projectEvent], [registryEvent]],
    ["registry sees every collection of the registry, only linked versions", registryProject, [registryEvent], [projectEvent]],
    ["collection of a project sees that collection only", { type: "collection", parent: LLM, collection: "dataset" }, [projectEvent], [ckpt, registryEvent]],
    ["collection of a registry", { type: "collection", parent: registryProject, collection: "llm-7b" }, [registryEvent], [projectEvent]],
    ["collections(filter) matches collection names directly", { type: "collections", parent: LLM, filter: { op: "regex", field: "collectionName", value: "^ckpt-" } }, [ckpt], [projectEvent, registryEvent]],
    ["team contains its entity's projects and registries", { type: "team", team: "acme" }, [projectEvent, otherProject, registryEvent], [otherEntity]],
    ["org contains entities orgOf maps to it, and its own entity", { type: "org", org: "bigco" }, [projectEvent, aliasAdded(1, "p", { entity: "bigco" })], [otherEntity]],
  ] as [string, Scope, ArtifactEvent[], ArtifactEvent[]][])("%s", (_title, scope, inside, outside) => {
    for (const e of inside) expect(replay([onAlias(scope)], [e], { orgOf: { acme: "bigco" } }), JSON.stringify(e)).toHaveLength(1);
    for (const e of outside) expect(replay([onAlias(scope)], [e], { orgOf: { acme: "bigco" } }), JSON.stringify(e)).toHaveLength(0);
  });

  it("orgOf may be a function", () => {
    expect(replay([onAlias({ type: "org", org: "bigco" })], [projectEvent], { orgOf: (e) => (e === "acme" ? "bigco" : undefined) })).toHaveLength(1);
    expect(replay([onAlias({ type: "org", org: "bigco" })], [projectEvent])).toHaveLength(0);
  });

  it("one event fires every matching automation independently, at every scope", () => {
    const autos = [onAlias(LLM, "p"), onAlias({ type: "team", team: "acme" }, "t"), onAlias({ type: "org", org: "bigco" }, "o"), onAlias({ type: "collection", parent: LLM, collection: "dataset" }, "c")];
    expect(replay(autos, [projectEvent], { orgOf: { acme: "bigco" } }).map((f) => f.automation)).toEqual(["p", "t", "o", "c"]);
  });

  it("disabled automations and raw events never fire", () => {
    expect(replay([auto({ type: "addArtifactAlias" }, LLM, "off", false)], [projectEvent])).toEqual([]);
    expect(replay([auto({ type: "raw", wireType: "UPDATE_ARTIFACT_ALIAS", filter: {} })], [projectEvent])).toEqual([]);
  });

  it("run events are located in their project; a wandb-registry- project is the registry", () => {
    const failed = auto({ type: "runState", states: ["failed"] }, registryProject);
    const e: TripwireEvent = { ...state("failed", T0), project: "wandb-registry-model" };
    expect(replay([failed], [e])).toHaveLength(1);
    expect(replay([failed], [state("failed", T0)])).toHaveLength(0);
  });
});

describe("§B.2 filters with MongoDB semantics", () => {
  const f = (expr: ArtifactFilter, values: string[]) => compileFilter(expr)({ alias: values });
  it.each([
    ["$regex is an unanchored search", { op: "regex", field: "alias", value: "prod" }, ["my-production"], true],
    ["anchors restrict it", { op: "regex", field: "alias", value: "^prod$" }, ["my-prod"], false],
    ["$contains is a substring match", { op: "contains", field: "alias", value: "rod" }, ["prod"], true],
    ["eq on a multi-valued field: any element", { op: "eq", field: "alias", value: "best" }, ["latest", "best"], true],
    ["ne on a multi-valued field: no element equals", { op: "ne", field: "alias", value: "best" }, ["latest", "best"], false],
    ["ne holds when no element equals", { op: "ne", field: "alias", value: "best" }, ["latest"], true],
    ["in: any element in the list", { op: "in", field: "alias", values: ["a", "b"] }, ["c", "b"], true],
    ["not", { op: "not", arg: { op: "eq", field: "alias", value: "a" } }, ["a"], false],
    ["and", { op: "and", args: [{ op: "eq", field: "alias", value: "a" }, { op: "eq", field: "alias", value: "b" }] }, ["a", "b"], true],
    ["or", { op: "or", args: [{ op: "eq", field: "alias", value: "x" }, { op: "eq", field: "alias", value: "b" }] }, ["a", "b"], true],
    ["no value never equals", { op: "eq", field: "alias", value: "a" }, [], false],
    ["raw $exists", { op: "raw", json: { alias: { $exists: true } } }, ["a"], true],
    ["raw $nin", { op: "raw", json: { alias: { $nin: ["a"] } } }, ["a"], false],
    ["raw $regex and $or on wire names", { op: "raw", json: { $or: [{ alias: { $regex: "^v" } }, { alias: "x" }] } }, ["v2"], true],
    ["a regex that does not compile matches nothing", { op: "regex", field: "alias", value: "(" }, ["("], false],
  ] as [string, ArtifactFilter, string[], boolean][])("%s", (_t, expr, values, expected) => {
    expect(f(expr, values)).toBe(expected);
  });

  it("an automation with a raw operator the evaluator does not know never fires and is listed as unsupported", () => {
    const a = auto({ type: "addArtifactAlias", filter: { op: "raw", json: { alias: { $where: "x" } } } });
    const engine = createEngine([a]);
    expect(engine.unsupported).toEqual([{ automationId: "project:acme/llm/a", reason: expect.stringContaining("$where") }]);
    expect(engine.push(aliasAdded(1, "x"))).toEqual([]);
  });

  it("run filters see the run's display name and user", () => {
    const a = auto({ type: "runState", states: ["failed"], runFilter: { op: "and", args: [{ op: "regex", field: "runName", value: "^sweep" }, { op: "ne", field: "runUser", value: "bob" }] } });
    expect(replay([a], [state("failed", T0)])).toHaveLength(1);
    expect(replay([a], [state("failed", T0, { id: "r2", name: "sweep-2", user: "bob" })])).toHaveLength(0);
  });
});

describe("§D.2 artifact events: aliases move, tags are shared", () => {
  const onAlias = auto({ type: "addArtifactAlias", filter: { op: "eq", field: "alias", value: "production" } });
  it("moving an alias is one alias-added event for the new holder, naming the previous one", () => {
    const events = [aliasAdded(1, "production"), aliasAdded(2, "production")];
    const firings = replay([onAlias], events);
    expect(firings.map((f) => [f.artifact?.version, f.artifact?.alias, (f.explanation as { previousHolder?: number | null }).previousHolder])).toEqual([
      [1, "production", null],
      [2, "production", 1],
    ]);
  });

  it("re-adding an alias the version already holds adds nothing", () => {
    expect(replay([onAlias], [aliasAdded(1, "production"), aliasAdded(1, "production")])).toHaveLength(1);
  });

  it("a new version created or linked with aliases adds them (one alias-added firing per alias it gains)", () => {
    const any = auto({ type: "addArtifactAlias" });
    const created = version(3, { aliases: ["latest", "best"] });
    expect(replay([any], [created, aliasAdded(3, "latest")]).map((f) => f.artifact?.alias)).toEqual(["latest", "best"]);
  });

  it("unlinking a version releases its aliases", () => {
    const any = auto({ type: "addArtifactAlias" });
    const events = [aliasAdded(1, "prod"), version(1, { type: "artifact.unlinked" }), aliasAdded(1, "prod")];
    expect(replay([any], events)).toHaveLength(2);
  });

  it("many versions may share a tag: each tag-added event fires", () => {
    const tagged = auto({ type: "addArtifactTag", filter: { op: "eq", field: "tag", value: "europe" } });
    const events = [version(1, { type: "artifact.tag_added", tag: "europe" }), version(2, { type: "artifact.tag_added", tag: "europe" }), version(2, { type: "artifact.tag_added", tag: "asia" })];
    expect(replay([tagged], events).map((f) => f.artifact?.version)).toEqual([1, 2]);
  });

  it.each([
    ["artifact.created", "createArtifact"],
    ["artifact.linked", "linkArtifact"],
    ["artifact.unlinked", "unlinkArtifact"],
    ["artifact.tag_removed", "removeArtifactTag"],
  ] as const)("%s fires %s automations, filtered on the version's aliases (any element)", (type, eventType) => {
    const field = type === "artifact.tag_removed" ? "tag" : "alias";
    const a = auto({ type: eventType, filter: { op: "regex", field, value: "^v" } as ArtifactFilter }, { type: "collection", parent: LLM, collection: "dataset" });
    const e = version(4, { type, aliases: ["latest", "v-best"], tag: "v1" } as Partial<ArtifactEvent>);
    expect(replay([a], [e]).map((f) => f.eventType)).toEqual([eventType]);
  });

  it("collection tag events fire collection-tag automations with the tag", () => {
    const add = auto({ type: "addCollectionTag", filter: { op: "eq", field: "tag", value: "gold" } });
    const remove = auto({ type: "removeCollectionTag" }, LLM, "r");
    const events: TripwireEvent[] = [
      { type: "collection.tag_added", entity: "acme", project: "llm", collection: "dataset", tag: "gold", user: "alice", timestamp: at(1) },
      { type: "collection.tag_removed", entity: "acme", project: "llm", collection: "dataset", tag: "gold", timestamp: at(2) },
    ];
    expect(replay([add, remove], events).map((f) => [f.automation, f.artifact?.tag])).toEqual([["a", "gold"], ["r", "gold"]]);
  });
});

describe("§B.7 / §D.3 run state: transitions into a listed state", () => {
  const failedOrFinished = auto({ type: "runState", states: ["failed", "finished"] });
  it.each([
    ["fires on the transition into a listed state", ["running", "finished"], [1]],
    ["not again while in it", ["failed", "failed"], [0]],
    ["killed never fires", ["running", "killed"], []],
    ["crashed counts as failed", ["running", "crashed"], [1]],
    ["crashed after failed is no new transition", ["failed", "crashed"], [0]],
    ["an unlisted state does not fire", ["running"], []],
  ] as const)("%s", (_t, states, expected) => {
    const events = states.map((s, i) => state(s, T0 + i * 1000));
    expect(replay([failedOrFinished], events).map((f) => events.indexOf(f.event as never))).toEqual(expected);
  });

  it("the 24 h per-run limit applies to run-state automations unless runStateCooldown is false", () => {
    const events = [state("failed", T0), state("running", T0 + 1000), state("failed", T0 + 2000)];
    expect(replay([failedOrFinished], events)).toHaveLength(1);
    expect(replay([failedOrFinished], events, { runStateCooldown: false })).toHaveLength(2);
  });

  it("explains the transition", () => {
    const [f] = replay([failedOrFinished], [state("running", T0), state("crashed", T0 + 1)]);
    expect(f?.explanation).toEqual({ kind: "runState", from: "running", to: "crashed", matched: "failed", states: ["failed", "finished"] });
  });
});
