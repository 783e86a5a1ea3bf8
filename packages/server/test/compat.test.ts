import { describe, expect, it } from "vitest";
import { AUTOMATION_FEATURES, COMPAT_PRESETS, createSchema, parseFeatures, runServerCli, SERVER_FEATURES } from "../src/index.js";
import { buildASTSchema, validateSchema, type GraphQLEnumType, type GraphQLObjectType, type GraphQLUnionType } from "graphql";
import { sdlFor } from "../src/graphql/features.js";
import { SDL } from "../src/graphql/sdl.js";

const io = () => {
  const err: string[] = [];
  return { io: { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } }, err };
};

describe("the schema's SDL", () => {
  it("is valid as a whole (createSchema() builds it without validating it) and with every preset's features", () => {
    for (const features of [AUTOMATION_FEATURES, ...Object.values(COMPAT_PRESETS)]) {
      expect(validateSchema(buildASTSchema(sdlFor(SDL, features)))).toEqual([]);
    }
  });
});

describe("an older W&B Server's schema", () => {
  it("has neither the types, fields nor enum values of the features it lacks", () => {
    const older = createSchema({ features: COMPAT_PRESETS.older as never });
    expect(older.getType("NoOpTriggeredAction")).toBeUndefined();
    expect(older.getType("NoOpTriggeredActionInput")).toBeUndefined();
    expect((older.getType("TriggerScope") as GraphQLUnionType).getTypes().map((t) => t.name)).toEqual(["Project", "ArtifactPortfolio", "ArtifactSequence"]);
    expect((older.getType("TriggerScopeType") as GraphQLEnumType).getValues().map((v) => v.name)).toEqual(["ARTIFACT_COLLECTION", "PROJECT"]);
    expect((older.getType("EventTriggeringConditionType") as GraphQLEnumType).getValues().map((v) => v.name)).toEqual([
      "ADD_ARTIFACT_ALIAS",
      "CREATE_ARTIFACT",
      "LINK_MODEL",
      "RUN_METRIC",
      "RUN_METRIC_CHANGE",
      "UPDATE_ARTIFACT_ALIAS",
      "WEAVE_METRIC_THRESHOLD",
    ]);
    expect(Object.keys((older.getType("Entity") as GraphQLObjectType).getFields())).not.toContain("triggers");
    expect(Object.keys((older.getType("Trigger") as GraphQLObjectType).getFields())).not.toContain("lastExecutedAt");
    // The current schema keeps them all.
    const current = createSchema();
    expect(current.getType("NoOpTriggeredAction")).toBeDefined();
    expect(Object.keys((current.getType("Entity") as GraphQLObjectType).getFields())).toContain("triggers");
    expect(SERVER_FEATURES.filter((f) => f.isEnabled).map((f) => f.name)).toEqual([...AUTOMATION_FEATURES]);
  });

  it("refuses unknown feature names and conflicting flags", async () => {
    expect(() => parseFeatures(["AUTOMATION_SCOPE_ENTITY", "NOPE"])).toThrow("unknown server feature NOPE; known: AUTOMATION_EVENT_RUN_METRIC,");
    const a = io();
    expect(await runServerCli(["--db", "x.db", "--compat", "ancient"], a.io)).toBe(2);
    expect(a.err.join("")).toContain("invalid --compat ancient: use current or older");
    const b = io();
    expect(await runServerCli(["--db", "x.db", "--compat", "older", "--features", "AUTOMATION_SCOPE_ENTITY"], b.io)).toBe(2);
    expect(b.err.join("")).toContain("--compat and --features are mutually exclusive");
  });
});
