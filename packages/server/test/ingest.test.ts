import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../src/server.js";
import { auth, gql, KEYS, metric, postEvents, SEED, tempDir } from "./helpers.js";

let server: RunningServer;
let cleanup: () => void;
beforeAll(async () => {
  const t = tempDir();
  server = await startServer({ db: join(t.dir, "i.db"), port: 0, seed: SEED, maxBodyBytes: 64 * 1024 });
  cleanup = t.cleanup;
});
afterAll(async () => {
  await server.close();
  cleanup();
});

describe("POST /api/v1/events", () => {
  it("accepts NDJSON and JSON arrays, acknowledging with sequence numbers", async () => {
    const before = server.store.eventCount();
    const nd = await postEvents(server.url, KEYS.bob, `${metric("r1", 1, { loss: 1 })}\n\n${metric("r1", 2, { loss: 2 })}\n`);
    expect(nd).toEqual({ status: 200, body: { accepted: 2, firstSeq: before + 1, lastSeq: before + 2, firings: 0 } });
    const arr = await postEvents(server.url, KEYS.bob, `[${metric("r1", 3, { loss: 1 })}, ${metric("r2", 1, { loss: 1 })}]`);
    expect(arr.body).toMatchObject({ accepted: 2, firstSeq: before + 3 });
    expect(server.store.eventCount()).toBe(before + 4);
  });

  it("rejects a malformed batch whole, naming the line and the field", async () => {
    const before = server.store.eventCount();
    const bad = JSON.stringify({ type: "run.metric", entity: "ml", project: "llm", run: { id: "r1", name: "n", user: "u" }, step: -1, timestamp: "yesterday", metrics: {} });
    const r = await postEvents(server.url, KEYS.bob, [metric("r1", 10, { loss: 1 }), "", bad, "{not json", metric("r1", 11, { loss: 1 })].join("\n"));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/nothing was accepted/);
    expect(r.body.issues.map((i: { line: number; path: unknown[] }) => [i.line, i.path.join(".")])).toEqual([
      [3, "step"],
      [3, "timestamp"],
      [4, ""],
    ]);
    expect(r.body.issues[2].message).toMatch(/invalid JSON/);
    expect(server.store.eventCount()).toBe(before);
  });

  it("names the line of a bad element in a pretty-printed JSON array", async () => {
    const good = JSON.parse(metric("r1", 20, { loss: 1 })) as object;
    const body = JSON.stringify([good, good, { ...good, run: { id: "r1", user: "u" } }], null, 2);
    const r = await postEvents(server.url, KEYS.bob, body);
    expect(r.status).toBe(400);
    const line = body.split("\n").findIndex((l, i, all) => i > 0 && l === "  {" && all.slice(0, i).filter((x) => x === "  {").length === 2) + 1;
    expect(r.body.issues).toEqual([{ line, index: 2, path: ["run", "name"], message: expect.any(String) }]);
    const syntax = await postEvents(server.url, KEYS.bob, '[\n{"type": "run.metric",\n  "entity": }\n]');
    expect(syntax.status).toBe(400);
    expect(syntax.body.issues[0]).toMatchObject({ line: 2, index: 0 });
    expect((await postEvents(server.url, KEYS.bob, "   ")).status).toBe(400);
  });

  it("creates what events name on first sight, for members only", async () => {
    const linked = {
      type: "artifact.linked",
      entity: "acme",
      registry: "model",
      collection: "llm-13b",
      version: 2,
      aliases: ["staging"],
      source: { entity: "ml", project: "fresh-project", collection: "ckpt", version: 5 },
      user: "bob",
      timestamp: "2026-11-26T10:00:00Z",
    };
    expect((await postEvents(server.url, KEYS.bob, JSON.stringify(linked))).status).toBe(200);
    const seen = await gql(
      server.url,
      KEYS.bob,
      `{ registry: project(name: "wandb-registry-model", entityName: "acme") { artifactCollection(name: "llm-13b") { __typename } }
         source: project(name: "fresh-project", entityName: "ml") { artifactCollection(name: "ckpt") { __typename } } }`,
    );
    expect(seen.body.data).toEqual({ registry: { artifactCollection: { __typename: "ArtifactPortfolio" } }, source: { artifactCollection: { __typename: "ArtifactSequence" } } });

    const before = server.store.eventCount();
    const foreign = await postEvents(server.url, KEYS.carol, [metric("c1", 1, { loss: 1 }, { entity: "rivals", project: "p" }), metric("x", 1, { loss: 1 })].join("\n"));
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatch(/not a member of entity "ml"/);
    expect(server.store.eventCount()).toBe(before);
    expect(server.store.projectByName(server.store.entityByName("rivals")?.id ?? 0, "p")).toBeUndefined();

    // Naming an unknown entity first does not create it (nor make the sender its admin); an instance admin may.
    const unknown = await postEvents(server.url, KEYS.carol, metric("c1", 1, { loss: 1 }, { entity: "carol-lab", project: "exp" }));
    expect(unknown).toEqual({ status: 404, body: { error: expect.stringMatching(/^entity "carol-lab" does not exist/) } });
    expect(server.store.entityByName("carol-lab")).toBeUndefined();
    expect((await postEvents(server.url, KEYS.root, metric("c1", 1, { loss: 1 }, { entity: "carol-lab", project: "exp" }))).status).toBe(200);
    expect((await gql(server.url, KEYS.root, `{ entity(name: "carol-lab") { entityType projects { edges { node { name } } } } }`)).body.data.entity).toEqual({
      entityType: "team",
      projects: { edges: [{ node: { name: "exp" } }] },
    });
    expect((await postEvents(server.url, KEYS.carol, metric("b1", 1, { loss: 1 }, { entity: "carol-lab", project: "exp" }))).status).toBe(403);
  });

  it("needs an API key, POST, and a body within the limit", async () => {
    const anon = await fetch(`${server.url}/api/v1/events`, { method: "POST", body: metric("r1", 1, { loss: 1 }) });
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: string }).error).toMatch(/api:<API key>/);
    const get = await fetch(`${server.url}/api/v1/events`, { headers: { Authorization: auth(KEYS.bob) } });
    expect(get.status).toBe(405);
    const big = await postEvents(server.url, KEYS.bob, Array.from({ length: 1000 }, (_, i) => metric("r9", i, { loss: i })).join("\n"));
    expect(big.status).toBe(413);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/nope`, { headers: { Authorization: auth(KEYS.bob) } })).status).toBe(404);
  });
});
