import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdmin } from "../src/admin.js";
import { execute } from "../src/graphql/execute.js";
import { LOCAL_ADMIN } from "../src/localkey.js";
import { openStore, type SqliteStore } from "../src/store/sqlite.js";
import { tempDir } from "./helpers.js";

let store: SqliteStore;
let cleanup: () => void;
beforeEach(() => {
  const t = tempDir();
  store = openStore(join(t.dir, "admin.db"));
  cleanup = () => {
    store.close();
    t.cleanup();
  };
});
afterEach(() => cleanup());

const gql = async (query: string, user = LOCAL_ADMIN) => (await execute(store, { query }, { user })).body as { data?: Record<string, unknown>; errors?: { message: string }[] };

describe("admin API", () => {
  it("creates its owner as an instance admin, and makes the owner admin of the entities it creates", async () => {
    const admin = createAdmin(store, { owner: LOCAL_ADMIN });
    expect(store.userByName(LOCAL_ADMIN)?.admin).toBe(true);
    admin.ensureEntity("acme", "team");
    admin.ensureEntity("acme-org", "organization");
    const team = store.entityByName("acme");
    const org = store.entityByName("acme-org");
    expect([team?.type, org?.type]).toEqual(["team", "organization"]);
    const owner = store.userByName(LOCAL_ADMIN)!;
    expect(store.role(team!.id, owner.id)).toBe("admin");
    expect(store.role(org!.id, owner.id)).toBe("admin");
    // Idempotent: a second call changes nothing, and an owner demoted by hand stays demoted.
    store.setRole(team!.id, owner.id, "member");
    admin.ensureEntity("acme", "team");
    expect(store.allEntities().map((e) => e.name)).toEqual([LOCAL_ADMIN, "acme", "acme-org"]);
    expect(store.role(team!.id, owner.id)).toBe("member");
  });

  it("without an owner, creates entities nobody is a member of", () => {
    createAdmin(store).ensureEntity("acme", "team");
    expect(store.membersOf(store.entityByName("acme")!.id)).toEqual([]);
    expect(store.userByName(LOCAL_ADMIN)).toBeUndefined();
  });

  it("refuses a team whose name an organization holds, naming both", () => {
    const admin = createAdmin(store);
    admin.ensureEntity("acme", "organization");
    expect(() => admin.ensureEntity("acme", "team")).toThrow('entity "acme" exists and is a organization, not a team');
  });

  it("creates projects and collections by name; registry collections are portfolios", async () => {
    const admin = createAdmin(store, { owner: LOCAL_ADMIN });
    admin.ensureEntity("acme", "team");
    admin.ensureCollection("acme", "llm", "ckpt");
    admin.ensureCollection("acme", "wandb-registry-model", "llm-7b");
    admin.ensureProject("acme", "llm");
    const r = await gql(`{ project(name: "llm", entityName: "acme") { name } }`);
    expect(r).toEqual({ data: { project: { name: "llm" } } });
    const llm = store.projectByName(store.entityByName("acme")!.id, "llm")!;
    const registry = store.projectByName(store.entityByName("acme")!.id, "wandb-registry-model")!;
    expect(store.listCollections(llm.id, { after: 0, limit: 10 }).items.map((c) => [c.name, c.kind])).toEqual([["ckpt", "sequence"]]);
    expect(store.listCollections(registry.id, { after: 0, limit: 10 }).items.map((c) => [c.name, c.kind])).toEqual([["llm-7b", "portfolio"]]);
    expect(() => admin.ensureProject("nobody", "llm")).toThrow('entity "nobody" does not exist');
  });

  it("creates and updates integrations, and says whether each is as declared", () => {
    const admin = createAdmin(store);
    admin.ensureEntity("acme", "team");
    const hook = { kind: "webhook", entity: "acme", name: "ci", url: "https://ci.acme.dev/hook", secret: "SIGNING" } as const;
    const slack = { kind: "slack", entity: "acme", channelName: "alerts", webhookUrl: "https://hooks.slack.com/services/T/B/X" } as const;
    expect(admin.integrationInSync(hook)).toBe(false);
    admin.ensureIntegration(hook);
    admin.ensureIntegration(slack);
    expect([admin.integrationInSync(hook), admin.integrationInSync(slack)]).toEqual([true, true]);
    // Each field the declaration holds is compared.
    expect(admin.integrationInSync({ ...hook, url: "https://ci.acme.dev/other" })).toBe(false);
    expect(admin.integrationInSync({ ...hook, secret: undefined })).toBe(false);
    expect(admin.integrationInSync({ ...hook, accessToken: "TOKEN" })).toBe(false);
    expect(admin.integrationInSync({ ...hook, timeoutMs: 500 })).toBe(false);
    expect(admin.integrationInSync({ ...slack, teamName: "acme-slack" })).toBe(false);
    expect(admin.integrationInSync({ ...slack, entity: "nobody" })).toBe(false);
    // Updating keeps one row per name (webhook) or channel (Slack).
    admin.ensureIntegration({ ...hook, url: "https://ci.acme.dev/v2", timeoutMs: 500 });
    const rows = store.listIntegrations(store.entityByName("acme")!.id, { after: 0, limit: 10 }).items;
    expect(rows.map((r) => [r.kind, r.name ?? r.channelName, r.url, r.timeoutMs])).toEqual([
      ["webhook", "ci", "https://ci.acme.dev/v2", 500],
      ["slack", "alerts", "https://hooks.slack.com/services/T/B/X", null],
    ]);
    expect(admin.integrationInSync(hook)).toBe(false);
    expect(() => admin.ensureIntegration({ ...hook, entity: "nobody" })).toThrow("entity nobody does not exist in the local database");
  });

  it("sets secrets and compares their values without returning them", () => {
    const admin = createAdmin(store);
    admin.ensureEntity("acme", "team");
    expect(admin.secretInSync("acme", "TOKEN", "one")).toBe(false);
    admin.ensureSecret("acme", "TOKEN", "one");
    expect(admin.secretInSync("acme", "TOKEN", "one")).toBe(true);
    admin.ensureSecret("acme", "TOKEN", "two");
    expect([admin.secretInSync("acme", "TOKEN", "one"), admin.secretInSync("acme", "TOKEN", "two")]).toEqual([false, true]);
    expect(admin.secretInSync("nobody", "TOKEN", "two")).toBe(false);
    expect(() => admin.ensureSecret("nobody", "TOKEN", "x")).toThrow("entity nobody does not exist in the local database");
  });
});
