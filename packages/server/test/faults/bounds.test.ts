// Issue 10, items 1 and 2, against the real server on loopback with a real SQLite file: one automation with an
// unbounded window or a catastrophic regex must not stop the service for anyone.
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/log.js";
import { startServer, type RunningServer } from "../../src/server.js";
import { CreateAutomation } from "../documents.js";
import { gql, KEYS, metric, postEvents, SEED, tempDir } from "../helpers.js";

const thresholdFilter = (window: number, runFilter = { $and: [] as unknown[] }) =>
  JSON.stringify({
    run_filter: JSON.stringify(runFilter),
    run_metric_filter: { threshold_filter: { name: "loss", agg_op: "MAX", window_size: window, cmp_op: "$gt", threshold: 0.5 } },
    metric_filter: null,
  });

function capture(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: (level, msg, fields) => lines.push({ level, msg, ...(fields ? { fields } : {}) }), enabled: () => true };
}

let dir: string;
let cleanup: () => void;
let servers: RunningServer[] = [];
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  servers = [];
  cleanup();
});
async function start(logger?: Logger): Promise<RunningServer> {
  const s = await startServer({ db: join(dir, "faults.db"), port: 0, seed: SEED, ...(logger ? { logger } : {}) });
  servers.push(s);
  return s;
}

async function projectId(url: string): Promise<string> {
  return (await gql(url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } }`)).body.data.project.id;
}
const automation = (scopeID: string, name: string, eventFilter: string, triggeringEventType = "RUN_METRIC") => ({
  input: { enabled: true, eventFilter, name, scopeID, scopeType: "PROJECT", triggeredActionConfig: { noOpActionInput: { noOp: true } }, triggeredActionType: "NO_OP", triggeringEventType },
});

describe("item 1: windows are bounded, and recovery skips what it cannot load", () => {
  it("the GraphQL input refuses a window, prior window or z-score window over 1,000 with TW1030", async () => {
    const s = await start();
    const scope = await projectId(s.url);
    const huge = await gql(s.url, KEYS.bob, CreateAutomation, automation(scope, "huge", thresholdFilter(1e15)));
    expect(huge.status).toBe(400);
    expect(huge.body.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      issues: [{ code: "TW1030", message: "window of 1000000000000000 values is larger than the maximum of 1000", path: ["event", "window"] }],
    });
    const prior = JSON.stringify({
      run_filter: JSON.stringify({ $and: [] }),
      run_metric_filter: { change_filter: { name: "loss", agg_op: "AVERAGE", current_window_size: 10, change_amount: 0.5, prior_window_size: 5000, change_type: "RELATIVE", change_dir: "ANY" } },
      metric_filter: null,
    });
    expect(((await gql(s.url, KEYS.bob, CreateAutomation, automation(scope, "prior", prior, "RUN_METRIC_CHANGE"))).body.errors?.[0]?.extensions as { issues?: unknown })?.issues).toEqual([
      { code: "TW1030", message: "priorWindow of 5000 values is larger than the maximum of 1000", path: ["event", "priorWindow"] },
    ]);
    const z = JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_metric_filter: { zscore_filter: { name: "loss", window_size: 1001, threshold: 2, change_dir: "ANY" } }, metric_filter: null });
    expect(((await gql(s.url, KEYS.bob, CreateAutomation, automation(scope, "z", z, "RUN_METRIC_ZSCORE"))).body.errors?.[0]?.extensions as { issues?: unknown })?.issues).toMatchObject([{ code: "TW1030" }]);
    expect((await gql(s.url, KEYS.bob, CreateAutomation, automation(scope, "largest", thresholdFilter(1000)))).body.errors).toBeUndefined();
  });

  it("a stored automation with a window of 1e15 is skipped, flagged and reported; every tenant's ingestion keeps answering, across a restart", async () => {
    const logger = capture();
    let s = await start(logger);
    const scope = await projectId(s.url);
    expect((await gql(s.url, KEYS.bob, CreateAutomation, automation(scope, "good", thresholdFilter(2)))).body.errors).toBeUndefined();
    // Saved before the bound existed (or by a tool writing the database): straight into the store.
    const ml = s.store.entityByName("ml")!;
    const llm = s.store.projectByName(ml.id, "llm")!;
    const bad = s.store.createTrigger(
      {
        name: "huge-window",
        description: null,
        enabled: true,
        scopeType: "PROJECT",
        scopeId: llm.id,
        entityId: ml.id,
        projectId: llm.id,
        eventType: "RUN_METRIC",
        eventFilter: thresholdFilter(1e15),
        actionType: "NO_OP",
        actionConfig: JSON.stringify({ noOp: true }),
        integrationId: null,
      },
      null,
    );
    const lines = [metric("r1", 1, { loss: 1 }), metric("r1", 2, { loss: 1 })].join("\n");
    const own = await postEvents(s.url, KEYS.bob, lines);
    expect(own.status).toBe(200);
    expect(own.body.firings).toBe(1); // "good" fires; "huge-window" is not evaluated
    const other = await postEvents(s.url, KEYS.carol, metric("c1", 1, { loss: 1 }, { entity: "rivals", project: "secret-project", user: "carol" }));
    expect(other.status).toBe(200);

    const flagged = [{ id: expect.any(String), name: "huge-window", reason: "window of 1000000000000000 values is larger than the maximum of 1000" }];
    expect(s.runtime.unloadableAutomations()).toEqual(flagged);
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ status: "ok", unloadableAutomations: 1 });
    const reported = logger.lines.filter((l) => l.msg === "automation skipped: it cannot be loaded");
    expect(reported).toEqual([{ level: "error", msg: "automation skipped: it cannot be loaded", fields: { automation: flagged[0]!.id, name: "huge-window", reason: flagged[0]!.reason } }]);
    expect(bad.id).toBeGreaterThan(0);

    // Recovery (a restart replays the log against the automations then in force) skips it too.
    await s.close();
    servers = [];
    s = await start();
    expect(s.runtime.unloadableAutomations()).toEqual(flagged);
    const after = await postEvents(s.url, KEYS.bob, [metric("r3", 1, { loss: 1 }), metric("r3", 2, { loss: 1 })].join("\n"));
    expect(after).toMatchObject({ status: 200, body: { accepted: 2, firings: 1 } });
    expect((await postEvents(s.url, KEYS.carol, metric("c1", 2, { loss: 1 }, { entity: "rivals", project: "secret-project", user: "carol" }))).status).toBe(200);
  });
});

describe("item 2: run-name regexes run in linear time and are checked at the input", () => {
  it("refuses a pattern RE2 cannot run (lookahead) at the GraphQL input, with TW1007", async () => {
    const s = await start();
    const scope = await projectId(s.url);
    const r = await gql(s.url, KEYS.bob, CreateAutomation, automation(scope, "lookahead", thresholdFilter(1, { $and: [{ display_name: { $regex: "^(?=train)" } }] })));
    expect(r.status).toBe(400);
    expect((r.body.errors?.[0]?.extensions as { issues?: unknown })?.issues).toEqual([
      {
        code: "TW1007",
        message: "runName regex /^(?=train)/ does not compile: invalid or unsupported Perl syntax: `(?=` (patterns use RE2 syntax: no lookaround or backreferences)",
        path: ["event", "runFilter", "value"],
      },
    ]);
  });

  it("evaluates ^(a+)+$ against a run named with 30 a's and a ! without blocking the server", async () => {
    const s = await start();
    const scope = await projectId(s.url);
    const filter = thresholdFilter(1, { $and: [{ display_name: { $regex: "^(a+)+$" } }] });
    expect((await gql(s.url, KEYS.bob, CreateAutomation, automation(scope, "evil", filter))).body.errors).toBeUndefined();
    const evil = await postEvents(s.url, KEYS.bob, metric("r1", 1, { loss: 1 }, { name: `${"a".repeat(30)}!` }));
    expect(evil).toMatchObject({ status: 200, body: { accepted: 1, firings: 0 } });
    const match = await postEvents(s.url, KEYS.bob, metric("r2", 1, { loss: 1 }, { name: "a".repeat(30) }));
    expect(match).toMatchObject({ status: 200, body: { firings: 1 } });
  });
});
