import { join } from "node:path";
import { decodeAutomation, type WireTrigger } from "@tripwire/sdk/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../src/server.js";
import {
  CreateAutomation,
  CreateGenericWebhookIntegration,
  DeleteAutomation,
  GetAutomationsLegacy,
  GetEntityAutomations,
  GetEntityAutomationsLegacy,
  GetOrgAutomations,
  IntegrationsByEntity,
  ServerFeaturesQuery,
  UpdateAutomation,
  withFragments,
} from "./documents.js";
import { gql, KEYS, SEED, tempDir } from "./helpers.js";

let server: RunningServer;
let cleanup: () => void;
let url: string;
const ids: Record<string, string> = {};

const RUN_FILTER_NONE = '{\\"$and\\":[]}';
const noop = { noOpActionInput: { noOp: true } };
const input = (over: Record<string, unknown>) => ({
  enabled: true,
  eventFilter: `{"run_filter":"${RUN_FILTER_NONE}","run_state_filter":{"states":["FAILED"]}}`,
  name: "x",
  scopeID: ids.project,
  scopeType: "PROJECT",
  triggeredActionConfig: noop,
  triggeredActionType: "NO_OP",
  triggeringEventType: "RUN_STATE",
  ...over,
});
const create = (key: string, over: Record<string, unknown>) => gql(url, key, CreateAutomation, { input: input(over) });

beforeAll(async () => {
  const t = tempDir();
  server = await startServer({ db: join(t.dir, "gql.db"), port: 0, seed: SEED, allowPrivate: ["127.0.0.1"] });
  url = server.url;
  cleanup = t.cleanup;
  const r = await gql(
    url,
    KEYS.bob,
    `{ project(name: "llm", entityName: "ml") { id dataset: artifactCollection(name: "dataset") { id __typename } }
       registry: project(name: "wandb-registry-model", entityName: "acme") { id model: artifactCollection(name: "llm-7b") { id __typename } }
       team: entity(name: "ml") { id entityType } org: organization(name: "acme-org") { id orgEntity { id name } }
       entity(name: "ml") { integrations { edges { node { __typename id } } } } }`,
  );
  expect(r.status).toBe(200);
  const d = r.body.data;
  expect(d.project.dataset.__typename).toBe("ArtifactSequence");
  expect(d.registry.model.__typename).toBe("ArtifactPortfolio");
  expect(d.team.entityType).toBe("team");
  Object.assign(ids, {
    project: d.project.id,
    dataset: d.project.dataset.id,
    registry: d.registry.id,
    model: d.registry.model.id,
    team: d.team.id,
    org: d.org.orgEntity.id,
    slack: d.entity.integrations.edges[0].node.id,
    webhook: d.entity.integrations.edges[1].node.id,
  });
  // Registry and organization automations use the organization's own integrations (alice administers acme-org).
  const orgHook = await gql(url, KEYS.alice, CreateGenericWebhookIntegration, { input: { entityName: "acme", name: "org hook", urlEndpoint: "http://127.0.0.1:9/org-hook" } });
  expect(orgHook.body.errors).toBeUndefined();
  ids.orgWebhook = orgHook.body.data.result.integration.id;
});
afterAll(async () => {
  await server.close();
  cleanup();
});

describe("GraphQL over HTTP with W&B's documents", () => {
  it("reports the features it implements", async () => {
    const r = await gql(url, KEYS.bob, ServerFeaturesQuery);
    const on = r.body.data.serverInfo.features.filter((f: { isEnabled: boolean }) => f.isEnabled).map((f: { name: string }) => f.name);
    for (const f of ["AUTOMATION_SCOPE_ENTITY", "QUERY_AUTOMATIONS_ON_ENTITY", "AUTOMATIONS_ON_ORGANIZATION", "AUTOMATION_ACTION_NO_OP", "AUTOMATION_EVENT_RUN_METRIC_ZSCORE", "AUTOMATION_EVENT_UNLINK_ARTIFACT"]) {
      expect(on).toContain(f);
    }
    expect(on).not.toContain("AUTOMATION_ACTION_PUSH_NOTIFICATION");
  });

  it("creates W&B's worked examples in every scope and stores artifact filters wrapped", async () => {
    const examples = [
      // B1: threshold + Slack
      input({
        name: "loss-alert",
        description: "avg loss over 5 > 0.6",
        eventFilter: '{"run_filter":"{\\"$and\\":[{\\"display_name\\":{\\"$contains\\":\\"my-run\\"}}]}","run_metric_filter":{"threshold_filter":{"name":"loss","agg_op":"AVERAGE","window_size":5,"cmp_op":"$gt","threshold":0.6}},"metric_filter":null}',
        triggeredActionConfig: { notificationActionInput: { integrationID: ids.slack, message: "loss too high", severity: "WARN", title: "Loss alert" } },
        triggeredActionType: "NOTIFICATION",
        triggeringEventType: "RUN_METRIC",
      }),
      // B7: registry link + webhook
      input({
        name: "registry-link",
        eventFilter: '{"$or":[{"$and":[{"alias":{"$eq":"prod"}}]}]}',
        scopeID: ids.registry,
        triggeredActionConfig: { genericWebhookActionInput: { integrationID: ids.orgWebhook, requestPayload: '{"event_type":"${event_type}","alias":"${alias}"}' } },
        triggeredActionType: "GENERIC_WEBHOOK",
        triggeringEventType: "LINK_MODEL",
      }),
      // B8: registry collection alias
      input({ name: "alias-added", eventFilter: '{"$or":[{"$and":[{"alias":{"$regex":"^prod-.*"}}]}]}', scopeID: ids.model, scopeType: "ARTIFACT_COLLECTION", triggeringEventType: "ADD_ARTIFACT_ALIAS" }),
      // B9: new version on a project collection, disabled
      input({ name: "new-version", enabled: false, eventFilter: '{"$or":[{"$and":[]}]}', scopeID: ids.dataset, scopeType: "ARTIFACT_COLLECTION", triggeringEventType: "CREATE_ARTIFACT" }),
      // B11: org scope
      input({ name: "org-alias", eventFilter: '{"$or":[{"$and":[{"alias":{"$eq":"production"}}]}]}', scopeID: ids.org, scopeType: "ENTITY", triggeringEventType: "ADD_ARTIFACT_ALIAS" }),
      // B12: team scope
      input({
        name: "team-gpu",
        eventFilter: '{"run_filter":"{\\"$and\\":[{\\"$not\\":{\\"display_name\\":{\\"$eq\\":\\"debug\\"}}}]}","run_metric_filter":{"threshold_filter":{"name":"gpu","agg_op":null,"window_size":1,"cmp_op":"$lt","threshold":10}},"metric_filter":null}',
        scopeID: ids.team,
        scopeType: "ENTITY",
        triggeringEventType: "RUN_METRIC",
      }),
    ];
    for (const ex of examples) {
      // An organization-scoped automation sees every team's runs: only the organization's admins make one.
      const r = await gql(url, ex.scopeID === ids.org ? KEYS.alice : KEYS.bob, CreateAutomation, { input: ex });
      expect(r.body.errors, ex.name).toBeUndefined();
      expect(r.status).toBe(200);
      const t = r.body.data.result.trigger;
      expect(t).toMatchObject({ __typename: "Trigger", name: ex.name, enabled: ex.enabled, updatedAt: null });
      ids[ex.name] = t.id;
    }
    const saved = (await gql(url, KEYS.bob, `{ trigger(id: "${ids["registry-link"]}") { triggeringCondition { ... on FilterEventTriggeringCondition { filter } } } }`)).body.data;
    expect(JSON.parse(saved.trigger.triggeringCondition.filter)).toEqual({ filter: { $or: [{ $and: [{ alias: { $eq: "prod" } }] }] } });
  });

  it("returns scopes the SDK codec decodes, with parents named", async () => {
    const q = withFragments(`query($entity: String!) { entity(name: $entity) { triggers(first: 50) { edges { node { ...TriggerFields
      scope { ... on Project { entityName } ... on ArtifactSequence { project { name entityName } } ... on ArtifactPortfolio { project { name entityName } } } } } } } }`);
    const specs = new Map<string, unknown>();
    for (const entity of ["ml", "acme"]) {
      const r = await gql(url, KEYS.bob, q, { entity });
      for (const { node } of r.body.data.entity.triggers.edges as { node: WireTrigger }[]) {
        const d = decodeAutomation(node);
        expect(d.issues.filter((i) => i.severity === "error"), node.name).toEqual([]);
        specs.set(node.name, d.spec?.scope);
      }
    }
    expect(Object.fromEntries(specs)).toEqual({
      "loss-alert": { type: "project", entity: "ml", project: "llm" },
      "new-version": { type: "collection", parent: { type: "project", entity: "ml", project: "llm" }, collection: "dataset" },
      "team-gpu": { type: "team", team: "ml" },
      "registry-link": { type: "registry", org: "acme", registry: "model" },
      "alias-added": { type: "collection", parent: { type: "registry", org: "acme", registry: "model" }, collection: "llm-7b" },
      "org-alias": { type: "org", org: "acme" },
    });
  });

  it("pages an entity's automations with cursors, and filters by name", async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const r = await gql(url, KEYS.bob, GetEntityAutomations, { entity: "ml", perPage: 2, cursor, filters: null });
      const conn = r.body.data.scope.triggers;
      names.push(...conn.edges.map((e: { node: { name: string } }) => e.node.name));
      pages++;
      if (!conn.pageInfo.hasNextPage) break;
      cursor = conn.pageInfo.endCursor;
    }
    expect(pages).toBe(2);
    expect(names).toEqual(["loss-alert", "new-version", "team-gpu"]);
    const one = await gql(url, KEYS.bob, GetEntityAutomations, { entity: "ml", perPage: 50, filters: JSON.stringify({ name: "team-gpu" }) });
    expect(one.body.data.scope.triggers.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(["team-gpu"]);
  });

  it("lists an organization's automations, and the legacy per-project walks", async () => {
    const org = await gql(url, KEYS.bob, GetOrgAutomations, { org: "acme-org", perPage: 50 });
    expect(org.body.data.scope.triggers.edges.map((e: { node: { name: string } }) => e.node.name).sort()).toEqual(
      ["alias-added", "loss-alert", "new-version", "org-alias", "registry-link", "team-gpu"].sort(),
    );
    const legacy = await gql(url, KEYS.bob, GetEntityAutomationsLegacy, { entity: "ml", perPage: 1 });
    expect(legacy.body.data.scope.projects.pageInfo.hasNextPage).toBe(true);
    expect(legacy.body.data.scope.projects.edges[0].node.triggers.map((t: { name: string }) => t.name)).toEqual(["loss-alert", "new-version"]);
    const viewer = await gql(url, KEYS.bob, GetAutomationsLegacy, { perPage: 50 });
    const byProject = Object.fromEntries(
      viewer.body.data.scope.projects.edges.map((e: { node: { triggers: { name: string }[] } }, i: number) => [i, e.node.triggers.map((t) => t.name)]),
    );
    expect(Object.values(byProject).flat().sort()).toEqual(["alias-added", "loss-alert", "new-version", "registry-link"]);
  });

  it("updates with the whole definition (B13) and keeps the ID", async () => {
    const r = await gql(url, KEYS.bob, UpdateAutomation, {
      input: {
        enabled: false,
        eventFilter: '{"$or":[{"$and":[{"alias":{"$regex":"^prod-.*"}}]}]}',
        id: ids["alias-added"],
        name: "alias-added-renamed",
        scopeID: ids.model,
        scopeType: "ARTIFACT_COLLECTION",
        triggeredActionConfig: { genericWebhookActionInput: { integrationID: ids.orgWebhook, requestPayload: '{"v":"${artifact_version_string}"}' } },
        triggeredActionType: "GENERIC_WEBHOOK",
        triggeringEventType: "ADD_ARTIFACT_ALIAS",
      },
    });
    expect(r.body.errors).toBeUndefined();
    const t = r.body.data.result.trigger;
    expect(t).toMatchObject({ id: ids["alias-added"], name: "alias-added-renamed", enabled: false });
    expect(t.updatedAt).not.toBeNull();
    expect(t.action).toEqual({
      __typename: "GenericWebhookTriggeredAction",
      integration: { __typename: "GenericWebhookIntegration", id: ids.orgWebhook, name: "org hook", urlEndpoint: "http://127.0.0.1:9/org-hook" },
      requestPayload: '{"v":"${artifact_version_string}"}',
    });
    // A partial update is refused (W&B's SDK never sends one; W&B does not document what it does with one), and
    // changes nothing.
    const partial = await gql(url, KEYS.bob, UpdateAutomation, { input: { id: ids["alias-added"], enabled: true, eventFilter: '{"$or":[{"$and":[]}]}' } });
    expect(partial.status).toBe(400);
    expect(partial.body.errors?.[0]?.message).toBe(
      "updateFilterTrigger needs the whole definition, as W&B's SDK sends it: name, scopeType, scopeID, triggeringEventType, triggeredActionType, triggeredActionConfig are missing",
    );
    const after = await gql(url, KEYS.bob, `query($id: ID!) { trigger(id: $id) { name enabled triggeringCondition { ... on FilterEventTriggeringCondition { filter } } } }`, { id: ids["alias-added"] });
    expect(after.body.data.trigger).toMatchObject({ name: "alias-added-renamed", enabled: false });
    expect(JSON.parse(after.body.data.trigger.triggeringCondition.filter)).toEqual({ filter: { $or: [{ $and: [{ alias: { $regex: "^prod-.*" } }] }] } });
  });

  it("refuses what W&B refuses", async () => {
    const dup = await create(KEYS.alice, { name: "loss-alert" });
    expect(dup.status).toBe(409);
    expect(dup.body.errors?.[0]?.message).toMatch(/already exists/);
    // The same name in another scope is fine.
    expect((await create(KEYS.bob, { name: "loss-alert", scopeID: ids.team, scopeType: "ENTITY" })).status).toBe(200);

    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ["new version on a project", { triggeringEventType: "CREATE_ARTIFACT", eventFilter: '{"$or":[{"$and":[]}]}' }, /collection/],
      ["run event on a collection", { scopeID: ids.dataset, scopeType: "ARTIFACT_COLLECTION" }, /run events/],
      ["legacy event", { triggeringEventType: "UPDATE_ARTIFACT_ALIAS", eventFilter: '{"$or":[{"$and":[]}]}' }, /legacy/],
      ["legacy action", { triggeredActionType: "QUEUE_JOB", triggeredActionConfig: { queueJobActionInput: { queueID: "UnVuUXVldWU6MQ==", template: "{}" } } }, /legacy/],
      ["filter that is not JSON", { eventFilter: "{not json" }, /not valid JSON/],
      ["filter that cannot be decoded", { triggeringEventType: "RUN_METRIC", eventFilter: '{"run_filter":"{}","run_metric_filter":{},"metric_filter":null}' }, /invalid automation/],
      ["webhook action with a Slack integration", { triggeredActionType: "GENERIC_WEBHOOK", triggeredActionConfig: { genericWebhookActionInput: { integrationID: ids.slack } } }, /generic webhook/],
      ["config not matching the action type", { triggeredActionConfig: { notificationActionInput: { integrationID: ids.slack } } }, /does not match/],
      ["empty name", { name: "" }, /name/],
      ["name over 255", { name: "a".repeat(256) }, /255/],
    ];
    for (const [what, over, message] of refusals) {
      const r = await create(KEYS.bob, { name: `refused-${what.length}`, ...over });
      expect(r.status, what).toBe(400);
      expect(r.body.errors?.[0]?.message, what).toMatch(message);
      expect(r.body.data?.result ?? null, what).toBeNull();
    }
    const personal = (await gql(url, KEYS.bob, `{ entity(name: "bob") { id entityType } }`)).body.data.entity;
    expect(personal.entityType).toBe("personal");
    expect((await create(KEYS.bob, { name: "mine", scopeID: personal.id, scopeType: "ENTITY" })).status).toBe(400);
  });

  it("deletes, and deleting or updating a missing automation is an error", async () => {
    const r = await create(KEYS.bob, { name: "short-lived" });
    const id = r.body.data.result.trigger.id;
    expect((await gql(url, KEYS.bob, DeleteAutomation, { id })).body).toEqual({ data: { result: { success: true } } });
    const again = await gql(url, KEYS.bob, DeleteAutomation, { id });
    expect(again.status).toBe(404);
    // W&B's `deleteTrigger` is non-null: its error nulls the whole answer, as on W&B.
    expect(again.body.data).toBeNull();
    expect((await gql(url, KEYS.bob, DeleteAutomation, { id: "not-an-id" })).status).toBe(404);
    expect((await gql(url, KEYS.bob, UpdateAutomation, { input: { id, enabled: false } })).status).toBe(404);
  });
});

describe("auth", () => {
  it("answers 401 without a valid API key", async () => {
    for (const key of [undefined, "wrong-key-999"]) {
      const r = await gql(url, key, ServerFeaturesQuery);
      expect(r.status).toBe(401);
      expect(r.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      expect(r.body.data).toBeUndefined();
    }
    const res = await fetch(`${url}/api/v1/executions`);
    expect(res.status).toBe(401);
  });

  it("keeps other teams' data invisible", async () => {
    const look = await gql(
      url,
      KEYS.carol,
      `{ entity(name: "ml") { id } project(name: "llm", entityName: "ml") { id } organization(name: "acme-org") { id }
         trigger(id: "${ids["loss-alert"]}") { id } artifactCollection(id: "${ids.dataset}") { id } }`,
    );
    expect(look.body.data).toEqual({ entity: null, project: null, organization: null, trigger: null, artifactCollection: null });
    const list = await gql(url, KEYS.carol, GetEntityAutomations, { entity: "ml" });
    expect(list.body.data.scope).toBeNull();
    const integrations = await gql(url, KEYS.carol, IntegrationsByEntity, { entity: "ml" });
    expect(integrations.body.data.entity).toBeNull();
    expect((await create(KEYS.carol, { name: "intrude" })).status).toBe(404);
    expect((await gql(url, KEYS.carol, DeleteAutomation, { id: ids["loss-alert"] })).status).toBe(404);
    expect((await gql(url, KEYS.carol, UpdateAutomation, { input: { id: ids["loss-alert"], enabled: false } })).status).toBe(404);
    const viewer = await gql(url, KEYS.carol, GetAutomationsLegacy, { perPage: 50 });
    expect(viewer.body.data.scope.projects.edges.map((e: { node: { triggers: unknown[] } }) => e.node.triggers).flat()).toEqual([]);
    // Carol's own team is hers alone; bob cannot see it either.
    expect((await gql(url, KEYS.bob, `{ entity(name: "rivals") { id } }`)).body.data.entity).toBeNull();
  });

  it("lets only admins create integrations and secrets, and never returns secret values", async () => {
    const hook = { entityName: "ml", name: "deploy hook", urlEndpoint: "http://127.0.0.1:9/deploy", secretRef: "HOOK_SECRET", accessTokenRef: "HOOK_TOKEN" };
    expect((await gql(url, KEYS.bob, CreateGenericWebhookIntegration, { input: hook })).status).toBe(403);
    const ok = await gql(url, KEYS.alice, CreateGenericWebhookIntegration, { input: hook });
    expect(ok.body).toMatchObject({ data: { result: { integration: { __typename: "GenericWebhookIntegration", name: "deploy hook", urlEndpoint: hook.urlEndpoint } } } });
    expect((await gql(url, KEYS.alice, CreateGenericWebhookIntegration, { input: hook })).status).toBe(409);
    expect((await gql(url, KEYS.alice, CreateGenericWebhookIntegration, { input: { ...hook, name: "bad", secretRef: "NOPE" } })).status).toBe(400);
    expect((await gql(url, KEYS.alice, CreateGenericWebhookIntegration, { input: { ...hook, name: "bad/name" } })).status).toBe(400);
    expect((await gql(url, KEYS.carol, CreateGenericWebhookIntegration, { input: { ...hook, name: "x" } })).status).toBe(404);

    const slack = `mutation($input: CreateSlackIntegrationInput!) { createSlackIntegration(input: $input) { integration { id channelName teamName } } }`;
    const slackInput = { entityName: "ml", channelName: "#deploys", teamName: "acme-slack", webhookUrl: "http://127.0.0.1:9/slack2" };
    expect((await gql(url, KEYS.bob, slack, { input: slackInput })).status).toBe(403);
    const s = await gql(url, KEYS.alice, slack, { input: slackInput });
    expect(s.body.data.createSlackIntegration.integration).toMatchObject({ channelName: "#deploys", teamName: "acme-slack" });

    const del = `mutation($id: ID!) { deleteIntegration(input: { id: $id }) { success } }`;
    expect((await gql(url, KEYS.alice, del, { id: ids.slack })).status).toBe(409); // used by loss-alert
    expect((await gql(url, KEYS.bob, del, { id: s.body.data.createSlackIntegration.integration.id })).status).toBe(403);
    expect((await gql(url, KEYS.alice, del, { id: s.body.data.createSlackIntegration.integration.id })).body.data.deleteIntegration.success).toBe(true);

    const insert = `mutation($input: InsertSecretInput!) { insertSecret(input: $input) { success } }`;
    expect((await gql(url, KEYS.bob, insert, { input: { entityName: "ml", secretName: "NEW_ONE", secretValue: "v-123" } })).status).toBe(403);
    expect((await gql(url, KEYS.alice, insert, { input: { entityName: "ml", secretName: "bad name", secretValue: "v" } })).status).toBe(400);
    expect((await gql(url, KEYS.alice, insert, { input: { entityName: "ml", secretName: "NEW_ONE", secretValue: "v-123" } })).body.data.insertSecret.success).toBe(true);
    const listed = await gql(url, KEYS.bob, `{ entity(name: "ml") { secrets { name createdAt } } }`);
    expect(listed.body.data.entity.secrets.map((x: { name: string }) => x.name)).toEqual(["HOOK_SECRET", "HOOK_TOKEN", "NEW_ONE"]);
    expect(JSON.stringify(listed.body)).not.toContain("v-123");
    // No field of the schema can return a secret's value.
    const introspect = await gql(url, KEYS.root, `{ __type(name: "Secret") { fields { name } } }`);
    expect(introspect.body.data.__type.fields.map((f: { name: string }) => f.name)).toEqual(["name", "createdAt"]);
    const delSecret = `mutation($input: DeleteSecretInput!) { deleteSecret(input: $input) { success } }`;
    expect((await gql(url, KEYS.alice, delSecret, { input: { entityName: "ml", secretName: "NEW_ONE" } })).body.data.deleteSecret.success).toBe(true);
    expect((await gql(url, KEYS.alice, delSecret, { input: { entityName: "ml", secretName: "NEW_ONE" } })).status).toBe(404);
  });

  it("upserts projects (upsertModel) for members, registries only in an organization", async () => {
    const m = `mutation($input: UpsertModelInput!) { upsertModel(input: $input) { inserted project { id name entityName } } }`;
    const first = await gql(url, KEYS.bob, m, { input: { name: "new-proj", entityName: "ml", description: "d" } });
    expect(first.body.data.upsertModel).toMatchObject({ inserted: true, project: { name: "new-proj", entityName: "ml" } });
    expect((await gql(url, KEYS.bob, m, { input: { name: "new-proj", entityName: "ml" } })).body.data.upsertModel.inserted).toBe(false);
    expect((await gql(url, KEYS.bob, m, { input: { name: "wandb-registry-x", entityName: "ml" } })).status).toBe(400);
    expect((await gql(url, KEYS.alice, m, { input: { name: "wandb-registry-dataset", entityName: "acme" } })).body.data.upsertModel.inserted).toBe(true);
    expect((await gql(url, KEYS.carol, m, { input: { name: "p", entityName: "ml" } })).status).toBe(404);
  });
});
