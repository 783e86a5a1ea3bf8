// Issue 10, item 5: team boundaries hold for automations, not only for direct reads and writes.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Seed } from "../../src/seed.js";
import { startServer, type RunningServer } from "../../src/server.js";
import { CreateAutomation, UpdateAutomation } from "../documents.js";
import { gql, metric, postEvents, SEED, tempDir } from "../helpers.js";

// dave is a member of both ml (in acme-org) and rivals; erin administers another team of acme-org.
const KEYS = { alice: "alice-key-0001", bob: "bob-key-00002", carol: "carol-key-003", dave: "dave-key-0005", erin: "erin-key-0006" } as const;
const seed: Seed = {
  ...SEED,
  users: [...(SEED.users ?? []), { username: "dave", apiKeys: [KEYS.dave] }, { username: "erin", apiKeys: [KEYS.erin] }],
  teams: [
    { name: "ml", org: "acme-org", admins: ["alice"], members: ["bob", "dave"] },
    { name: "rivals", admins: ["carol"], members: ["dave"] },
    { name: "vision", org: "acme-org", admins: ["erin"] },
  ],
  projects: [...(SEED.projects ?? []), { entity: "vision", name: "cams" }],
};

let server: RunningServer;
let cleanup: () => void;
const ids: Record<string, string> = {};
beforeAll(async () => {
  const t = tempDir();
  server = await startServer({ db: join(t.dir, "b.db"), port: 0, seed });
  cleanup = t.cleanup;
  const d = (
    await gql(
      server.url,
      KEYS.dave,
      `{ rivals: project(name: "secret-project", entityName: "rivals") { id } llm: project(name: "llm", entityName: "ml") { id }
         registry: project(name: "wandb-registry-model", entityName: "acme") { id }
         org: organization(name: "acme-org") { orgEntity { id } }
         ml: entity(name: "ml") { integrations { edges { node { __typename id } } } } }`,
    )
  ).body.data;
  Object.assign(ids, {
    rivals: d.rivals.id,
    llm: d.llm.id,
    registry: d.registry.id,
    org: d.org.orgEntity.id,
    mlSlack: d.ml.integrations.edges.find((e: { node: { __typename: string } }) => e.node.__typename === "SlackIntegration").node.id,
    mlHook: d.ml.integrations.edges.find((e: { node: { __typename: string } }) => e.node.__typename === "GenericWebhookIntegration").node.id,
  });
});
afterAll(async () => {
  await server.close();
  cleanup();
});

const runState = (over: Record<string, unknown>) => ({
  input: {
    enabled: true,
    eventFilter: JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_state_filter: { states: ["FAILED"] } }),
    name: "x",
    scopeType: "PROJECT",
    triggeredActionConfig: { noOpActionInput: { noOp: true } },
    triggeredActionType: "NO_OP",
    triggeringEventType: "RUN_STATE",
    ...over,
  },
});
const hook = (integrationID: string) => ({ triggeredActionType: "GENERIC_WEBHOOK", triggeredActionConfig: { genericWebhookActionInput: { integrationID, requestPayload: '{"s":"${HOOK_SECRET}"}' } } });
const slack = (integrationID: string) => ({ triggeredActionType: "NOTIFICATION", triggeredActionConfig: { notificationActionInput: { integrationID, title: "t", message: "m", severity: "INFO" } } });

describe("item 5: an automation uses only its own entity's integrations", () => {
  it("a member of two teams cannot route team A's webhook (and its secrets) or Slack into team B's automation", async () => {
    const r = await gql(server.url, KEYS.dave, CreateAutomation, runState({ name: "steal", scopeID: ids.rivals, ...hook(ids.mlHook!) }));
    expect(r.status).toBe(403);
    expect(r.body.errors?.[0]).toMatchObject({
      message: `integration ${ids.mlHook} belongs to "ml"; an automation in "rivals" can use only "rivals"'s own integrations`,
      extensions: { code: "FORBIDDEN" },
    });
    expect((await gql(server.url, KEYS.dave, CreateAutomation, runState({ name: "steal-slack", scopeID: ids.rivals, ...slack(ids.mlSlack!) }))).status).toBe(403);
    // Nor by updating an automation of B that uses nothing yet.
    const plain = await gql(server.url, KEYS.dave, CreateAutomation, runState({ name: "plain", scopeID: ids.rivals }));
    expect(plain.body.errors).toBeUndefined();
    const up = await gql(server.url, KEYS.dave, UpdateAutomation, { input: { ...runState({ name: "plain", scopeID: ids.rivals, ...hook(ids.mlHook!) }).input, id: plain.body.data.result.trigger.id } });
    expect(up.status).toBe(403);
    // In team A itself the same integration is fine.
    expect((await gql(server.url, KEYS.dave, CreateAutomation, runState({ name: "own", scopeID: ids.llm, ...hook(ids.mlHook!) }))).body.errors).toBeUndefined();
  });

  it("a registry automation (the organization's entity) cannot use a team's integration", async () => {
    const r = await gql(server.url, KEYS.alice, CreateAutomation, {
      input: { ...runState({}).input, name: "reg", scopeID: ids.registry, eventFilter: '{"$or":[{"$and":[]}]}', triggeringEventType: "LINK_MODEL", ...hook(ids.mlHook!) },
    });
    expect(r.status).toBe(403);
    expect(r.body.errors?.[0]?.message).toMatch(/belongs to "ml"; an automation in "acme" can use only "acme"'s own integrations/);
  });
});

describe("item 5: organization-wide automations are for the organization's admins", () => {
  const orgScoped = (name: string) => runState({ name, scopeID: ids.org, scopeType: "ENTITY" });

  it("another team's admin cannot make one (it would receive ml's private run names); an org admin can", async () => {
    const r = await gql(server.url, KEYS.erin, CreateAutomation, orgScoped("spy"));
    expect(r.status).toBe(403);
    expect(r.body.errors?.[0]?.message).toBe('only admins of the organization "acme" can create or change an automation scoped to the whole organization');
    expect((await gql(server.url, KEYS.bob, CreateAutomation, orgScoped("spy2"))).status).toBe(403);
    const ok = await gql(server.url, KEYS.alice, CreateAutomation, orgScoped("audit"));
    expect(ok.body.errors).toBeUndefined();
    // Nor can a member change the org admin's one.
    expect((await gql(server.url, KEYS.erin, UpdateAutomation, { input: { ...orgScoped("audit").input, id: ok.body.data.result.trigger.id, enabled: false } })).status).toBe(403);
  });
});

describe("item 5: stored automations that cross a boundary (saved before the rules) are not run", () => {
  it("one using another team's integration, and an org-wide one whose creator is not an org admin, are skipped and flagged", async () => {
    const store = server.store;
    const rivals = store.entityByName("rivals")!;
    const project = store.projectByName(rivals.id, "secret-project")!;
    const mlHook = store.integrationById(Number(Buffer.from(ids.mlHook!, "base64").toString().split(":")[1]))!;
    const base = { description: null, enabled: true, eventType: "RUN_STATE", eventFilter: JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_state_filter: { states: ["FAILED"] } }) };
    store.createTrigger(
      { ...base, name: "old-steal", scopeType: "PROJECT", scopeId: project.id, entityId: rivals.id, projectId: project.id, actionType: "GENERIC_WEBHOOK", actionConfig: JSON.stringify({ integrationId: mlHook.id }), integrationId: mlHook.id },
      store.userByName("dave")!.id,
    );
    const acme = store.entityByName("acme")!;
    store.createTrigger(
      { ...base, name: "old-spy", scopeType: "ENTITY", scopeId: acme.id, entityId: acme.id, projectId: null, actionType: "NO_OP", actionConfig: JSON.stringify({ noOp: true }), integrationId: null },
      store.userByName("erin")!.id,
    );
    server.runtime.sync();
    expect(server.runtime.unloadableAutomations().map(({ name, reason }) => ({ name, reason }))).toEqual([
      { name: "old-steal", reason: 'it uses an integration of "ml", not of its own entity' },
      { name: "old-spy", reason: 'it is scoped to the organization "acme" but its creator "erin" is not one of its admins' },
    ]);
    // The org admin's own org-wide automation ("audit") still runs.
    expect(server.runtime.unloadableAutomations().map((u) => u.name)).not.toContain("audit");
  });
});

describe("item 5: ingestion does not create entities for their first sender", () => {
  it("an unknown entity is refused (404), not created, and its sender gets no role", async () => {
    const r = await postEvents(server.url, KEYS.bob, metric("r1", 1, { loss: 1 }, { entity: "squatted", project: "p" }));
    expect(r).toEqual({ status: 404, body: { error: 'entity "squatted" does not exist; events are accepted only for existing entities (create it in the seed, or send as an instance admin)' } });
    expect(server.store.entityByName("squatted")).toBeUndefined();
    expect((await gql(server.url, KEYS.bob, `{ entity(name: "squatted") { id } }`)).body.data.entity).toBeNull();
    // Existing entities keep working for their members, and refusing others (403).
    expect((await postEvents(server.url, KEYS.bob, metric("r1", 1, { loss: 1 }))).status).toBe(200);
    expect((await postEvents(server.url, KEYS.carol, metric("r1", 2, { loss: 1 }))).status).toBe(403);
  });
});
