// Issue 10 item 8: an attempt that went out but whose result was never recorded (the server stopped meanwhile) is
// numbered on after the restart and marked as a redelivery. Real server, the same SQLite file, a real receiver.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "../../src/server.js";
import { gql, KEYS, metric, postEvents, SEED, tempDir, until } from "../helpers.js";
import { closeAll, closers, hookAutomation, settled } from "./harness.js";

afterEach(closeAll);

describe("redelivery after a stop mid-attempt", () => {
  it("counts X-Tripwire-Attempt on and sends X-Tripwire-Redelivery: true, with the same Idempotency-Key", async () => {
    // The first request is never answered (the server stops while it is out); later ones get 200.
    const received: { headers: IncomingHttpHeaders }[] = [];
    const rx = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received.push({ headers: req.headers });
        if (received.length > 1) res.end("ok");
      });
    });
    await new Promise<void>((r) => rx.listen(0, "127.0.0.1", () => r()));
    closers.push(() => new Promise<void>((r) => (rx.closeAllConnections(), rx.close(() => r()))));
    const hook = { url: `http://127.0.0.1:${(rx.address() as AddressInfo).port}`, received };
    const t = tempDir();
    closers.push(t.cleanup);
    const db = join(t.dir, "r.db");
    const seed = { ...SEED, integrations: [{ kind: "webhook" as const, entity: "ml", name: "ci", url: `${hook.url}/hook` }] };
    const first = await startServer({ db, port: 0, seed, allowPrivate: ["127.0.0.1"], shutdownGraceMs: 50 });
    const d = (await gql(first.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } entity(name: "ml") { integrations { edges { node { id } } } } }`)).body.data;
    await hookAutomation(first.url, d.project.id, d.entity.integrations.edges[0].node.id);
    expect((await postEvents(first.url, KEYS.bob, metric("r1", 1, { acc: 0.95 }))).status).toBe(200);
    await until(() => hook.received[0], 5000, "the first attempt");
    // Stopped with the attempt out: its connection is cut and, as after a crash, no result is recorded.
    await first.close();
    const second = await startServer({ db, port: 0, seed, allowPrivate: ["127.0.0.1"] });
    closers.push(second.close);
    await until(() => hook.received[1], 5000, "the redelivery");
    const [x] = await settled(second);
    expect(hook.received.map((r) => [r.headers["x-tripwire-attempt"], r.headers["x-tripwire-redelivery"]])).toEqual([
      ["1", undefined],
      ["2", "true"],
    ]);
    expect(hook.received[1]?.headers["idempotency-key"]).toBe(hook.received[0]?.headers["idempotency-key"]);
    expect(x).toMatchObject({ state: "FINISHED", attempts: 2, dispatched: 2 });
    expect(x?.tries.map((a) => a.attempt)).toEqual([2]);
  });
});
