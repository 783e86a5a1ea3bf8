// The GraphQL documents of W&B's Python SDK, verbatim from the spec (§C.2–C.4), each sent with the
// fragments it references appended, as the SDK does.

export const FRAGMENTS = {
  SlackIntegrationFields: `fragment SlackIntegrationFields on SlackIntegration { __typename id teamName channelName }`,
  WebhookIntegrationFields: `fragment WebhookIntegrationFields on GenericWebhookIntegration { __typename id name urlEndpoint }`,
  ProjectScopeFields: `fragment ProjectScopeFields on Project { __typename id name }`,
  ArtifactPortfolioScopeFields: `fragment ArtifactPortfolioScopeFields on ArtifactPortfolio { __typename id name }`,
  ArtifactSequenceScopeFields: `fragment ArtifactSequenceScopeFields on ArtifactSequence { __typename id name }`,
  EntityScopeFields: `fragment EntityScopeFields on Entity { __typename id name entityType }`,
  FilterEventFields: `fragment FilterEventFields on FilterEventTriggeringCondition { __typename eventType filter }`,
  QueueJobActionFields: `fragment QueueJobActionFields on QueueJobTriggeredAction { __typename queue { id name } template }`,
  NotificationActionFields: `fragment NotificationActionFields on NotificationTriggeredAction {
  __typename
  integration { ...SlackIntegrationFields }
  title
  message
  severity
}`,
  GenericWebhookActionFields: `fragment GenericWebhookActionFields on GenericWebhookTriggeredAction {
  __typename
  integration { ...WebhookIntegrationFields }
  requestPayload
}`,
  NoOpActionFields: `fragment NoOpActionFields on NoOpTriggeredAction {
  __typename
  noOp # GraphQL doesn't support empty objects, so this should be an ignored placeholder field
}`,
  TriggerFields: `fragment TriggerFields on Trigger {
  __typename
  id
  createdAt
  updatedAt
  name
  description
  enabled
  scope {
    ...ProjectScopeFields
    ...ArtifactPortfolioScopeFields
    ...ArtifactSequenceScopeFields
    ...EntityScopeFields
  }
  event: triggeringCondition { ...FilterEventFields }
  action: triggeredAction {
    ...QueueJobActionFields
    ...NotificationActionFields
    ...GenericWebhookActionFields
    ...NoOpActionFields
  }
}`,
  PageInfoFields: `fragment PageInfoFields on PageInfo { endCursor hasNextPage }`,
  ProjectTriggersFields: `fragment ProjectTriggersFields on Project { __typename triggers { ...TriggerFields } }`,
  AnyTriggerScopeFields: `fragment AnyTriggerScopeFields on TriggerScope { ...ProjectScopeFields ...ArtifactPortfolioScopeFields ...ArtifactSequenceScopeFields }`,
  AnyTriggerEventDetailsFields: `fragment AnyTriggerEventDetailsFields on TriggerEventDetails {
  ... on ArtifactEventDetails      { artifactMetadata artifactVersionIndex artifactCollectionName projectName entityName }
  ... on ArtifactAliasEventDetails { artifactMetadata artifactVersionIndex artifactCollectionName projectName entityName alias }
  ... on ArtifactTagEventDetails   { artifactMetadata artifactVersionIndex artifactCollectionName projectName entityName tag }
  ... on RunMetricEventDetails     { runName projectName entityName metricName metricValues }
  ... on RunStateEventDetails      { runName projectName entityName newRunState }
}`,
  AnyTriggerActionDetailsFields: `fragment AnyTriggerActionDetailsFields on TriggerActionDetails {
  ... on QueueJobActionArgs          { runSpec priority }
  ... on SlackNotificationActionArgs { integration { ...SlackIntegrationFields } title text severity titleURL }
  ... on GenericWebhookActionArgs    { integration { ...WebhookIntegrationFields } requestPayload }
  ... on NoOpActionArgs              { noOp }
}`,
  AnyTriggerResultDetailsFields: `fragment AnyTriggerResultDetailsFields on TriggerResultDetails {
  ... on DefaultTriggerResultDetails   { error { message } }
  ... on HttpTriggerResultDetails      { error { message } status statusCode body }
  ... on QueuedJobTriggerResultDetails { error { message } runQueueItemID }
}`,
  TriggerExecutionFields: `fragment TriggerExecutionFields on TriggerExecution {
  __typename
  id
  automationID: triggerID
  automationName: triggerName
  triggeredAt: createdAt
  state
  scope { ...AnyTriggerScopeFields }
  event  { eventType  data { ...AnyTriggerEventDetailsFields } }
  action { actionType data { ...AnyTriggerActionDetailsFields } }
  result { resultType data { ...AnyTriggerResultDetailsFields } }
}`,
} as const;

type FragmentName = keyof typeof FRAGMENTS;

/** Appends every fragment a document references (transitively), in alphabetical order like the SDK. */
export function withFragments(operation: string): string {
  const needed = new Set<FragmentName>();
  const visit = (text: string) => {
    for (const m of text.matchAll(/\.\.\.([A-Za-z]+)/g)) {
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

export const GetAutomationsLegacy = withFragments(`query GetAutomationsLegacy($cursor: String, $perPage: Int) {
  scope: viewer {
    projects(after: $cursor, first: $perPage) {
      pageInfo { ...PageInfoFields }
      edges { node { ...ProjectTriggersFields } }
    }
  }
}`);

export const GetEntityAutomationsLegacy = withFragments(`query GetEntityAutomationsLegacy($entity: String!, $cursor: String, $perPage: Int) {
  scope: entity(name: $entity) {
    projects(after: $cursor, first: $perPage) {
      pageInfo { ...PageInfoFields }
      edges { node { ...ProjectTriggersFields } }
    }
  }
}`);

export const GetEntityAutomations = withFragments(`query GetEntityAutomations($entity: String!, $cursor: String, $perPage: Int, $order: String, $filters: JSONString) {
  scope: entity(name: $entity) {
    triggers(after: $cursor, first: $perPage, order: $order, filters: $filters) {
      pageInfo { ...PageInfoFields }
      edges { node { ...TriggerFields } }
    }
  }
}`);

export const GetOrgAutomations = withFragments(`query GetOrgAutomations($org: String!, $cursor: String, $perPage: Int, $order: String, $filters: JSONString) {
  scope: organization(name: $org) {
    triggers(first: $perPage, after: $cursor, order: $order, filters: $filters) {
      pageInfo { ...PageInfoFields }
      edges { node { ...TriggerFields } }
    }
  }
}`);

export const IntegrationsByEntity = withFragments(`query IntegrationsByEntity($entity: String!, $cursor: String, $perPage: Int) {
  entity(name: $entity) {
    integrations(after: $cursor, first: $perPage) {
      pageInfo { ...PageInfoFields }
      edges { node { __typename ...SlackIntegrationFields ...WebhookIntegrationFields } }
    }
  }
}`);

export const ServerFeaturesQuery = `query ServerFeaturesQuery { serverInfo { features { name isEnabled } } }`;

export const GetAutomationHistory = withFragments(`query GetAutomationHistory($id: ID!, $cursor: String, $perPage: Int) {
  triggerExecutions(triggerID: $id, after: $cursor, first: $perPage) {
    totalCount  pageInfo { ...PageInfoFields }  edges { node { ...TriggerExecutionFields } }
  }
}`);

export const GetProjectAutomationHistory = withFragments(`query GetProjectAutomationHistory($project: String!, $entity: String!, $cursor: String, $perPage: Int, $projectOnly: Boolean = false) {
  scope: project(name: $project, entityName: $entity) {
    triggerExecutions(projectOnly: $projectOnly, after: $cursor, first: $perPage) {
      totalCount  pageInfo { ...PageInfoFields }  edges { node { ...TriggerExecutionFields } }
    }
  }
}`);

export const GetCollectionAutomationHistory = withFragments(`query GetCollectionAutomationHistory($id: ID!, $cursor: String, $perPage: Int) {
  scope: artifactCollection(id: $id) {
    triggerExecutions(after: $cursor, first: $perPage) {
      totalCount  pageInfo { ...PageInfoFields }  edges { node { ...TriggerExecutionFields } }
    }
  }
}`);

export const CreateAutomation = withFragments(`mutation CreateAutomation($input: CreateFilterTriggerInput!) {
  result: createFilterTrigger(input: $input) { trigger { ...TriggerFields } }
}`);

export const UpdateAutomation = withFragments(`mutation UpdateAutomation($input: UpdateFilterTriggerInput!) {
  result: updateFilterTrigger(input: $input) { trigger { ...TriggerFields } }
}`);

export const DeleteAutomation = `mutation DeleteAutomation($id: ID!) {
  result: deleteTrigger(input: {triggerID: $id}) { success }
}`;

export const CreateGenericWebhookIntegration = withFragments(`mutation CreateGenericWebhookIntegration($input: CreateGenericWebhookIntegrationInput!) {
  result: createGenericWebhookIntegration(input: $input) { integration { __typename ...WebhookIntegrationFields } }
}`);
