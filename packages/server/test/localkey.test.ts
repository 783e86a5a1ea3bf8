import { statSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runServerCli } from "../src/cli.js";
import { localKeyPath } from "../src/localkey.js";
import { openStore } from "../src/store/sqlite.js";
import { ensureTeam, ensureUser } from "../src/seed.js";
import { gql, metric, postEvents, tempDir, until } from "./helpers.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** `tripwire-server` in-process until the test stops it; what it printed on stdout. */
async function serve(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const stop = new AbortController();
  const exited = runServerCli(argv, { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } }, stop.signal);
  const line = await until(() => (out.join("").includes("\n") ? out.join("") : undefined), 10_000, "the printed line");
  const stopped = async () => {
    stop.abort();
    expect(await exited).toBe(0);
  };
  return { line, stderr: () => err.join(""), stop: stopped };
}

const LINE = /^WANDB_API_KEY=([0-9a-f]{40}) WANDB_BASE_URL=(http:\/\/127\.0\.0\.1:\d+)\n$/;

describe("a key on first start", () => {
  it("creates the local admin's key once, keeps it 0600 beside the database, and prints the same pasteable line every start", async () => {
    const t = tempDir();
    closers.push(t.cleanup);
    const db = join(t.dir, "local.db");
    // What `tripwire apply` on the embedded default leaves: the local user (no key) and the team it created.
    const before = openStore(db);
    ensureUser(before, "local", { admin: true });
    ensureTeam(before, "acme");
    before.close();

    const first = await serve(["--db", db, "--port", "0"]);
    const [, key, url] = LINE.exec(first.line) ?? [];
    expect(key).toBeDefined();
    expect(statSync(localKeyPath(db)).mode & 0o777).toBe(0o600);
    expect(readFileSync(localKeyPath(db), "utf8")).toBe(`${key}\n`);
    expect(first.stderr()).toContain(`"msg":"created an API key for the local admin"`);
    expect(first.stderr()).not.toContain(key as string);
    // The key works for GraphQL and ingestion, as the local admin who owns what the CLI created.
    const viewer = await gql(url as string, key, `{ viewer { username admin } entity(name: "acme") { name } }`);
    expect(viewer.body.data).toEqual({ viewer: { username: "local", admin: true }, entity: { name: "acme" } });
    expect((await postEvents(url as string, key as string, metric("r1", 0, { loss: 1 }, { entity: "acme" }))).status).toBe(200);
    await first.stop();

    const second = await serve(["--db", db, "--port", "0"]);
    expect(LINE.exec(second.line)?.[1]).toBe(key);
    expect(second.stderr()).not.toContain("created an API key");
    await second.stop();
  });

  it("a seeded database gets no key: its users have theirs, and nothing is printed", async () => {
    const t = tempDir();
    closers.push(t.cleanup);
    const db = join(t.dir, "seeded.db");
    const seed = join(t.dir, "seed.json");
    writeFileSync(seed, JSON.stringify({ users: [{ username: "alice", apiKeys: ["alice-key-0001"] }] }));
    for (const argv of [["--seed", seed], []]) {
      const out: string[] = [];
      const err: string[] = [];
      const stop = new AbortController();
      const exited = runServerCli(["--db", db, "--port", "0", ...argv], { stdout: { write: (x: string) => out.push(x) }, stderr: { write: (x: string) => err.push(x) } }, stop.signal);
      await until(() => (err.join("").includes(`"msg":"listening"`) ? true : undefined), 10_000, "listening");
      stop.abort();
      expect(await exited).toBe(0);
      expect(out.join("")).toBe("");
    }
    const store = openStore(db);
    expect(store.userByName("local")).toBeUndefined();
    store.close();
    expect(() => statSync(localKeyPath(db))).toThrow(/ENOENT/);
  });
});
