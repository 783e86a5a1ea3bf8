// The backtest of artifact automations over the live backend (issue 14): against a real Tripwire server on loopback
// with a recorded week of artifact events ingested, `tripwire backtest --since 7d` with no files reads the versions
// of the watched collections with W&B's own documents (ProjectArtifactTypes → ProjectArtifactCollections →
// ProjectArtifacts) and gives the createArtifact firings of the JSONL backtest of the same week; the automations the
// API has no times for (aliases, tags, registry links, an alias-filtered createArtifact) are reported as not
// backtested, with the reason.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer } from "@tripwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ARTIFACTS_QUERY } from "../src/backtest/artifacts.js";
import { makeProject } from "./project.js";
import { runMain } from "./io.js";

const KEY = "alice-key-0001";
const HOUR = 3_600_000;
const defs = {
  "automations/a.ts": `import { automation, project, registry, collectionName, onCreateArtifact, onAddArtifactAlias, onAddArtifactTag, onLinkArtifact, alias, doNothing } from "@tripwire/sdk";
const llm = project("acme/llm");
export const ckpt = automation("ckpt-created").in(llm.collection("ckpt")).on(onCreateArtifact()).do(doNothing());
export const data = automation("data-created").in(llm.collections(collectionName.regex("^data"))).on(onCreateArtifact()).do(doNothing());
export const latest = automation("latest-created").in(llm.collection("ckpt")).on(onCreateArtifact(alias.eq("best"))).do(doNothing());
export const promoted = automation("promoted").in(llm.collection("ckpt")).on(onAddArtifactAlias(alias.eq("production"))).do(doNothing());
export const tagged = automation("tagged").in(llm.collection("ckpt")).on(onAddArtifactTag()).do(doNothing());
export const linked = automation("linked").in(registry("acme-org/model").collection("llm-7b")).on(onLinkArtifact()).do(doNothing());
`,
};

/**
 * A recorded week: 70 checkpoints (more than one page of 50) and 4 dataset versions, aliases moved, tags added and
 * removed, and links into a registry.
 */
function week(end: number): { timestamp: string; [k: string]: unknown }[] {
  const at = (ms: number) => new Date(ms).toISOString();
  const events: { timestamp: string; [k: string]: unknown }[] = [];
  const loc = { entity: "acme", project: "llm" };
  for (let v = 0; v < 70; v++) {
    const t = end - 6.5 * 24 * HOUR + v * 2 * HOUR;
    events.push({ type: "artifact.created", ...loc, collection: "ckpt", version: v, aliases: v % 10 === 0 ? ["latest", "best"] : ["latest"], metadata: { step: v * 100 }, user: "alice", timestamp: at(t) });
    if (v % 20 === 5) events.push({ type: "artifact.alias_added", ...loc, collection: "ckpt", version: v, alias: "production", timestamp: at(t + 600_000) });
    if (v % 25 === 7) events.push({ type: "artifact.tag_added", ...loc, collection: "ckpt", version: v, tag: "eval", timestamp: at(t + 900_000) });
    if (v === 57) events.push({ type: "artifact.tag_removed", ...loc, collection: "ckpt", version: 57, tag: "eval", timestamp: at(t + 1_800_000) });
    if (v % 30 === 29) events.push({ type: "artifact.linked", entity: "acme-org", registry: "model", collection: "llm-7b", version: (v - 29) / 30, source: { project: "llm", collection: "ckpt", version: v }, timestamp: at(t + 1_200_000) });
  }
  for (let v = 0; v < 4; v++) events.push({ type: "artifact.created", ...loc, collection: "data-train", version: v, aliases: ["latest"], timestamp: at(end - (4 - v) * 30 * HOUR) });
  return events.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), "tripwire-live-artifacts-"));
const events = week(Date.now() - HOUR);
const auth = { Authorization: `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}` };
beforeAll(async () => {
  server = await startServer({
    db: join(dir, "live.db"),
    port: 0,
    allowPrivate: ["127.0.0.1"],
    seed: { users: [{ username: "alice", apiKeys: [KEY] }], orgs: [{ name: "acme-org", admins: ["alice"] }], teams: [{ name: "acme", org: "acme-org", admins: ["alice"] }] },
  });
  const res = await fetch(`${server.url}/api/v1/events`, { method: "POST", headers: { ...auth, "Content-Type": "application/x-ndjson" }, body: events.map((e) => JSON.stringify(e)).join("\n") });
  expect(res.status).toBe(200);
});
afterAll(() => server.close());

type Report = {
  history: { events: number; live?: { requests: number; minimumRequests: number; artifactVersions: number; projects: string[]; notes: string[] } };
  automations: { address: string; firings: number; unsupported?: string; subjects: unknown[] }[];
};

describe("backtest of artifact automations over the live history", () => {
  it("gives the createArtifact firings of the JSONL backtest of the same week, and says why the rest cannot be backtested", async () => {
    const project = makeProject(defs);
    writeFileSync(join(project, "week.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    const live = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    const files = await runMain(["backtest", "--no-typecheck", "--json", "--history", "week.jsonl"], project);
    const fromFiles = JSON.parse(files.stdout) as Report;
    const cold = await runMain(["backtest", "--no-typecheck", "--json", "--since", "7d"], project, live);
    expect(cold.stderr).toBe("");
    expect(cold.code).toBe(0);
    const fromLive = JSON.parse(cold.stdout) as Report;
    const byName = (r: Report, name: string) => r.automations.find((a) => a.address.endsWith(`/${name}`));
    for (const name of ["ckpt-created", "data-created"]) {
      expect(byName(fromLive, name)).toEqual(byName(fromFiles, name));
      expect(byName(fromLive, name)?.unsupported).toBeUndefined();
    }
    expect(byName(fromFiles, "ckpt-created")?.firings).toBe(70);
    expect(byName(fromFiles, "data-created")?.firings).toBe(4);
    const fallback = "backtest it over exported history with --history";
    expect(byName(fromLive, "latest-created")?.unsupported).toBe(`W&B's API gives the aliases a version holds now, not the ones it was created with, so an alias filter cannot be replayed: ${fallback}`);
    expect(byName(fromLive, "promoted")?.unsupported).toBe(`W&B's API gives only the aliases versions hold now, with no time each was added: ${fallback}`);
    expect(byName(fromLive, "tagged")?.unsupported).toBe(`W&B's API gives only the tags versions hold now, with no time each was added or removed: ${fallback}`);
    expect(byName(fromLive, "linked")?.unsupported).toBe(`W&B's API gives no time a version was linked into or unlinked from a registry collection: ${fallback}`);
    // The file backtest does replay them: the live one's silence is not a zero.
    expect(byName(fromFiles, "promoted")?.firings).toBeGreaterThan(0);

    const stats = fromLive.history.live;
    expect(stats?.projects).toEqual(["acme/llm"]);
    expect(stats?.artifactVersions).toBe(74);
    // ProjectArtifactTypes, ProjectArtifactCollections, then ckpt (2 pages of 50) and data-train (1 page).
    expect(stats?.requests).toBe(5);
    expect(stats?.minimumRequests).toBe(5);
    expect(stats?.notes).toContain("artifact automations on alias and tag changes, on registry links, and on creations filtered on aliases are not backtested: W&B's API gives only the aliases and tags versions and collections hold now, with no time each was added or removed, and no time a version was linked");

    const text = await runMain(["backtest", "--no-typecheck", "--since", "7d"], project, live);
    expect(text.stdout).toMatch(/^Backtest of 6 automations over 74 events of 0 runs, .* UTC, the live run and artifact history of acme\/llm \(http:\/\/127\.0\.0\.1:\d+\/graphql; 0 of 0 runs from the cache, 74 artifact versions, 4 requests\)\.\n/);
  });

  it("says in plan --backtest (text and markdown) which artifact automations the live history cannot backtest and why", async () => {
    const project = makeProject(defs);
    const live = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    const note =
      "artifact automations on alias and tag changes, on registry links, and on creations filtered on aliases are not backtested: W&B's API gives only the aliases and tags versions and collections hold now, with no time each was added or removed, and no time a version was linked";
    const text = await runMain(["plan", "--no-typecheck", "--backtest"], project, live);
    expect(text.stdout).toContain(`  note: ${note}\n`);
    const md = await runMain(["plan", "--no-typecheck", "--markdown", "--backtest"], project, live);
    // Markdown escapes HTML in text (GitHub renders &amp; as &).
    expect(md.stdout).toContain(`> note: ${note.replace("&", "&amp;")}\n`);
  });

  it("answers W&B's ProjectArtifacts as the SDK reads it: version names, the creation time, and the aliases and tags held now", async () => {
    type Edge = { version: string; node: { versionIndex: number; createdAt: string; metadata: string; aliases: { alias: string }[]; tags: { name: string }[] } };
    type Conn = { __typename: string; artifacts: { totalCount: number; edges: Edge[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };
    const page = async (cursor: string | null): Promise<Conn> => {
      const res = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ query: PROJECT_ARTIFACTS_QUERY, variables: { project: "llm", entity: "acme", type: "artifact", collection: "ckpt", cursor, perPage: 50, order: null, filters: '{"state": "COMMITTED"}' } }),
      });
      const body = (await res.json()) as { data: { project: { artifactType: { artifactCollection: Conn } } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      return body.data.project.artifactType.artifactCollection;
    };
    const conn = await page(null);
    expect(conn.__typename).toBe("ArtifactSequence");
    expect(conn.artifacts.totalCount).toBe(70);
    expect(conn.artifacts.edges.length).toBe(50);
    expect(conn.artifacts.pageInfo.hasNextPage).toBe(true);
    const rest = await page(conn.artifacts.pageInfo.endCursor);
    expect(rest.artifacts.pageInfo.hasNextPage).toBe(false);
    const edges = [...conn.artifacts.edges, ...rest.artifacts.edges];
    expect(edges.map((e) => e.version)).toEqual(Array.from({ length: 70 }, (_, v) => `v${v}`));
    const first = edges[0];
    expect(first?.version).toBe("v0");
    const created = events.find((e) => e.type === "artifact.created" && e.collection === "ckpt" && e.version === 0);
    expect(Date.parse(first?.node.createdAt ?? "")).toBe(Date.parse(created?.timestamp ?? ""));
    expect(JSON.parse(first?.node.metadata ?? "null")).toEqual({ step: 0 });
    // Current aliases: "latest" has moved on to v69, "best" to v60, "production" to v65 (its last alias_added).
    expect(first?.node.aliases).toEqual([]);
    expect(edges.find((e) => e.version === "v69")?.node.aliases.map((a) => a.alias)).toEqual(["latest"]);
    expect(edges.find((e) => e.version === "v60")?.node.aliases.map((a) => a.alias)).toEqual(["best"]);
    const v65 = edges.find((e) => e.version === "v65");
    expect(v65?.node.aliases.map((a) => a.alias)).toEqual(["production"]);
    // Tags: v7 and v32 keep "eval"; v57's was removed.
    expect(edges.filter((e) => e.node.tags.some((t) => t.name === "eval")).map((e) => e.version)).toEqual(["v7", "v32"]);
    expect(edges.find((e) => e.version === "v49")?.node.tags).toEqual([]);
  });

  it("refuses a version filter it does not answer, naming it", async () => {
    const res = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ query: PROJECT_ARTIFACTS_QUERY, variables: { project: "llm", entity: "acme", type: "artifact", collection: "ckpt", filters: '{"aliases": "latest"}' } }),
    });
    const body = (await res.json()) as { errors?: { message: string }[] };
    expect(body.errors?.[0]?.message).toBe('filters: this server filters artifact versions on state only, not on "aliases"');
  });

  it("caches each collection's versions: the next backtest asks only for the versions after the last one read", async () => {
    const project = makeProject(defs);
    const live = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    const backtest = async (...flags: string[]) => JSON.parse((await runMain(["backtest", "--no-typecheck", "--json", "--since", "7d", ...flags], project, live)).stdout) as Report;
    const cold = await backtest();
    // ProjectArtifactTypes, ProjectArtifactCollections, ckpt (2 pages of 50), data-train (1 page).
    expect(cold.history.live).toMatchObject({ requests: 5, artifactVersions: 74 });
    const warm = await backtest();
    // The types and collections again, then one request per collection, from its cursor: nothing new.
    expect(warm.history.live).toMatchObject({ requests: 4, minimumRequests: 4, artifactVersions: 74 });
    expect(warm.automations).toEqual(cold.automations);
    const t = Date.now() - 60_000;
    const more = [4, 5, 6].map((v, i) => ({ type: "artifact.created", entity: "acme", project: "llm", collection: "data-train", version: v, aliases: ["latest"], user: "alice", timestamp: new Date(t + i * 1000).toISOString() }));
    const res = await fetch(`${server.url}/api/v1/events`, { method: "POST", headers: { ...auth, "Content-Type": "application/x-ndjson" }, body: more.map((e) => JSON.stringify(e)).join("\n") });
    expect(res.status).toBe(200);
    const grown = await backtest();
    expect(grown.history.live).toMatchObject({ requests: 4, artifactVersions: 77 });
    const fresh = await backtest("--no-cache");
    expect(fresh.history.live).toMatchObject({ requests: 5, artifactVersions: 77 });
    expect(grown.automations).toEqual(fresh.automations);
    expect(grown.automations.find((a) => a.address.endsWith("/data-created"))?.firings).toBe(7);
  });

  it("reads a cached collection whole again when the backend holds fewer versions than the cache and the ones read since", async () => {
    const project = makeProject(defs);
    const live = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    const backtest = async () => JSON.parse((await runMain(["backtest", "--no-typecheck", "--json", "--since", "7d"], project, live)).stdout) as Report;
    const cold = await backtest();
    // A version the cache holds but the backend no longer has (deleted since the last read): the count disagrees.
    const files = readdirSync(join(project, ".tripwire", "history"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("data-train.json"));
    expect(files).toHaveLength(1);
    const path = join(project, ".tripwire", "history", files[0] as string);
    const cached = JSON.parse(readFileSync(path, "utf8")) as { versions: { version: string }[] };
    const gone = { ...(cached.versions[0] as { version: string }), version: "v99" };
    writeFileSync(path, JSON.stringify({ ...cached, versions: [...cached.versions, gone] }));
    const repaired = await backtest();
    // Types, collections, ckpt and data-train from their cursors, then data-train whole again.
    expect(repaired.history.live).toMatchObject({ requests: 5, artifactVersions: cold.history.live?.artifactVersions });
    expect(repaired.automations).toEqual(cold.automations);
    expect((JSON.parse(readFileSync(path, "utf8")) as { versions: unknown[] }).versions).toHaveLength(cached.versions.length);
    const warm = await backtest();
    expect(warm.history.live).toMatchObject({ requests: 4, artifactVersions: cold.history.live?.artifactVersions });
  });
});
