// prepareExecution: the embedded default builds the schema and parses and validates its read documents ahead of the
// first request (while the CLI waits for the type-check). A prepared document answers exactly as an unprepared one.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureUser, execute, openStore, prepareExecution } from "../src/embedded.js";
import { documentCacheSize } from "../src/graphql/execute.js";
import { GRAPHQL_LIMITS } from "../src/graphql/limits.js";
import { tempDir } from "./helpers.js";

const t = tempDir();
const store = openStore(join(t.dir, "prepare.db"));
ensureUser(store, "local", { admin: true });
afterAll(() => {
  store.close();
  t.cleanup();
});

describe("prepareExecution", () => {
  it("caches the parsed and validated documents execute then uses, with the same answers", async () => {
    const valid = "query PreparedViewer { viewer { username } }";
    const invalid = "query PreparedWrong { viewer { nope } }";
    const before = documentCacheSize().documents;
    prepareExecution([valid, invalid]);
    expect(documentCacheSize().documents).toBe(before + 2);
    expect(await execute(store, { query: valid }, { user: "local" })).toEqual({ status: 200, body: { data: { viewer: { username: "local" } } } });
    const refused = await execute(store, { query: invalid }, { user: "local" });
    // The same refusal as a document executed without preparing (a different text, so not from the cache).
    const unprepared = await execute(store, { query: "query PreparedWrong { viewer { nope } } " }, { user: "local" });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.map((e) => e.message)).toEqual(['Cannot query field "nope" on type "User". Did you mean "name"?']);
    expect(unprepared).toEqual(refused);
    // Executing them again parsed nothing new.
    expect(documentCacheSize().documents).toBe(before + 3);
  });

  it("leaves a query over the length limit to execute's refusal", async () => {
    const before = documentCacheSize().documents;
    const huge = `query Huge { viewer { username } } ${"#".repeat(GRAPHQL_LIMITS.query.max)}`;
    prepareExecution([huge]);
    expect(documentCacheSize().documents).toBe(before);
    expect((await execute(store, { query: huge }, { user: "local" })).status).toBe(400);
  });
});
