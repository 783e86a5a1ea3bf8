// W&B's run and history queries answered from the event log, over HTTP, with W&B's own documents.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../src/server.js";
import { gql, KEYS, metric, postEvents, SEED, tempDir } from "./helpers.js";

// W&B's `Runs` (wandb/apis/public/runs.py, lazy=False) and wandb-core's `HistoryPage`, as they send them.
const RUNS = `
        query Runs($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50, $order: String, $filters: JSONString) {
            project(name: $project, entityName: $entity) {
                internalId
                runCount(filters: $filters)
                readOnly
                runs(filters: $filters, after: $cursor, first: $perPage, order: $order) {
                    edges { node { projectId ...RunFragment } cursor }
                    pageInfo { endCursor hasNextPage }
                }
            }
        }
fragment RunFragment on Run {
    id tags name displayName sweepName state config group jobType commit readOnly createdAt heartbeatAt description notes
    systemMetrics summaryMetrics historyLineCount user { name username } historyKeys
}`;
const HISTORY_PAGE = `query HistoryPage ($entity: String!, $project: String!, $run: String!, $minStep: Int64!, $maxStep: Int64!, $pageSize: Int!) {
	project(name: $project, entityName: $entity) {
		run(name: $run) {
			history(minStep: $minStep, maxStep: $maxStep, samples: $pageSize)
		}
	}
}`;
const SAMPLED = `query SampledHistoryPage($entity: String!, $project: String!, $run: String!, $spec: JSONString!) {
  project(name: $project, entityName: $entity) { run(name: $run) { sampledHistory(specs: [$spec]) } }
}`;

let server: RunningServer;
let cleanup: () => void;
const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, s)).toISOString();

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  server = await startServer({ db: join(t.dir, "r.db"), port: 0, seed: SEED });
  const lines = [
    JSON.stringify({ type: "run.state", entity: "ml", project: "llm", run: { id: "r1", name: "first", user: "bob" }, state: "running", timestamp: at(0) }),
    ...Array.from({ length: 5 }, (_, s) => metric("r1", s, s === 3 ? { loss: s, acc: 1 } : { loss: s }, { name: "first" })),
    JSON.stringify({ type: "run.state", entity: "ml", project: "llm", run: { id: "r1", name: "first", user: "bob" }, state: "finished", timestamp: at(9) }),
    metric("r2", 0, { loss: 10 }),
    metric("r2", 2, { loss: 12 }),
  ];
  // Two batches: the index is extended with what arrives after the first query too.
  expect((await postEvents(server.url, KEYS.bob, lines.slice(0, 4).join("\n"))).status).toBe(200);
  await gql(server.url, KEYS.bob, RUNS, { entity: "ml", project: "llm" });
  expect((await postEvents(server.url, KEYS.bob, lines.slice(4).join("\n"))).status).toBe(200);
});
afterAll(async () => {
  await server.close();
  cleanup();
});

describe("Runs, HistoryPage and sampledHistory from the event log", () => {
  it("lists runs with W&B's document: paging by the last edge's cursor, filters, historyKeys", async () => {
    const url = server.url;
    const first = await gql(url, KEYS.bob, RUNS, { entity: "ml", project: "llm", perPage: 1, order: "+created_at", filters: "{}" });
    expect(first.status).toBe(200);
    const p1 = first.body.data.project;
    expect(p1.runCount).toBe(2);
    expect(p1.runs.pageInfo.hasNextPage).toBe(true);
    const r1 = p1.runs.edges[0].node;
    expect(r1).toMatchObject({
      name: "r1",
      displayName: "first",
      state: "finished",
      createdAt: at(0),
      heartbeatAt: at(9),
      historyLineCount: 5,
      user: { username: "bob" },
      historyKeys: { lastStep: 4, keys: { loss: { typeCounts: [{ type: "number", count: 5 }], previousValue: 4 }, acc: { typeCounts: [{ type: "number", count: 1 }], previousValue: 1 } } },
    });
    const second = await gql(url, KEYS.bob, RUNS, { entity: "ml", project: "llm", perPage: 1, cursor: p1.runs.edges[0].cursor });
    expect(second.body.data.project.runs.edges.map((e: { node: { name: string; state: string } }) => [e.node.name, e.node.state])).toEqual([["r2", "running"]]);
    expect(second.body.data.project.runs.pageInfo.hasNextPage).toBe(false);

    const filtered = await gql(url, KEYS.bob, RUNS, { entity: "ml", project: "llm", filters: JSON.stringify({ $and: [{ createdAt: { $lte: at(1) } }, { state: { $in: ["finished"] } }] }) });
    expect(filtered.body.data.project.runs.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(["r1"]);
    const bad = await gql(url, KEYS.bob, RUNS, { entity: "ml", project: "llm", filters: JSON.stringify({ "config.lr": 1 }) });
    expect(bad.body.errors?.[0]?.message).toMatch(/not on "config\.lr"/);
  });

  it("answers HistoryPage windows exactly: minStep <= _step < maxStep, rows as JSON text", async () => {
    const url = server.url;
    const r = await gql(url, KEYS.bob, HISTORY_PAGE, { entity: "ml", project: "llm", run: "r1", minStep: 1, maxStep: 4, pageSize: 3 });
    const rows = (r.body.data.project.run.history as string[]).map((t) => JSON.parse(t));
    expect(rows).toEqual([
      { _step: 1, _timestamp: Date.parse(at(1)) / 1000, _runtime: 1, loss: 1 },
      { _step: 2, _timestamp: Date.parse(at(2)) / 1000, _runtime: 2, loss: 2 },
      { _step: 3, _timestamp: Date.parse(at(3)) / 1000, _runtime: 3, loss: 3, acc: 1 },
    ]);
    // Fewer samples than rows: downsampled, as W&B does.
    const sampled = await gql(url, KEYS.bob, HISTORY_PAGE, { entity: "ml", project: "llm", run: "r1", minStep: 0, maxStep: 5, pageSize: 2 });
    expect((sampled.body.data.project.run.history as string[]).map((t) => JSON.parse(t)._step)).toEqual([0, 4]);
    const missing = await gql(url, KEYS.bob, HISTORY_PAGE, { entity: "ml", project: "llm", run: "nope", minStep: 0, maxStep: 5, pageSize: 5 });
    expect(missing.body.data.project.run).toBeNull();
  });

  it("answers sampledHistory with only the rows holding every key, maxStep inclusive", async () => {
    const url = server.url;
    const spec = JSON.stringify({ keys: ["_step", "acc"], minStep: 0, maxStep: 3, samples: 10 });
    const r = await gql(url, KEYS.bob, SAMPLED, { entity: "ml", project: "llm", run: "r1", spec });
    expect(r.body.data.project.run.sampledHistory).toEqual([[{ _step: 3, acc: 1 }]]);
  });
});

describe("the system-metrics stream (Run.events) from the event log", () => {
  it("keeps system metrics out of the history and serves them as W&B's events rows, in _timestamp order, with no _step", async () => {
    const sys = { project: "sys" };
    const lines = [
      metric("s1", 0, { loss: 1, "system/gpu.0.temp": 70 }, sys),
      metric("s1", 1, { "system.cpu": 12 }, sys),
      metric("s1", 2, { "gpu.0.gpu": 99 }, sys),
      metric("s1", 3, { loss: 0.5 }, sys),
    ];
    expect((await postEvents(server.url, KEYS.bob, lines.join("\n"))).status).toBe(200);
    const doc = `query($entity: String!, $project: String!, $run: String!, $samples: Int) {
      project(name: $project, entityName: $entity) { run(name: $run) { historyLineCount eventsLineCount systemMetrics historyKeys events(samples: $samples) } }
    }`;
    const r = await gql(server.url, KEYS.bob, doc, { entity: "ml", project: "sys", run: "s1", samples: 10 });
    const run = r.body.data.project.run;
    expect(run.historyLineCount).toBe(2);
    expect(Object.keys(run.historyKeys.keys)).toEqual(["loss"]);
    expect(run.eventsLineCount).toBe(3);
    expect(JSON.parse(run.systemMetrics)).toEqual({ "system.gpu.0.temp": 70, "system.cpu": 12, "system.gpu.0.gpu": 99 });
    expect((run.events as string[]).map((t) => JSON.parse(t))).toEqual([
      { _wandb: true, _timestamp: Date.parse(at(0)) / 1000, _runtime: 0, "system.gpu.0.temp": 70 },
      { _wandb: true, _timestamp: Date.parse(at(1)) / 1000, _runtime: 1, "system.cpu": 12 },
      { _wandb: true, _timestamp: Date.parse(at(2)) / 1000, _runtime: 2, "system.gpu.0.gpu": 99 },
    ]);
    // Fewer samples than rows: downsampled, as W&B does.
    const sampled = await gql(server.url, KEYS.bob, doc, { entity: "ml", project: "sys", run: "s1", samples: 2 });
    expect((sampled.body.data.project.run.events as string[]).map((t) => JSON.parse(t)._runtime)).toEqual([0, 2]);
  });
});
