// The server's schema against W&B's, for every operation W&B's own clients send for automations, integrations,
// projects and the viewer. The facts (which fields each operation selects, and each field's type and nullability)
// are read from W&B's generated client code: the pydantic models of `wandb/automations/_generated/`,
// `wandb/apis/_generated/` and `wandb/sdk/internal/_generated/`, and the Go models of wandb-core (`core/internal/gql`).
// The documents are written here from those facts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getNamedType, GraphQLNonNull, isListType, isNonNullType, isObjectType, NoUnusedFragmentsRule, parse, specifiedRules, validate, type GraphQLField, type GraphQLInputField, type GraphQLType } from "graphql";
import { createSchema } from "../src/graphql/schema.js";
import { execute } from "../src/graphql/execute.js";
import type { SqliteStore } from "../src/store/sqlite.js";
import { seededStore } from "./helpers.js";

const TRIGGER_FRAGMENTS = `
fragment SlackIntegrationFields on SlackIntegration { __typename id teamName channelName }
fragment WebhookIntegrationFields on GenericWebhookIntegration { __typename id name urlEndpoint }
fragment ProjectScopeFields on Project { __typename id name }
fragment ArtifactPortfolioScopeFields on ArtifactPortfolio { __typename id name }
fragment ArtifactSequenceScopeFields on ArtifactSequence { __typename id name }
fragment EntityScopeFields on Entity { __typename id name entityType }
fragment FilterEventFields on FilterEventTriggeringCondition { __typename eventType filter }
fragment QueueJobActionFields on QueueJobTriggeredAction { __typename queue { id name } template }
fragment NotificationActionFields on NotificationTriggeredAction { __typename integration { ...SlackIntegrationFields } title message severity }
fragment GenericWebhookActionFields on GenericWebhookTriggeredAction { __typename integration { ...WebhookIntegrationFields } requestPayload }
fragment NoOpActionFields on NoOpTriggeredAction { __typename noOp }
fragment TriggerFields on Trigger {
  __typename id createdAt updatedAt name description enabled
  scope { ...ProjectScopeFields ...ArtifactPortfolioScopeFields ...ArtifactSequenceScopeFields ...EntityScopeFields }
  event: triggeringCondition { ...FilterEventFields }
  action: triggeredAction { ...QueueJobActionFields ...NotificationActionFields ...GenericWebhookActionFields ...NoOpActionFields }
}
fragment PageInfoFields on PageInfo { endCursor hasNextPage }
fragment ProjectTriggersFields on Project { __typename triggers { ...TriggerFields } }`;

const USER_FRAGMENTS = `
fragment ApiKeyFragment on ApiKey { id name description }
fragment UserFragment on User {
  id name username email admin flags entity deletedAt
  apiKeys { edges { node { ...ApiKeyFragment } } }
  teams { edges { node { name } } }
}`;

/** One document per operation W&B's clients send, with the fragments it uses. */
const OPERATIONS: Record<string, string> = {
  ServerFeaturesQuery: `query ServerFeaturesQuery { serverInfo { features { name isEnabled } } }`,
  Viewer: `query Viewer { viewer { id entity username email flags teams { edges { node { name } } } } }`,
  GetViewer: `query GetViewer { viewer { ...UserFragment } } ${USER_FRAGMENTS}`,
  GetDefaultEntity: `query GetDefaultEntity { viewer { id entity } }`,
  GetProject: `query GetProject($name: String!, $entity: String!) { project(name: $name, entityName: $entity) { ...ProjectFragment } }
    fragment ProjectFragment on Project { __typename id name entityName createdAt isBenchmark user { ...UserFragment } } ${USER_FRAGMENTS}`,
  IsProjectReadOnly: `query IsProjectReadOnly($entity: String!, $project: String!) { project(entityName: $entity, name: $project) { readOnly } }`,
  CreateProject: `mutation CreateProject($input: UpsertModelInput!) {
    result: upsertModel(input: $input) { project { ...CreatedProjectFragment } model { ...CreatedProjectFragment } inserted }
  }
  fragment CreatedProjectFragment on Project { id name entityName description access views }`,
  GetTeamEntity: `query GetTeamEntity($name: String!) {
    entity(name: $name) {
      id name available photoUrl readOnly readOnlyAdmin isTeam entityType privateOnly storageBytes codeSavingEnabled defaultAccess isPaid
      members { id admin pending email username name photoUrl accountType apiKey }
    }
  }`,
  GetAutomationsLegacy: `query GetAutomationsLegacy($cursor: String, $perPage: Int) {
    scope: viewer { projects(after: $cursor, first: $perPage) { pageInfo { ...PageInfoFields } edges { node { ...ProjectTriggersFields } } } }
  } ${TRIGGER_FRAGMENTS}`,
  GetEntityAutomationsLegacy: `query GetEntityAutomationsLegacy($entity: String!, $cursor: String, $perPage: Int) {
    scope: entity(name: $entity) { projects(after: $cursor, first: $perPage) { pageInfo { ...PageInfoFields } edges { node { ...ProjectTriggersFields } } } }
  } ${TRIGGER_FRAGMENTS}`,
  GetEntityAutomations: `query GetEntityAutomations($entity: String!, $cursor: String, $perPage: Int, $order: String, $filters: JSONString) {
    scope: entity(name: $entity) { triggers(after: $cursor, first: $perPage, order: $order, filters: $filters) { pageInfo { ...PageInfoFields } edges { node { ...TriggerFields } } } }
  } ${TRIGGER_FRAGMENTS}`,
  GetOrgAutomations: `query GetOrgAutomations($org: String!, $cursor: String, $perPage: Int, $order: String, $filters: JSONString) {
    scope: organization(name: $org) { triggers(first: $perPage, after: $cursor, order: $order, filters: $filters) { pageInfo { ...PageInfoFields } edges { node { ...TriggerFields } } } }
  } ${TRIGGER_FRAGMENTS}`,
  CreateAutomation: `mutation CreateAutomation($input: CreateFilterTriggerInput!) { result: createFilterTrigger(input: $input) { trigger { ...TriggerFields } } } ${TRIGGER_FRAGMENTS}`,
  UpdateAutomation: `mutation UpdateAutomation($input: UpdateFilterTriggerInput!) { result: updateFilterTrigger(input: $input) { trigger { ...TriggerFields } } } ${TRIGGER_FRAGMENTS}`,
  DeleteAutomation: `mutation DeleteAutomation($id: ID!) { result: deleteTrigger(input: { triggerID: $id }) { success } }`,
  IntegrationsByEntity: `query IntegrationsByEntity($entity: String!, $cursor: String, $perPage: Int) {
    entity(name: $entity) { integrations(after: $cursor, first: $perPage) { pageInfo { ...PageInfoFields } edges { node { ...SlackIntegrationFields ...WebhookIntegrationFields } } } }
  } ${TRIGGER_FRAGMENTS}`,
  CreateGenericWebhookIntegration: `mutation CreateGenericWebhookIntegration($input: CreateGenericWebhookIntegrationInput!) {
    result: createGenericWebhookIntegration(input: $input) { integration { ...WebhookIntegrationFields } }
  } ${TRIGGER_FRAGMENTS}`,
  // An older `wandb` SDK passes each field as its own variable, with W&B's scalar types.
  CreateAutomationOlderSdk: `mutation CreateAutomation($name: String!, $description: String, $triggeringEventType: EventTriggeringConditionType!, $scopeType: TriggerScopeType!,
    $scopeID: ID!, $eventFilter: JSONString!, $triggeredActionType: TriggeredActionType!, $triggeredActionConfig: TriggeredActionConfig!, $enabled: Boolean!) {
    createFilterTrigger(input: { name: $name, description: $description, triggeringEventType: $triggeringEventType, scopeType: $scopeType, scopeID: $scopeID,
      eventFilter: $eventFilter, triggeredActionType: $triggeredActionType, triggeredActionConfig: $triggeredActionConfig, enabled: $enabled }) { trigger { id } }
  }`,
};

/**
 * Each selected field's type as W&B's generated models type it: the Python type (`str`, `bool`, `int`, a model or an
 * enum) and `?` when it is optional (nullable), `!` when it is required; `[x]` for a list. `str` stands for any
 * string scalar (String, ID, JSONString, DateTime), as W&B's models bind them all to `str`.
 */
const FIELDS: Record<string, string> = {
  "Query.serverInfo": "ServerInfo?",
  "ServerInfo.features": "[ServerFeature?]!",
  "ServerFeature.name": "str!",
  "ServerFeature.isEnabled": "bool!",
  "Query.viewer": "User?",
  "User.id": "ID!",
  "User.name": "str!",
  "User.username": "str?",
  "User.email": "str?",
  "User.admin": "bool?",
  "User.flags": "str?",
  "User.entity": "String?",
  "User.deletedAt": "str?",
  "User.apiKeys": "ApiKeyConnection?",
  "ApiKeyConnection.edges": "[ApiKeyEdge!]!",
  "ApiKeyEdge.node": "ApiKey?",
  "ApiKey.id": "ID!",
  "ApiKey.name": "str!",
  "ApiKey.description": "str?",
  "User.teams": "EntityConnection?",
  "EntityConnection.edges": "[EntityEdge!]!",
  "EntityEdge.node": "Entity?",
  "Query.project": "Project?",
  "Project.id": "ID!",
  "Project.name": "str!",
  "Project.entityName": "str!",
  "Project.createdAt": "str!",
  "Project.isBenchmark": "bool!",
  "Project.user": "User?",
  "Project.description": "str?",
  "Project.access": "str?",
  "Project.views": "str?",
  "Project.readOnly": "bool?",
  "Project.triggers": "[Trigger!]!",
  "UpsertModelPayload.project": "Project?",
  "UpsertModelPayload.model": "Project?",
  "UpsertModelPayload.inserted": "bool?",
  "Query.entity": "Entity?",
  "Entity.id": "ID!",
  "Entity.name": "str!",
  "Entity.available": "bool?",
  "Entity.photoUrl": "str?",
  "Entity.readOnly": "bool?",
  "Entity.readOnlyAdmin": "bool!",
  "Entity.isTeam": "bool!",
  "Entity.entityType": "str?",
  "Entity.privateOnly": "bool!",
  "Entity.storageBytes": "int!",
  "Entity.codeSavingEnabled": "bool!",
  "Entity.defaultAccess": "str!",
  "Entity.isPaid": "bool?",
  "Entity.members": "[Member!]!",
  "Member.id": "str?",
  "Member.admin": "bool?",
  "Member.pending": "bool?",
  "Member.email": "str?",
  "Member.username": "str?",
  "Member.name": "str!",
  "Member.photoUrl": "str?",
  "Member.accountType": "str?",
  "Member.apiKey": "str?",
  "Entity.projects": "ProjectConnection?",
  "ProjectConnection.pageInfo": "PageInfo!",
  "ProjectConnection.edges": "[ProjectEdge!]!",
  "ProjectEdge.node": "Project?",
  "Entity.triggers": "TriggerConnection!",
  "Query.organization": "Organization?",
  "Organization.triggers": "TriggerConnection!",
  "TriggerConnection.totalCount": "int!",
  "TriggerConnection.pageInfo": "PageInfo!",
  "TriggerConnection.edges": "[TriggerEdge!]!",
  "TriggerEdge.node": "Trigger!",
  "PageInfo.endCursor": "str?",
  "PageInfo.hasNextPage": "bool!",
  "Entity.integrations": "IntegrationConnection?",
  "IntegrationConnection.pageInfo": "PageInfo!",
  "IntegrationConnection.edges": "[IntegrationEdge!]!",
  "IntegrationEdge.node": "Integration?",
  "SlackIntegration.id": "ID!",
  "SlackIntegration.teamName": "str!",
  "SlackIntegration.channelName": "str!",
  "GenericWebhookIntegration.id": "ID!",
  "GenericWebhookIntegration.name": "str!",
  "GenericWebhookIntegration.urlEndpoint": "str!",
  "Trigger.id": "ID!",
  "Trigger.createdAt": "str!",
  "Trigger.updatedAt": "str?",
  "Trigger.name": "str!",
  "Trigger.description": "str?",
  "Trigger.enabled": "bool!",
  "Trigger.scope": "TriggerScope!",
  "Trigger.triggeringCondition": "TriggeringCondition!",
  "Trigger.triggeredAction": "TriggeredAction!",
  "ArtifactPortfolio.id": "ID!",
  "ArtifactPortfolio.name": "str!",
  "ArtifactSequence.id": "ID!",
  "ArtifactSequence.name": "str!",
  "FilterEventTriggeringCondition.eventType": "EventTriggeringConditionType!",
  "FilterEventTriggeringCondition.filter": "JSONString!",
  "QueueJobTriggeredAction.queue": "RunQueue?",
  "QueueJobTriggeredAction.template": "JSONString!",
  "RunQueue.id": "ID!",
  "RunQueue.name": "str!",
  "NotificationTriggeredAction.integration": "Integration!",
  "NotificationTriggeredAction.title": "str?",
  "NotificationTriggeredAction.message": "str?",
  "NotificationTriggeredAction.severity": "AlertSeverity?",
  "GenericWebhookTriggeredAction.integration": "Integration!",
  "GenericWebhookTriggeredAction.requestPayload": "JSONString?",
  "NoOpTriggeredAction.noOp": "bool?",
  "Mutation.createFilterTrigger": "CreateFilterTriggerPayload?",
  "CreateFilterTriggerPayload.trigger": "Trigger?",
  "Mutation.updateFilterTrigger": "UpdateFilterTriggerPayload?",
  "UpdateFilterTriggerPayload.trigger": "Trigger?",
  "Mutation.deleteTrigger": "DeleteTriggerPayload!",
  "DeleteTriggerPayload.success": "bool!",
  "Mutation.createGenericWebhookIntegration": "CreateGenericWebhookIntegrationPayload?",
  "CreateGenericWebhookIntegrationPayload.integration": "Integration!",
  "CreateFilterTriggerInput.eventFilter": "JSONString!",
  "UpdateFilterTriggerInput.eventFilter": "JSONString?",
};

const STRING_SCALARS = new Set(["String", "ID", "JSONString", "DateTime"]);

/** Whether a schema type matches a model type as written in {@link FIELDS}. */
function matches(type: GraphQLType, expected: string): boolean {
  const nonNull = expected.endsWith("!");
  if (isNonNullType(type) !== nonNull) return false;
  const inner = isNonNullType(type) ? type.ofType : type;
  const body = expected.slice(0, -1);
  if (body.startsWith("[")) return isListType(inner) && matches(inner.ofType, body.slice(1, -1));
  if (isListType(inner)) return false;
  const name = getNamedType(inner).name;
  if (body === "str") return STRING_SCALARS.has(name);
  if (body === "bool") return name === "Boolean";
  if (body === "int") return name === "Int" || name === "Int64";
  return name === body;
}

describe("the server's schema has what W&B's client selects, typed as W&B types it", () => {
  const schema = createSchema();

  // The shared fragment block is appended whole, as W&B's SDK appends its fragments; unused ones are not an error here.
  const rules = specifiedRules.filter((r) => r !== NoUnusedFragmentsRule);
  it.each(Object.keys(OPERATIONS))("%s validates", (name) => {
    expect(validate(schema, parse(OPERATIONS[name] as string), rules).map((e) => e.message)).toEqual([]);
  });

  it("types every field with W&B's type and nullability", () => {
    const wrong: string[] = [];
    for (const [path, expected] of Object.entries(FIELDS)) {
      const [typeName, fieldName] = path.split(".") as [string, string];
      const owner = schema.getType(typeName);
      const fields = owner && "getFields" in owner ? (owner.getFields() as Record<string, GraphQLField<unknown, unknown> | GraphQLInputField>) : {};
      const field = fields[fieldName];
      if (!field) wrong.push(`${path}: missing`);
      else if (!matches(field.type, expected)) wrong.push(`${path}: ${String(field.type)}, W&B's is ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

  it("fails a field typed differently (the check can tell)", () => {
    expect(matches(new GraphQLNonNull(schema.getType("String") as never), "str?")).toBe(false);
    const user = schema.getType("User");
    expect(isObjectType(user) && matches(user.getFields().entity!.type, "Entity?")).toBe(false);
  });
});

describe("W&B's client against the server", () => {
  let store: SqliteStore;
  let cleanup: () => void;
  beforeAll(() => ({ store, cleanup } = seededStore()));
  afterAll(() => cleanup());
  const run = async (name: string, variables: Record<string, unknown> = {}, user = "alice") => {
    const r = await execute(store, { query: OPERATIONS[name] as string, variables }, { user });
    expect(r.body.errors?.map((e) => e.message)).toBeUndefined();
    return r.body.data as any;
  };

  it("answers Viewer, GetViewer and GetDefaultEntity: the default entity is the user's own, by name", async () => {
    expect((await run("GetDefaultEntity")).viewer.entity).toBe("alice");
    const viewer = (await run("Viewer")).viewer;
    expect(viewer).toMatchObject({ entity: "alice", username: "alice", flags: "{}" });
    expect(viewer.teams.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(["ml"]);
    const full = (await run("GetViewer")).viewer;
    expect(full.deletedAt).toBeNull();
    // Only the key's hash is stored: its name is the hash's first 12 hex digits.
    expect(full.apiKeys.edges).toHaveLength(1);
    expect(full.apiKeys.edges[0].node.name).toMatch(/^[0-9a-f]{12}$/);
    expect(full.apiKeys.edges[0].node.name).not.toContain("alice-key");
  });

  it("counts an entity's automations over every page (TriggerConnection.totalCount)", async () => {
    const project = (await run("GetProject", { name: "llm", entity: "ml" })).project.id;
    const eventFilter = JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_state_filter: { states: ["FAILED"] } });
    for (const name of ["one", "two", "three"]) {
      const input = { name, enabled: true, scopeType: "PROJECT", scopeID: project, triggeringEventType: "RUN_STATE", eventFilter, triggeredActionType: "NO_OP", triggeredActionConfig: { noOpActionInput: { noOp: true } } };
      const created = await execute(store, { query: `mutation($input: CreateFilterTriggerInput!) { createFilterTrigger(input: $input) { trigger { id } } }`, variables: { input } }, { user: "alice" });
      expect(created.body.errors).toBeUndefined();
    }
    const r = await execute(store, { query: `{ entity(name: "ml") { triggers(first: 2) { totalCount edges { node { name } } } } }` }, { user: "alice" });
    expect(r.body.data).toEqual({ entity: { triggers: { totalCount: 3, edges: [{ node: { name: "one" } }, { node: { name: "two" } }] } } });
  });

  it("answers GetProject, GetTeamEntity and CreateProject", async () => {
    expect((await run("GetProject", { name: "llm", entity: "ml" })).project).toMatchObject({ __typename: "Project", name: "llm", entityName: "ml", isBenchmark: false, user: null });
    const team = (await run("GetTeamEntity", { name: "ml" })).entity;
    expect(team).toMatchObject({ name: "ml", isTeam: true, entityType: "team", readOnlyAdmin: false, privateOnly: false, codeSavingEnabled: false });
    expect(team.members.map((m: { username: string; admin: boolean }) => [m.username, m.admin])).toEqual([
      ["alice", true],
      ["bob", false],
    ]);
    const created = (await run("CreateProject", { input: { name: "fresh", entityName: "ml" } })).result;
    expect(created).toMatchObject({ inserted: true, project: { name: "fresh", entityName: "ml", access: null, views: null } });
  });
});
