import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execute } from "../src/graphql/execute.js";
import { toGlobalId } from "../src/ids.js";
import type { SqliteStore } from "../src/store/sqlite.js";
import { CreateAutomation, DeleteAutomation, GetEntityAutomations, IntegrationsByEntity, ServerFeaturesQuery, UpdateAutomation } from "./documents.js";
import { seededStore } from "./helpers.js";

let store: SqliteStore;
let cleanup: () => void;
beforeEach(() => ({ store, cleanup } = seededStore()));
afterEach(() => cleanup());

const ids = async (user: string) => {
  const r = await execute(store, { query: `{ project(name: "llm", entityName: "ml") { id } }` }, { user });
  return { project: (r.body.data as { project: { id: string } }).project.id };
};

describe("in-process execution", () => {
  it("answers as HTTP would: 401 without a user, data and 200 with one", async () => {
    expect(await execute(store, { query: ServerFeaturesQuery }, { user: undefined })).toMatchObject({ status: 401 });
    const r = await execute(store, { query: ServerFeaturesQuery }, { user: "bob" });
    expect(r.status).toBe(200);
    const features = (r.body.data as { serverInfo: { features: { name: string; isEnabled: boolean }[] } }).serverInfo.features;
    expect(features).toContainEqual({ name: "AUTOMATION_SCOPE_ENTITY", isEnabled: true });
    expect(features).toContainEqual({ name: "AUTOMATION_ACTION_NO_OP", isEnabled: true });
  });

  it("creates, lists and deletes an automation with W&B's documents", async () => {
    const { project } = await ids("bob");
    const input = {
      enabled: true,
      eventFilter: '{"run_filter":"{\\"$and\\":[]}","run_metric_filter":{"threshold_filter":{"name":"acc","agg_op":null,"window_size":1,"cmp_op":"$gte","threshold":0.9}},"metric_filter":null}',
      name: "acc-hit",
      scopeID: project,
      scopeType: "PROJECT",
      triggeredActionConfig: { noOpActionInput: { noOp: true } },
      triggeredActionType: "NO_OP",
      triggeringEventType: "RUN_METRIC",
    };
    const created = await execute(store, { query: CreateAutomation, variables: { input } }, { user: "bob" });
    expect(created.status).toBe(200);
    const trigger = (created.body.data as { result: { trigger: { id: string; scope: unknown; event: unknown; action: unknown } } }).result.trigger;
    expect(trigger.scope).toEqual({ __typename: "Project", id: project, name: "llm" });
    expect(trigger.event).toEqual({ __typename: "FilterEventTriggeringCondition", eventType: "RUN_METRIC", filter: input.eventFilter });
    expect(trigger.action).toEqual({ __typename: "NoOpTriggeredAction", noOp: true });

    const dup = await execute(store, { query: CreateAutomation, variables: { input } }, { user: "alice" });
    expect(dup.status).toBe(409);

    const list = await execute(store, { query: GetEntityAutomations, variables: { entity: "ml", perPage: 50, cursor: null, filters: null } }, { user: "bob" });
    expect(list.body.data).toMatchObject({ scope: { triggers: { edges: [{ node: { id: trigger.id, name: "acc-hit" } }], pageInfo: { hasNextPage: false } } } });

    expect(await execute(store, { query: DeleteAutomation, variables: { id: trigger.id } }, { user: "bob" })).toMatchObject({ status: 200, body: { data: { result: { success: true } } } });
    expect((await execute(store, { query: DeleteAutomation, variables: { id: trigger.id } }, { user: "bob" })).status).toBe(404);
  });

  it("reads a stored legacy QUEUE_JOB action back as what it is, never as a no-op", async () => {
    const entity = store.entityByName("ml");
    const project = entity && store.projectByName(entity.id, "llm");
    if (!entity || !project) throw new Error("the seed has no ml/llm");
    const template = '{"args":["--lr","0.1"]}';
    store.createTrigger(
      {
        name: "launch-retrain",
        description: null,
        enabled: true,
        scopeType: "PROJECT",
        scopeId: project.id,
        entityId: entity.id,
        projectId: project.id,
        eventType: "RUN_STATE",
        eventFilter: '{"run_filter":"{\\"$and\\":[]}","run_state_filter":{"states":["FINISHED"]}}',
        actionType: "QUEUE_JOB",
        actionConfig: JSON.stringify({ queue: { id: "UnVuUXVldWU6MQ==", name: "gpu-queue" }, template }),
        integrationId: null,
      },
      null,
    );
    const list = await execute(store, { query: GetEntityAutomations, variables: { entity: "ml", perPage: 50, cursor: null, filters: null } }, { user: "bob" });
    const nodes = (list.body.data as { scope: { triggers: { edges: { node: { name: string; action: unknown } }[] } } }).scope.triggers.edges.map((e) => e.node);
    expect(nodes.find((n) => n.name === "launch-retrain")?.action).toEqual({
      __typename: "QueueJobTriggeredAction",
      queue: { id: "UnVuUXVldWU6MQ==", name: "gpu-queue" },
      template,
    });
  });

  it("keeps a filter it cannot model when an update leaves it as it is; refuses a new one", async () => {
    const entity = store.entityByName("ml");
    const project = entity && store.projectByName(entity.id, "llm");
    if (!entity || !project) throw new Error("the seed has no ml/llm");
    // Saved by W&B itself or an older client: a run filter on a config key, which Tripwire keeps verbatim.
    const eventFilter = JSON.stringify({ run_filter: JSON.stringify({ $and: [{ "config.lr": { $gt: 0.1 } }] }), run_state_filter: { states: ["FAILED"] } });
    const saved = store.createTrigger(
      {
        name: "big-lr",
        description: null,
        enabled: true,
        scopeType: "PROJECT",
        scopeId: project.id,
        entityId: entity.id,
        projectId: project.id,
        eventType: "RUN_STATE",
        eventFilter,
        actionType: "NO_OP",
        actionConfig: '{"noOp":true}',
        integrationId: null,
      },
      null,
    );
    const id = toGlobalId("Trigger", saved.id);
    // Every update carries the whole definition, as W&B's SDK sends it.
    const whole = { id, name: "big-lr", enabled: true, scopeType: "PROJECT", scopeID: toGlobalId("Project", project.id), triggeringEventType: "RUN_STATE", eventFilter, triggeredActionType: "NO_OP", triggeredActionConfig: { noOpActionInput: { noOp: true } } };
    const described = await execute(store, { query: UpdateAutomation, variables: { input: { ...whole, description: "adopted" } } }, { user: "bob" });
    expect(described.status).toBe(200);
    expect(store.triggerById(saved.id)).toMatchObject({ description: "adopted", eventFilter });
    const renamed = await execute(store, { query: UpdateAutomation, variables: { input: { ...whole, name: "big-lr-2" } } }, { user: "bob" });
    expect(renamed.status).toBe(200);
    expect(store.triggerById(saved.id)).toMatchObject({ name: "big-lr-2", description: "adopted", eventFilter });

    const other = JSON.stringify({ run_filter: JSON.stringify({ $and: [{ "config.lr": { $gt: 0.2 } }] }), run_state_filter: { states: ["FAILED"] } });
    const changed = await execute(store, { query: UpdateAutomation, variables: { input: { ...whole, eventFilter: other } } }, { user: "bob" });
    expect(changed.status).toBe(400);
    expect(JSON.stringify(changed.body)).toContain('filter condition kept verbatim: {\\"config.lr\\":{\\"$gt\\":0.2}}');
    expect(store.triggerById(saved.id)?.eventFilter).toBe(eventFilter);
  });

  it("lists Slack and webhook integrations in one connection", async () => {
    const r = await execute(store, { query: IntegrationsByEntity, variables: { entity: "ml", perPage: 50 } }, { user: "bob" });
    const nodes = (r.body.data as { entity: { integrations: { edges: { node: Record<string, unknown> }[] } } }).entity.integrations.edges.map((e) => e.node);
    expect(nodes).toEqual([
      { __typename: "SlackIntegration", id: "SW50ZWdyYXRpb246MQ==", teamName: "acme-slack", channelName: "#alerts" },
      { __typename: "GenericWebhookIntegration", id: "SW50ZWdyYXRpb246Mg==", name: "ci", urlEndpoint: "http://127.0.0.1:9/hook" },
    ]);
  });
});

describe("the embedded default (package exports)", () => {
  it("starts empty, creates what definitions reference, and applies automations in-process", async () => {
    const { openStore, ensureUser, ensureTeam, ensureOrg, ensureProject, ensureRegistry, ensureCollection, execute: run } = await import("../src/index.js");
    const { tempDir } = await import("./helpers.js");
    const { join } = await import("node:path");
    const t = tempDir();
    const local = openStore(join(t.dir, "local.db"));
    try {
      ensureUser(local, "local", { admin: true });
      ensureOrg(local, "acme");
      ensureTeam(local, "ml", "acme");
      const dataset = ensureCollection(local, ensureProject(local, "ml", "llm"), "dataset");
      const model = ensureCollection(local, ensureRegistry(local, "acme", "model"), "llm-7b");
      expect([dataset.kind, model.kind]).toEqual(["sequence", "portfolio"]);
      // Idempotent: a second apply finds everything in place.
      expect(ensureCollection(local, ensureProject(local, "ml", "llm"), "dataset").id).toBe(dataset.id);
      const ids = await run(local, { query: `{ project(name: "wandb-registry-model", entityName: "acme") { id artifactCollection(name: "llm-7b") { id } } }` }, { user: "local" });
      const registry = (ids.body.data as { project: { id: string; artifactCollection: { id: string } } }).project;
      const created = await run(
        local,
        {
          query: CreateAutomation,
          variables: {
            input: {
              enabled: true,
              eventFilter: '{"$or":[{"$and":[{"alias":{"$eq":"prod"}}]}]}',
              name: "registry-link",
              scopeID: registry.id,
              scopeType: "PROJECT",
              triggeredActionConfig: { noOpActionInput: { noOp: true } },
              triggeredActionType: "NO_OP",
              triggeringEventType: "LINK_MODEL",
            },
          },
        },
        { user: "local" },
      );
      expect(created.status).toBe(200);
      const listed = await run(local, { query: GetEntityAutomations, variables: { entity: "acme" } }, { user: "local" });
      expect((listed.body.data as { scope: { triggers: { edges: unknown[] } } }).scope.triggers.edges).toHaveLength(1);
    } finally {
      local.close();
      t.cleanup();
    }
  });
});
