import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type SqliteStore } from "../src/store/sqlite.js";
import { seedStore, type Seed } from "../src/seed.js";

/** A fresh directory under the OS temp dir, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tripwire-server-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Two teams in one org plus a team outside it; alice administers ml, bob is a member, carol is elsewhere. */
export const SEED: Seed = {
  users: [
    { username: "alice", apiKeys: ["alice-key-0001"] },
    { username: "bob", apiKeys: ["bob-key-00002"] },
    { username: "carol", apiKeys: ["carol-key-003"] },
    { username: "root", admin: true, apiKeys: ["root-key-0004"] },
  ],
  orgs: [{ name: "acme-org", entity: "acme", admins: ["alice"] }],
  teams: [
    { name: "ml", org: "acme-org", admins: ["alice"], members: ["bob"] },
    { name: "rivals", admins: ["carol"] },
  ],
  projects: [
    { entity: "ml", name: "llm", collections: ["dataset", "ckpt"] },
    { entity: "ml", name: "vision" },
    { entity: "rivals", name: "secret-project" },
  ],
  registries: [{ org: "acme-org", name: "model", collections: ["llm-7b"] }],
  secrets: [
    { entity: "ml", name: "HOOK_SECRET", value: "s3cr3t-value" },
    { entity: "ml", name: "HOOK_TOKEN", value: "t0ken-value" },
  ],
  integrations: [
    { kind: "slack", entity: "ml", channelName: "#alerts", teamName: "acme-slack", webhookUrl: "http://127.0.0.1:9/slack" },
    { kind: "webhook", entity: "ml", name: "ci", url: "http://127.0.0.1:9/hook", secret: "HOOK_SECRET", accessToken: "HOOK_TOKEN" },
  ],
};

/** A seeded store in a temp directory. */
export function seededStore(seed: Seed = SEED): { store: SqliteStore; dir: string; cleanup: () => void } {
  const t = tempDir();
  const store = openStore(join(t.dir, "test.db"));
  seedStore(store, seed);
  return {
    store,
    dir: t.dir,
    cleanup: () => {
      store.close();
      t.cleanup();
    },
  };
}
