import { describe, expect, it } from "vitest";
import { automation, collectionName, doNothing, onCreateArtifact, project, rawFilter, toSpec, type Automation } from "@tripwire/sdk";
import { compileFilter } from "@tripwire/evaluator";
import { resolve } from "../src/resolve/resolve.js";
import type { Catalog } from "../src/model/catalog.js";

const models = project("acme/models");
const names = ["ckpt-a", "ckpt-b", "eval-a", "prod"];
const catalog: Catalog = {
  features: ["AUTOMATION_ACTION_NO_OP"],
  entities: { acme: { id: "RW50aXR5OjE=", name: "acme", type: "team" } as never },
  projects: { "acme/models": { id: "UHJvamVjdDox", name: "models" } as never },
  collections: {},
  collectionLists: { "acme/models": names.map((name, i) => ({ id: `Q29sbGVjdGlvbjo${i}`, name }) as never) },
  integrations: {},
};
const expand = (a: Automation) => {
  const spec = toSpec(a);
  return resolve({ desired: [{ address: `x/${spec.name}`, spec }], catalog });
};
const collections = (a: Automation) => expand(a).resolved.map((r) => (r.spec.scope.type === "collection" ? r.spec.scope.collection : "?"));

describe("collection filters at plan time agree with the runtime's filter", () => {
  it("a raw (verbatim MongoDB) collection filter is evaluated, as the evaluator evaluates it at run time", () => {
    const filter = rawFilter({ collection_name: { $regex: "^ckpt-" } });
    const a = automation("raw-ckpt").in(models.collections(filter)).on(onCreateArtifact()).do(doNothing());
    const r = expand(a);
    expect(r.diagnostics).toEqual([]);
    const scope = toSpec(a).scope;
    const runtime = compileFilter(scope.type === "collections" ? scope.filter : undefined);
    expect(collections(a)).toEqual(names.filter((n) => runtime({ collectionName: [n] })));
    expect(collections(a)).toEqual(["ckpt-a", "ckpt-b"]);
  });

  it("raw and builder nodes combine the same way", () => {
    const a = automation("mixed").in(models.collections(rawFilter({ $or: [{ collection_name: "prod" }, { collection_name: { $in: ["eval-a"] } }] }))).on(onCreateArtifact()).do(doNothing());
    expect(collections(a)).toEqual(["eval-a", "prod"]);
    const b = automation("builder").in(models.collections(collectionName.contains("-a"))).on(onCreateArtifact()).do(doNothing());
    expect(collections(b)).toEqual(["ckpt-a", "eval-a"]);
  });

  it("a raw node with an operator the evaluator does not know is a diagnostic that names it", () => {
    const a = automation("odd").in(models.collections(rawFilter({ collection_name: { $where: "x" } }))).on(onCreateArtifact()).do(doNothing());
    const r = expand(a);
    expect(r.resolved).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["TW2106", 'the collection filter of "odd" cannot be evaluated: unsupported filter operator $where "x" on collectionName'],
    ]);
  });
});
