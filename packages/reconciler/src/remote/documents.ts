/**
 * The GraphQL documents Tripwire sends: W&B's own (spec §C, as its Python SDK sends them), with two additions
 * so a saved automation names its scope fully: `Project.entityName`, and a collection's `project`.
 */
const FRAGMENTS = {
  SlackIntegrationFields: `fragment SlackIntegrationFields on SlackIntegration { __typename id teamName channelName }`,
  WebhookIntegrationFields: `fragment WebhookIntegrationFields on GenericWebhookIntegration { __typename id name urlEndpoint }`,
  ProjectScopeFields: `fragment ProjectScopeFields on Project { __typename id name entityName }`,
  ArtifactPortfolioScopeFields: `fragment ArtifactPortfolioScopeFields on ArtifactPortfolio { __typename id name project { name entityName } }`,
  ArtifactSequenceScopeFields: `fragment ArtifactSequenceScopeFields on ArtifactSequence { __typename id name project { name entityName } }`,
  EntityScopeFields: `fragment EntityScopeFields on Entity { __typename id name entityType }`,
  FilterEventFields: `fragment FilterEventFields on FilterEventTriggeringCondition { __typename eventType filter }`,
  QueueJobActionFields: `fragment QueueJobActionFields on QueueJobTriggeredAction { __typename queue { id name } template }`,
  NotificationActionFields: `fragment NotificationActionFields on NotificationTriggeredAction { __typename integration { ...SlackIntegrationFields } title message severity }`,
  GenericWebhookActionFields: `fragment GenericWebhookActionFields on GenericWebhookTriggeredAction { __typename integration { ...WebhookIntegrationFields } requestPayload }`,
  NoOpActionFields: `fragment NoOpActionFields on NoOpTriggeredAction { __typename noOp }`,
  TriggerFields: `fragment TriggerFields on Trigger {
  __typename id createdAt updatedAt name description enabled
  scope { ...ProjectScopeFields ...ArtifactPortfolioScopeFields ...ArtifactSequenceScopeFields ...EntityScopeFields }
  event: triggeringCondition { ...FilterEventFields }
  action: triggeredAction { ...QueueJobActionFields ...NotificationActionFields ...GenericWebhookActionFields ...NoOpActionFields }
}`,
  PageInfoFields: `fragment PageInfoFields on PageInfo { endCursor hasNextPage }`,
  ProjectTriggersFields: `fragment ProjectTriggersFields on Project { __typename triggers { ...TriggerFields } }`,
} as const;

type FragmentName = keyof typeof FRAGMENTS;

/**
 * Appends every fragment the operation uses, transitively, in alphabetical order (as W&B's generated client does).
 * Fragments in `omit` are left out with every spread of them, as W&B's SDK strips fragments on types an older
 * server does not have (`omit_automation_fragments`): such a server refuses the whole document otherwise.
 */
function withFragments(operation: string, omit: ReadonlySet<string> = new Set()): string {
  const strip = (text: string) => (omit.size === 0 ? text : text.replace(/\s*\.\.\.(\w+)/g, (spread, name: string) => (omit.has(name) ? "" : spread)));
  const needed = new Set<FragmentName>();
  const visit = (text: string) => {
    for (const m of text.matchAll(/\.\.\.(\w+)/g)) {
      const name = m[1] as FragmentName;
      if (name in FRAGMENTS && !needed.has(name) && !omit.has(name)) {
        needed.add(name);
        visit(FRAGMENTS[name]);
      }
    }
  };
  visit(operation);
  return [strip(operation), ...[...needed].sort().map((n) => strip(FRAGMENTS[n]))].join("\n\n");
}

export const SERVER_FEATURES = `query ServerFeaturesQuery { serverInfo { features { name isEnabled } } }`;

/** W&B's `User.entity` is the name of the user's default entity (a String), as its `GetDefaultEntity` reads it. */
export const VIEWER = `query Viewer { viewer { id username entity } }`;

export const ENTITY = `query Entity($entity: String!) { entity(name: $entity) { id name entityType } }`;

export const PROJECT = `query Project($entity: String!, $project: String!) { project(name: $project, entityName: $entity) { id name entityName } }`;

export const COLLECTION = `query ArtifactCollection($entity: String!, $project: String!, $collection: String!) {
  project(name: $project, entityName: $entity) { id artifactCollection(name: $collection) { __typename id name } }
}`;

export const COLLECTIONS = withFragments(`query ArtifactCollections($entity: String!, $project: String!, $cursor: String, $perPage: Int) {
  project(name: $project, entityName: $entity) {
    id
    artifactCollections(after: $cursor, first: $perPage) {
      pageInfo { ...PageInfoFields }
      edges { node { __typename id name } }
    }
  }
}`);

export const INTEGRATIONS = withFragments(`query IntegrationsByEntity($entity: String!, $cursor: String, $perPage: Int) {
  entity(name: $entity) {
    integrations(after: $cursor, first: $perPage) {
      pageInfo { ...PageInfoFields }
      edges { node { __typename ...SlackIntegrationFields ...WebhookIntegrationFields } }
    }
  }
}`);

const ENTITY_AUTOMATIONS_OP = `query GetEntityAutomations($entity: String!, $cursor: String, $perPage: Int, $order: String, $filters: JSONString) {
  scope: entity(name: $entity) {
    triggers(after: $cursor, first: $perPage, order: $order, filters: $filters) {
      pageInfo { ...PageInfoFields }
      edges { node { ...TriggerFields } }
    }
  }
}`;
export const ENTITY_AUTOMATIONS = withFragments(ENTITY_AUTOMATIONS_OP);

const ENTITY_AUTOMATIONS_LEGACY_OP = `query GetEntityAutomationsLegacy($entity: String!, $cursor: String, $perPage: Int) {
  scope: entity(name: $entity) {
    projects(after: $cursor, first: $perPage) {
      pageInfo { ...PageInfoFields }
      edges { node { ...ProjectTriggersFields } }
    }
  }
}`;
export const ENTITY_AUTOMATIONS_LEGACY = withFragments(ENTITY_AUTOMATIONS_LEGACY_OP);

const CREATE_AUTOMATION_OP = `mutation CreateAutomation($input: CreateFilterTriggerInput!) {
  result: createFilterTrigger(input: $input) { trigger { ...TriggerFields } }
}`;
export const CREATE_AUTOMATION = withFragments(CREATE_AUTOMATION_OP);

const UPDATE_AUTOMATION_OP = `mutation UpdateAutomation($input: UpdateFilterTriggerInput!) {
  result: updateFilterTrigger(input: $input) { trigger { ...TriggerFields } }
}`;
export const UPDATE_AUTOMATION = withFragments(UPDATE_AUTOMATION_OP);

export const DELETE_AUTOMATION = `mutation DeleteAutomation($id: ID!) { result: deleteTrigger(input: {triggerID: $id}) { success } }`;

/** The documents that read or write automations, as sent to one server. */
export interface AutomationDocuments {
  readonly ENTITY_AUTOMATIONS: string;
  readonly ENTITY_AUTOMATIONS_LEGACY: string;
  readonly CREATE_AUTOMATION: string;
  readonly UPDATE_AUTOMATION: string;
}

/**
 * The automation documents for a server, without the fragments on types it lacks: `EntityScopeFields` when it has
 * no entity scope, `NoOpActionFields` when it has no no-op action. `has` answers whether it has a feature.
 */
export function automationDocuments(has: (feature: string) => boolean): AutomationDocuments {
  const omit = new Set<string>();
  if (!has("AUTOMATION_SCOPE_ENTITY")) omit.add("EntityScopeFields");
  if (!has("AUTOMATION_ACTION_NO_OP")) omit.add("NoOpActionFields");
  if (omit.size === 0) return { ENTITY_AUTOMATIONS, ENTITY_AUTOMATIONS_LEGACY, CREATE_AUTOMATION, UPDATE_AUTOMATION };
  return {
    ENTITY_AUTOMATIONS: withFragments(ENTITY_AUTOMATIONS_OP, omit),
    ENTITY_AUTOMATIONS_LEGACY: withFragments(ENTITY_AUTOMATIONS_LEGACY_OP, omit),
    CREATE_AUTOMATION: withFragments(CREATE_AUTOMATION_OP, omit),
    UPDATE_AUTOMATION: withFragments(UPDATE_AUTOMATION_OP, omit),
  };
}
