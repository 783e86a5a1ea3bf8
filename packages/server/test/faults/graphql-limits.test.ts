// Issue 10, item 3: GraphQL requests have cost limits, over HTTP and in-process (the CLI's embedded default).
import { join } from "node:path";
import { getIntrospectionQuery, parse, specifiedRules, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as reconcilerDocuments from "../../../reconciler/src/remote/documents.js";
import { PAGE_SIZE } from "../../../reconciler/src/remote/client.js";
import { documentCacheSize, execute } from "../../src/graphql/execute.js";
import { GRAPHQL_LIMITS, LIMIT_RULES, requestCost } from "../../src/graphql/limits.js";
import { createSchema } from "../../src/graphql/schema.js";
import { startServer, type RunningServer } from "../../src/server.js";
import * as wandbDocuments from "../documents.js";
import { auth, gql, KEYS, SEED, tempDir } from "../helpers.js";

let server: RunningServer;
let cleanup: () => void;
beforeAll(async () => {
  const t = tempDir();
  server = await startServer({ db: join(t.dir, "limits.db"), port: 0, seed: SEED });
  cleanup = t.cleanup;
});
afterAll(async () => {
  await server.close();
  cleanup();
});

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { id }`).join(" ")} }`;
const limitOf = (body: { errors?: readonly { extensions?: Record<string, unknown> | undefined }[] | undefined }) => body.errors?.map((e) => e.extensions);
async function post(query: string) {
  const res = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: auth(KEYS.bob) }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

describe("item 3: GraphQL cost limits", () => {
  it("refuses 50,000 aliases in a 3.3 MB body with 413 and the body limit's name, without parsing it", async () => {
    const query = aliases(50_000);
    expect(query.length).toBeGreaterThan(900_000);
    const r = await post(`${query}${" ".repeat(Math.max(0, 3_300_000 - query.length))}`);
    expect(r.status).toBe(413);
    expect(limitOf(r.body)).toEqual([{ code: "QUERY_LIMIT", limit: "body", max: 1024 * 1024, tripwireCode: "TW6300" }]);
    expect(r.body.errors?.[0]?.message).toBe("the request exceeds the body limit: it has more bytes of request body; at most 1048576 are allowed");
  });

  it("in-process, refuses the same query by its length, many aliases by tokens, and 101 aliases by the alias limit", async () => {
    const long = await execute(server.store, { query: aliases(50_000) }, { user: "bob" });
    expect(long.status).toBe(400);
    expect(limitOf(long.body)).toEqual([{ code: "QUERY_LIMIT", limit: "query", max: 100_000, actual: aliases(50_000).length, tripwireCode: "TW6301" }]);
    expect(aliases(3_000).length).toBeLessThan(100_000);
    const tokens = await execute(server.store, { query: aliases(3_000) }, { user: "bob" });
    expect(limitOf(tokens.body)).toEqual([{ code: "QUERY_LIMIT", limit: "tokens", max: 10_000, tripwireCode: "TW6302" }]);
    const many = await post(aliases(101));
    expect(many.status).toBe(400);
    expect(limitOf(many.body)).toEqual([{ code: "QUERY_LIMIT", limit: "aliases", max: 100, actual: 101, tripwireCode: "TW6304" }]);
    expect((await post(aliases(100))).status).toBe(200);
  });

  it("refuses a deep fan-out by its cost, and a deep nesting by its depth", async () => {
    const fanOut = `{ viewer { teams(first: 1000) { edges { node { projects(first: 1000) { edges { node { triggers { id name } } } } } } } } }`;
    const r = await post(fanOut);
    expect(r.status).toBe(400);
    expect(limitOf(r.body)).toEqual([{ code: "QUERY_LIMIT", limit: "cost", max: 300_000, actual: expect.any(Number), tripwireCode: "TW6305" }]);
    expect(r.body.errors?.[0]?.message).toMatch(/^the request exceeds the cost limit: it has \d+ cost \(fields selected, times the pages and lists they are selected over\); at most 300000 are allowed$/);
    // Page sizes given as variables count too.
    const byVariables = await gql(server.url, KEYS.bob, `query($n: Int) { viewer { teams(first: $n) { edges { node { projects(first: $n) { edges { node { id } } } } } } } }`, { n: 1000 });
    expect(byVariables.status).toBe(400);
    expect(byVariables.body.errors?.[0]?.extensions).toMatchObject({ limit: "cost", actual: 1 + 1 + 1000 * (1 + 1 + 1 + 1000 * 3) });
    expect((await gql(server.url, KEYS.bob, `query($n: Int) { viewer { teams(first: $n) { edges { node { id } } } } }`, { n: 1000 })).status).toBe(200);

    let deep = `id`;
    for (let i = 0; i < 8; i++) deep = `project { artifactCollection(name: "dataset") { ${deep} } }`;
    const d = await post(`{ project(name: "llm", entityName: "ml") { artifactCollection(name: "dataset") { ${deep} } } }`);
    expect(d.status).toBe(400);
    expect(limitOf(d.body)).toEqual([{ code: "QUERY_LIMIT", limit: "depth", max: 15, actual: 19, tripwireCode: "TW6303" }]);
  });

  it("fragments spreading each other twice over are costed without walking their 2^40 selections, and refused", async () => {
    const n = 40;
    const frags = Array.from({ length: n }, (_, i) => (i === n - 1 ? `fragment F${i} on User { id }` : `fragment F${i} on User { ...F${i + 1} a${i}: username ...F${i + 1} }`));
    const r = await post(`{ viewer { ...F0 } } ${frags.join(" ")}`);
    expect(r.status).toBe(400);
    // Each fragment is costed once: F0 selects 2^40 - 1 fields, under viewer's one.
    expect(limitOf(r.body)).toEqual([{ code: "QUERY_LIMIT", limit: "cost", max: 300_000, actual: 2 ** 40, tripwireCode: "TW6305" }]);
  });

  it("every document W&B's client and the reconciler send passes, the listings at the reconciler's page size", () => {
    const schema = createSchema();
    const variables = { entity: "ml", project: "llm", collection: "dataset", org: "acme-org", perPage: PAGE_SIZE, cursor: null, id: "VHJpZ2dlcjox" };
    const all = { ...wandbDocuments, ...reconcilerDocuments } as Record<string, unknown>;
    const documents = Object.entries(all).filter((e): e is [string, string] => typeof e[1] === "string" && /^\s*(query|mutation|fragment)\b/.test(e[1]));
    expect(documents.length).toBeGreaterThan(20);
    const costs: Record<string, number | undefined> = {};
    for (const [name, text] of [...documents, ["introspection", getIntrospectionQuery()] as [string, string]]) {
      const doc = parse(text, { maxTokens: GRAPHQL_LIMITS.tokens.max });
      expect(validate(schema, doc, [...specifiedRules, ...LIMIT_RULES]).map((e) => e.message), name).toEqual([]);
      costs[name] = requestCost(schema, doc, variables);
    }
    for (const [name, cost] of Object.entries(costs)) if (cost !== undefined) expect(cost, name).toBeLessThanOrEqual(GRAPHQL_LIMITS.cost.max);
    expect(costs.GetEntityAutomationsLegacy).toBe(2 + PAGE_SIZE * 267); // the dearest listing is measured, not skipped: 13,352 at the page size of 50
    expect(requestCost(schema, parse(wandbDocuments.GetEntityAutomationsLegacy), { ...variables, perPage: 1000 })).toBeLessThanOrEqual(GRAPHQL_LIMITS.cost.max);
  });

  it("keeps the document cache bounded in entries and in characters", async () => {
    for (let i = 0; i < 600; i++) {
      const name = `${i}-${"x".repeat(20_000)}`;
      expect((await execute(server.store, { query: `{ project(name: "${name}", entityName: "ml") { id } }` }, { user: "bob" })).status).toBe(200);
    }
    const size = documentCacheSize();
    expect(size.documents).toBeLessThanOrEqual(500);
    expect(size.chars).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(size.chars).toBeGreaterThan(3 * 1024 * 1024); // filled, not emptied
  });
});
