// A delete whose answer is lost on the way back: the backend deleted it, the client retries and reads "not found".
// That is a success (issue 10, item 9). The real server on loopback behind the faulty proxy, the CLI in-process.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer } from "@tripwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject } from "../project.js";
import { runMain } from "../io.js";
import { faultyProxy } from "./proxy.js";

const KEY = "alice-key-00000001";
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    db: join(mkdtempSync(join(tmpdir(), "tripwire-lost-")), "w.db"),
    port: 0,
    durability: "normal",
    seed: { users: [{ username: "alice", apiKeys: [KEY] }], teams: [{ name: "acme", admins: ["alice"] }], projects: [{ entity: "acme", name: "llm" }] },
  });
});
afterAll(() => server.close());

const names = ["d1", "d2", "d3", "d4", "d5"];
const defs = (list: string[]) =>
  `import { automation, project, onRunState, doNothing } from "@tripwire/sdk";\n${list
    .map((n) => `export const ${n} = automation("${n}").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing());`)
    .join("\n")}\nexport {};\n`;

describe("a delete whose response was lost", () => {
  it("reads not found on the retry and is reported as done; the re-plan is empty", async () => {
    const dir = makeProject({ "tripwire.config.ts": `export default { owner: "lost", entities: ["acme"] };\n`, "automations/a.ts": defs(names) });
    const direct = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    expect((await runMain(["apply", "--yes", "--no-typecheck"], dir, direct)).code).toBe(0);

    // Every delete reaches the server, and every first answer is cut off.
    const dropped = new Set<string>();
    const proxy = await faultyProxy(server.url, (body) => {
      const id = /deleteTrigger[\s\S]*"id":"([^"]+)"/.exec(body)?.[1];
      if (!id || dropped.has(id)) return undefined;
      dropped.add(id);
      return { drop: true };
    });
    try {
      writeFileSync(join(dir, "automations/a.ts"), defs([]));
      const r = await runMain(["apply", "--yes", "--allow-delete", "--no-typecheck", "--json"], dir, { WANDB_BASE_URL: proxy.url, WANDB_API_KEY: KEY });
      expect(dropped.size).toBe(names.length);
      const doc = JSON.parse(r.stdout) as { results: { op: string; address: string; ok: boolean; error?: string }[] };
      expect(doc.results.map((x) => `${x.op} ${x.address} ${x.ok}`).sort()).toEqual(names.map((n) => `delete project:acme/llm/${n} true`));
      expect(r.code).toBe(0);
    } finally {
      await proxy.close();
    }
    const again = await runMain(["plan", "--no-typecheck", "--detailed-exitcode"], dir, direct);
    expect(again.stdout.split("\n")[0]).toBe("No changes. The live automations match the code.");
    expect(again.code).toBe(0);
  }, 120_000);
});
