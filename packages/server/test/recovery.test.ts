import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../src/store/sqlite.js";
import { execute } from "../src/graphql/execute.js";
import { silentLogger } from "../src/log.js";
import { Runtime } from "../src/runtime/runtime.js";
import { parseBody } from "../src/ingest/parse.js";
import type { SqliteStore } from "../src/store/sqlite.js";
import { CreateAutomation, DeleteAutomation, UpdateAutomation } from "./documents.js";
import { metric, seededStore } from "./helpers.js";

let store: SqliteStore;
let cleanup: () => void;
let dir: string;
beforeEach(() => ({ store, cleanup, dir } = seededStore()));
afterEach(() => cleanup());

const bob = () => store.userByName("bob")!;
const filter = (agg: string | null, window: number, value: number) =>
  JSON.stringify({
    run_filter: JSON.stringify({ $and: [] }),
    run_metric_filter: { threshold_filter: { name: "loss", agg_op: agg, window_size: window, cmp_op: "$gt", threshold: value } },
    metric_filter: null,
  });

async function create(name: string, eventFilter: string): Promise<string> {
  const project = (await execute(store, { query: `{ project(name: "llm", entityName: "ml") { id } }` }, { user: "bob" })).body.data as { project: { id: string } };
  const r = await execute(
    store,
    {
      query: CreateAutomation,
      variables: {
        input: {
          enabled: true,
          eventFilter,
          name,
          scopeID: project.project.id,
          scopeType: "PROJECT",
          triggeredActionConfig: { noOpActionInput: { noOp: true } },
          triggeredActionType: "NO_OP",
          triggeringEventType: "RUN_METRIC",
        },
      },
    },
    { user: "bob" },
  );
  expect(r.body.errors).toBeUndefined();
  return (r.body.data as { result: { trigger: { id: string } } }).result.trigger.id;
}

/** The whole definition `create` saves, as W&B's SDK sends it with every update. */
async function update(id: string, name: string, enabled: boolean, eventFilter: string): Promise<void> {
  const project = (await execute(store, { query: `{ project(name: "llm", entityName: "ml") { id } }` }, { user: "bob" })).body.data as { project: { id: string } };
  const input = { id, enabled, eventFilter, name, scopeID: project.project.id, scopeType: "PROJECT", triggeredActionConfig: { noOpActionInput: { noOp: true } }, triggeredActionType: "NO_OP", triggeringEventType: "RUN_METRIC" };
  const r = await execute(store, { query: UpdateAutomation, variables: { input } }, { user: "bob" });
  expect(r.body.errors).toBeUndefined();
}

async function submit(runtime: Runtime, lines: string[]): Promise<number> {
  const body = lines.join("\n");
  const parsed = parseBody(body);
  if (!parsed.ok) throw new Error("bad test events");
  const p = runtime.submit(bob(), parsed.events, body);
  runtime.flush();
  return (await p).firings;
}

const batch = (from: number, to: number, value: (run: string, step: number) => number) =>
  ["a", "b", "c"].flatMap((run) => Array.from({ length: to - from }, (_, i) => metric(run, from + i, { loss: value(run, from + i) })));

describe("recovery from snapshot + event log", () => {
  /** Batches interleaved with automation changes of every kind; returns the live runtime. */
  async function scenario(snapshotEveryEvents: number): Promise<Runtime> {
    const live = new Runtime(store, { logger: silentLogger, snapshotEveryEvents, snapshotEveryMs: 3_600_000 });
    const wave = (run: string, step: number) => (step % 7) + (run === "b" ? 3 : 0);
    const mean5 = await create("mean5", filter("AVERAGE", 5, 4));
    await submit(live, batch(0, 6, wave));
    const max3 = await create("max3", filter("MAX", 3, 6));
    await submit(live, batch(6, 12, wave));
    // A change that keeps the definition (disable) and one that changes it (window), then a delete.
    await update(mean5, "mean5", false, filter("AVERAGE", 5, 4));
    await submit(live, batch(12, 15, wave));
    await update(mean5, "mean5", true, filter("AVERAGE", 4, 4));
    await submit(live, batch(15, 22, wave));
    await execute(store, { query: DeleteAutomation, variables: { id: max3 } }, { user: "bob" });
    await create("latest", filter(null, 1, 8));
    await submit(live, batch(22, 30, wave));
    // Changed after the last batch: must not see replayed events.
    await create("after-last-batch", filter(null, 1, 1));
    live.sync();
    return live;
  }

  it("rebuilds exactly the live engine state from a snapshot and the log after it", async () => {
    const live = await scenario(25);
    expect(store.snapshot()?.batchId).toBeGreaterThan(1);
    const liveState = JSON.stringify(live.engineState());
    // A restart without a final snapshot, as after kill -9.
    expect(JSON.stringify(new Runtime(store, { logger: silentLogger }).engineState())).toBe(liveState);

    // A copy of the database, rebuilt, fires exactly like the live engine on the next batch.
    store.db.pragma("wal_checkpoint(TRUNCATE)");
    copyFileSync(join(dir, "test.db"), join(dir, "copy.db"));
    const copy = openStore(join(dir, "copy.db"));
    try {
      const rebuilt = new Runtime(copy, { logger: silentLogger });
      const next = batch(30, 31, () => 9);
      const liveFirings = await submit(live, next);
      expect(liveFirings).toBeGreaterThan(0);
      expect(await submit(rebuilt, next)).toBe(liveFirings);
      expect(JSON.stringify(rebuilt.engineState())).toBe(JSON.stringify(live.engineState()));
    } finally {
      copy.close();
    }
  });

  it("rebuilds it from the whole log and the automation change log when there is no snapshot", async () => {
    const live = await scenario(1_000_000);
    expect(store.snapshot()).toBeUndefined();
    expect(JSON.stringify(new Runtime(store, { logger: silentLogger }).engineState())).toBe(JSON.stringify(live.engineState()));
  });

  it("does not fire again for events replayed at start", async () => {
    const live = new Runtime(store, { logger: silentLogger });
    await create("hot", filter(null, 1, 5));
    expect(await submit(live, batch(0, 3, () => 9))).toBe(3);
    const count = store.listExecutions({}, { after: 0, limit: 0 }).totalCount;
    new Runtime(store, { logger: silentLogger });
    expect(store.listExecutions({}, { after: 0, limit: 0 }).totalCount).toBe(count);
  });
});

describe("a group commit that fails", () => {
  it("rejects its batches, rebuilds the engine from what is durable, and carries on", async () => {
    const live = new Runtime(store, { logger: silentLogger });
    await create("hot", filter("MAX", 3, 5));
    await submit(live, batch(0, 2, () => 1));
    const before = JSON.stringify(live.engineState());
    const original = store.insertExecutions.bind(store);
    store.insertExecutions = () => {
      throw new Error("disk full");
    };
    // This batch fires (max over 3 > 5), so the insert fails and the whole commit rolls back.
    await expect(submit(live, batch(2, 3, () => 9))).rejects.toThrow(/could not be committed/);
    store.insertExecutions = original;
    expect(JSON.stringify(live.engineState())).toBe(before);
    expect(store.eventCount()).toBe(6);
    expect(await submit(live, batch(2, 3, () => 9))).toBe(3);
    expect(store.listExecutions({}, { after: 0, limit: 10 }).totalCount).toBe(3);
  });
});
