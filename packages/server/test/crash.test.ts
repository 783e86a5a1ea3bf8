import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseBody } from "../src/ingest/parse.js";
import { openStore } from "../src/store/sqlite.js";
import { afterAll, describe, expect, it } from "vitest";
import { CreateAutomation } from "./documents.js";
import { gql, KEYS, metric, postEvents, receiver, SEED, tempDir, until } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin/tripwire-server.js", import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** Starts the real bin as a child process and waits for its "listening" log line. */
async function spawnServer(db: string, seed: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, "--db", db, "--port", "0", "--seed", seed, "--allow-private", "127.0.0.1"], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (err += d));
  const url = await until(() => /"msg":"listening","url":"([^"]+)"/.exec(err)?.[1], 20_000, "the server to listen");
  return { child, url, stderr: () => err };
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once("exit", (code) => r(code))));

const threshold = (name: string, agg: string | null, window: number, cmp: string, value: number) =>
  JSON.stringify({
    run_filter: JSON.stringify({ $and: [] }),
    run_metric_filter: { threshold_filter: { name, agg_op: agg, window_size: window, cmp_op: cmp, threshold: value } },
    metric_filter: null,
  });

describe("kill -9 in the middle of a stream", () => {
  it("loses no acknowledged event, keeps windows, fires once and delivers pending executions once", async () => {
    let open = false;
    const hook = await receiver(() => (open ? { status: 200 } : { status: 503, headers: { "Retry-After": "1" } }));
    const t = tempDir();
    const db = join(t.dir, "crash.db");
    const seedFile = join(t.dir, "seed.json");
    writeFileSync(
      seedFile,
      JSON.stringify({ ...SEED, integrations: [{ kind: "webhook", entity: "ml", name: "ci", url: `${hook.url}/hook`, secret: "HOOK_SECRET", accessToken: "HOOK_TOKEN" }] }),
    );
    try {
      const first = await spawnServer(db, seedFile);
      const ids = (await gql(first.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } entity(name: "ml") { integrations { edges { node { id } } } } }`)).body.data;
      const automation = async (name: string, filter: string) => {
        const r = await gql(first.url, KEYS.bob, CreateAutomation, {
          input: {
            enabled: true,
            eventFilter: filter,
            name,
            scopeID: ids.project.id,
            scopeType: "PROJECT",
            triggeredActionConfig: { genericWebhookActionInput: { integrationID: ids.entity.integrations.edges[0].node.id, requestPayload: `{"a":"${name}","run":"\${run_name}"}` } },
            triggeredActionType: "GENERIC_WEBHOOK",
            triggeringEventType: "RUN_METRIC",
          },
        });
        expect(r.body.errors).toBeUndefined();
      };
      await automation("gpu-hot", threshold("gpu", null, 1, "$gt", 90)); // fires before the crash; delivery pending
      await automation("loss-high", threshold("loss", "AVERAGE", 10, "$gt", 5)); // needs 6 points before and 4 after

      const runs = Array.from({ length: 8 }, (_, i) => `run-${i}`);
      const phase1 = runs.flatMap((r) => [metric(r, 0, { gpu: 95, loss: 10 }), ...[1, 2, 3, 4, 5].map((s) => metric(r, s, { loss: 10 }))]);
      for (let i = 0; i < phase1.length; i += 12) expect((await postEvents(first.url, KEYS.bob, phase1.slice(i, i + 12).join("\n"))).status).toBe(200);
      await until(() => (hook.received.length >= runs.length ? true : undefined), 5000, "first refused deliveries");

      // A stream in flight: four concurrent writers; kill -9 once 40 batches are acknowledged.
      const acked: string[] = [];
      let step = 0;
      let stop = false;
      const writer = async (w: number) => {
        while (!stop) {
          const lines = Array.from({ length: 10 }, () => metric(`filler-${w}`, step++, { other: step }));
          try {
            const r = await postEvents(first.url, KEYS.bob, lines.join("\n"));
            if (r.status === 200) acked.push(...lines);
          } catch {
            return; // the connection died with the server: not acknowledged
          }
        }
      };
      const writers = [0, 1, 2, 3].map(writer);
      await until(() => (acked.length >= 400 ? true : undefined), 10_000, "the stream");
      first.child.kill("SIGKILL");
      stop = true;
      expect(await exited(first.child)).toBeNull();
      await Promise.all(writers);
      expect(hook.received.every((r) => r.status === 503)).toBe(true);

      open = true;
      const second = await spawnServer(db, seedFile);
      expect(second.stderr()).toMatch(/"msg":"resuming pending deliveries","count":8/);
      const phase2 = runs.flatMap((r) => [6, 7, 8, 9, 10, 11].map((s) => metric(r, s, { loss: 10 })));
      expect((await postEvents(second.url, KEYS.bob, phase2.join("\n"))).body.firings).toBe(runs.length);
      await until(() => (hook.received.filter((r) => r.status === 200).length >= 2 * runs.length ? true : undefined), 10_000, "deliveries after restart");

      second.child.kill("SIGTERM");
      expect(await exited(second.child)).toBe(0);
      const delivered = hook.received.filter((r) => r.status === 200);
      expect(delivered).toHaveLength(2 * runs.length);
      expect(new Set(delivered.map((r) => r.headers["idempotency-key"])).size).toBe(2 * runs.length);
      const byAutomation = (a: string) => delivered.map((r) => JSON.parse(r.body) as { a: string; run: string }).filter((b) => b.a === a).map((b) => b.run).sort();
      expect(byAutomation("gpu-hot")).toEqual(runs);
      expect(byAutomation("loss-high")).toEqual(runs);

      const store = openStore(db);
      try {
        const logged = new Set<string>();
        for (const b of store.batchesAfter(0)) {
          const parsed = parseBody(b.body);
          if (parsed.ok) for (const e of parsed.events) if (e.type === "run.metric") logged.add(`${e.run.id}/${e.step}`);
        }
        const missing = acked.map((l) => JSON.parse(l) as { run: { id: string }; step: number }).filter((e) => !logged.has(`${e.run.id}/${e.step}`));
        expect(missing).toEqual([]);
        const executions = store.listExecutions({}, { after: 0, limit: 100 });
        expect(executions.totalCount).toBe(2 * runs.length);
        expect(executions.items.every((x) => x.state === "FINISHED")).toBe(true);
      } finally {
        store.close();
      }
    } finally {
      await hook.close();
      t.cleanup();
    }
  }, 60_000);
});
