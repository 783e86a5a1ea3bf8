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

/** Appends every fragment the operation uses, transitively, in alphabetical order (as W&B's generated client does). */
function withFragments(operation: string): string {
  const needed = new Set<FragmentName>();
  const visit = (text: string) => {
    for (const m of text.matchAll(/\.\.\.(\w+)/g)) {
      const name = m[1] as FragmentName;
      if (name in FRAGMENTS && !needed.has(name)) {
        needed.add(name);
        visit(FRAGMENTS[name]);
      }
    }
  };
  visit(operation);
  return [operation, ...[...needed].sort().map((n) => FRAGMENTS[n])].join("\n\n");
}

export const SERVER_FEATURES = `query ServerFeaturesQuery { serverInfo { features { name isEnabled } } }`;

export const VIEWER = `query Viewer { viewer { id username entity { name } } }`;

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

export const ENTITY_AUTOMATIONS = withFragments(`query GetEntityAutomations($entity: String!, $cursor: String, $perPage: Int, $order: String, $filters: JSONString) {
  scope: entity(name: $entity) {
    triggers(after: $cursor, first: $perPage, order: $order, filters: $filters) {
      pageInfo { ...PageInfoFields }
      edges { node { ...TriggerFields } }
    }
  }
}`);

export const ENTITY_AUTOMATIONS_LEGACY = withFragments(`query GetEntityAutomationsLegacy($entity: String!, $cursor: String, $perPage: Int) {
  scope: entity(name: $entity) {
    projects(after: $cursor, first: $perPage) {
      pageInfo { ...PageInfoFields }
      edges { node { ...ProjectTriggersFields } }
    }
  }
}`);

export const CREATE_AUTOMATION = withFragments(`mutation CreateAutomation($input: CreateFilterTriggerInput!) {
  result: createFilterTrigger(input: $input) { trigger { ...TriggerFields } }
}`);

export const UPDATE_AUTOMATION = withFragments(`mutation UpdateAutomation($input: UpdateFilterTriggerInput!) {
  result: updateFilterTrigger(input: $input) { trigger { ...TriggerFields } }
}`);

export const DELETE_AUTOMATION = `mutation DeleteAutomation($id: ID!) { result: deleteTrigger(input: {triggerID: $id}) { success } }`;

export const CREATE_WEBHOOK_INTEGRATION = withFragments(`mutation CreateGenericWebhookIntegration($input: CreateGenericWebhookIntegrationInput!) {
  result: createGenericWebhookIntegration(input: $input) { integration { __typename ...WebhookIntegrationFields } }
}`);

export const UPSERT_PROJECT = `mutation UpsertModel($input: UpsertModelInput!) { upsertModel(input: $input) { model { id name entityName } inserted } }`;
