import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { execute } from "../src/graphql/execute.js";
import { startServer } from "../src/server.js";
import { openStore } from "../src/store/sqlite.js";
import { CreateAutomation, UpdateAutomation } from "./documents.js";
import { gql, KEYS, metric, postEvents, SEED, tempDir } from "./helpers.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const threshold = (value: number, window = 1) =>
  JSON.stringify({
    run_filter: JSON.stringify({ $and: [] }),
    run_metric_filter: { threshold_filter: { name: "loss", agg_op: window > 1 ? "AVERAGE" : null, window_size: window, cmp_op: "$gt", threshold: value } },
    metric_filter: null,
  });

const input = (scopeID: string, name: string, filter: string) => ({
  enabled: true,
  eventFilter: filter,
  name,
  scopeID,
  scopeType: "PROJECT",
  triggeredActionConfig: { noOpActionInput: { noOp: true } },
  triggeredActionType: "NO_OP",
  triggeringEventType: "RUN_METRIC",
});

async function setup() {
  const t = tempDir();
  const db = join(t.dir, "live.db");
  const server = await startServer({ db, port: 0, seed: SEED, durability: "normal" });
  closers.push(t.cleanup, server.close);
  const project = (await gql(server.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } }`)).body.data.project.id as string;
  const created = await gql(server.url, KEYS.bob, CreateAutomation, { input: input(project, "loss-high", threshold(0.8)) });
  expect(created.body.errors).toBeUndefined();
  return { db, server, project, id: created.body.data.result.trigger.id as string };
}

/** Posts one loss value per run (three runs: the 24 h per-run limit would hide repeats on one run) and sums the firings. */
async function firings(url: string, runs: string[], loss: number, step = 0): Promise<number> {
  let n = 0;
  for (const run of runs) {
    const r = await postEvents(url, KEYS.bob, metric(run, step, { loss }));
    expect(r.status).toBe(200);
    n += r.body.firings as number;
  }
  return n;
}

describe("definitions are live", () => {
  it("a change written by another connection to the file (the CLI's embedded default) applies to the next event, no restart", async () => {
    const { db, server, project, id } = await setup();
    expect(await firings(server.url, ["a1", "a2", "a3"], 5)).toBe(3);

    // What `tripwire apply` does on the embedded default: the same GraphQL, executed in its own process on the same file.
    const other = openStore(db);
    closers.push(() => other.close());
    const updated = await execute(other, { query: UpdateAutomation, variables: { input: { ...input(project, "loss-high", threshold(100)), id } } }, { user: "root" });
    expect(updated.body.errors).toBeUndefined();

    expect(await firings(server.url, ["b1", "b2", "b3"], 5)).toBe(0);
    expect(await firings(server.url, ["b4"], 101)).toBe(1);
    expect(server.runtime.engineState().automations.map((a) => a.id)).toEqual([id]);
  });

  it("a second server on the same file: its GraphQL writes reach the first one", async () => {
    const { db, server, project, id } = await setup();
    const second = await startServer({ db, port: 0, durability: "normal" });
    closers.push(second.close);
    const created = await gql(second.url, KEYS.bob, CreateAutomation, { input: input(project, "loss-low", threshold(1)) });
    expect(created.body.errors).toBeUndefined();
    // Both automations run on the first server: loss 5 crosses 0.8 and 1.
    expect(await firings(server.url, ["c1"], 5)).toBe(2);
    const disabled = await gql(second.url, KEYS.bob, UpdateAutomation, { input: { ...input(project, "loss-high", threshold(0.8)), id, enabled: false } });
    expect(disabled.body.errors).toBeUndefined();
    expect(await firings(server.url, ["c2"], 5)).toBe(1);
  });

  it("windows carry on for an automation whose trigger did not change, and restart for one whose trigger changed", async () => {
    const { db, server, project } = await setup();
    const mean = await gql(server.url, KEYS.bob, CreateAutomation, { input: input(project, "mean-3", threshold(5, 3)) });
    const kept = await gql(server.url, KEYS.bob, CreateAutomation, { input: input(project, "mean-3-kept", threshold(5, 3)) });
    const meanId = mean.body.data.result.trigger.id as string;
    const keptId = kept.body.data.result.trigger.id as string;
    // Two values of a window of three: neither mean automation can fire yet.
    for (const [step, loss] of [10, 10].entries()) await postEvents(server.url, KEYS.bob, metric("w", step, { loss }));

    const other = openStore(db);
    closers.push(() => other.close());
    // The threshold of one changes (its trigger changed: its window restarts); only the description of the other.
    expect((await execute(other, { query: UpdateAutomation, variables: { input: { ...input(project, "mean-3", threshold(6, 3)), id: meanId } } }, { user: "root" })).body.errors).toBeUndefined();
    expect((await execute(other, { query: UpdateAutomation, variables: { input: { ...input(project, "mean-3-kept", threshold(5, 3)), id: keptId, description: "same trigger" } } }, { user: "root" })).body.errors).toBeUndefined();

    const r = await postEvents(server.url, KEYS.bob, metric("w", 2, { loss: 10 }));
    expect(r.status).toBe(200);
    const history = await gql(server.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { triggerExecutions { edges { node { triggerName } } } } }`);
    // loss-high fired on the first value; mean-3-kept on the third (its window of three is full); mean-3 has seen one value since its change.
    expect(history.body.data.project.triggerExecutions.edges.map((e: { node: { triggerName: string } }) => e.node.triggerName)).toEqual(["loss-high", "mean-3-kept"]);
  });
});
