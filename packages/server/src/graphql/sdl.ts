/**
 * The subset of W&B's GraphQL schema this server implements (spec §C): type, field and enum names as W&B
 * has them, so W&B's Python SDK documents and our reconciler's run unchanged against it.
 */
import { ARTIFACTS_SDL } from "./artifacts.js";
import { RUNS_SDL } from "./runs.js";

export const SDL = /* GraphQL */ `
scalar DateTime
scalar JSONString
scalar Int64

type Query {
  serverInfo: ServerInfo
  viewer: User
  entity(name: String): Entity
  project(name: String, entityName: String): Project
  organization(name: String): Organization
  artifactCollection(id: ID!): ArtifactCollection
  trigger(id: ID!): Trigger
  triggerExecutions(triggerID: ID!, first: Int, after: String): TriggerExecutionConnection
}

type Mutation {
  createFilterTrigger(input: CreateFilterTriggerInput!): CreateFilterTriggerPayload
  updateFilterTrigger(input: UpdateFilterTriggerInput!): UpdateFilterTriggerPayload
  deleteTrigger(input: DeleteTriggerInput!): DeleteTriggerPayload!
  createGenericWebhookIntegration(input: CreateGenericWebhookIntegrationInput!): CreateGenericWebhookIntegrationPayload
  createSlackIntegration(input: CreateSlackIntegrationInput!): CreateSlackIntegrationPayload
  deleteIntegration(input: DeleteIntegrationInput!): DeleteIntegrationPayload
  insertSecret(input: InsertSecretInput!): InsertSecretPayload
  deleteSecret(input: DeleteSecretInput!): DeleteSecretPayload
  upsertModel(input: UpsertModelInput!): UpsertModelPayload
}

type ServerInfo {
  features: [ServerFeature]!
}
type ServerFeature {
  name: String!
  isEnabled: Boolean!
}

type PageInfo {
  startCursor: String
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
}

"Types and nullability of every field W&B's clients select are W&B's own (its generated models)."
type User {
  id: ID!
  username: String
  name: String!
  email: String
  admin: Boolean
  "The user's default entity, by name (W&B's clients default to it when no entity is given)."
  entity: String
  flags: JSONString
  deletedAt: DateTime
  photoUrl: String
  accountType: String
  "Tripwire keeps only each key's SHA-256: a key's name is the first 12 hex digits of it."
  apiKeys: ApiKeyConnection
  teams(first: Int, after: String): EntityConnection
  projects(first: Int, after: String): ProjectConnection
}
type ApiKey {
  id: ID!
  name: String!
  description: String
}
type ApiKeyConnection {
  edges: [ApiKeyEdge!]!
}
type ApiKeyEdge {
  node: ApiKey
}
type Member {
  id: ID
  admin: Boolean
  pending: Boolean
  email: String
  username: String
  name: String!
  photoUrl: String
  accountType: String
  apiKey: String
}

type Entity {
  id: ID!
  name: String!
  entityType: String
  isTeam: Boolean!
  available: Boolean
  photoUrl: String
  readOnly: Boolean
  readOnlyAdmin: Boolean!
  privateOnly: Boolean!
  storageBytes: Int64!
  codeSavingEnabled: Boolean!
  defaultAccess: String!
  isPaid: Boolean
  members: [Member!]!
  organization: Organization
  integrations(first: Int, after: String): IntegrationConnection
  triggers(first: Int, after: String, order: String, filters: JSONString): TriggerConnection!
  projects(first: Int, after: String): ProjectConnection
  secrets: [Secret!]!
}
type EntityConnection {
  pageInfo: PageInfo!
  edges: [EntityEdge!]!
}
type EntityEdge {
  node: Entity
  cursor: String!
}

type Organization {
  id: ID!
  name: String!
  orgEntity: Entity
  teams: [Entity!]!
  triggers(first: Int, after: String, order: String, filters: JSONString): TriggerConnection!
}

type Secret {
  name: String!
  createdAt: DateTime!
}

type Project {
  id: ID!
  name: String!
  entityName: String!
  entity: Entity!
  description: String
  createdAt: DateTime!
  isBenchmark: Boolean!
  "Who created the project: not recorded by this server (null)."
  user: User
  access: String
  views: JSONString
  readOnly: Boolean
  "The project's numeric id, as text."
  internalId: ID!
  "Runs matching filters (W&B's MongoDB-style JSON: see runs.ts for the subset answered)."
  runCount(filters: JSONString): Int
  runs(filters: JSONString, after: String, first: Int, order: String): RunConnection
  run(name: String!): Run
  triggers: [Trigger!]!
  artifactCollection(name: String!): ArtifactCollection
  artifactCollections(first: Int, after: String): ArtifactCollectionConnection
  triggerExecutions(projectOnly: Boolean, first: Int, after: String): TriggerExecutionConnection
}
type ProjectConnection {
  pageInfo: PageInfo!
  edges: [ProjectEdge!]!
}
type ProjectEdge {
  node: Project
  cursor: String!
}

interface ArtifactCollection {
  id: ID!
  name: String!
  description: String
  createdAt: DateTime!
  project: Project
  triggerExecutions(first: Int, after: String): TriggerExecutionConnection
}
type ArtifactSequence implements ArtifactCollection {
  id: ID!
  name: String!
  description: String
  createdAt: DateTime!
  project: Project
  triggerExecutions(first: Int, after: String): TriggerExecutionConnection
}
type ArtifactPortfolio implements ArtifactCollection {
  id: ID!
  name: String!
  description: String
  createdAt: DateTime!
  project: Project
  triggerExecutions(first: Int, after: String): TriggerExecutionConnection
}
type ArtifactCollectionConnection {
  pageInfo: PageInfo!
  edges: [ArtifactCollectionEdge!]!
}
type ArtifactCollectionEdge {
  node: ArtifactCollection!
  cursor: String!
}

interface Integration {
  id: ID!
}
type SlackIntegration implements Integration {
  id: ID!
  teamName: String!
  channelName: String!
  createdAt: DateTime!
}
type GenericWebhookIntegration implements Integration {
  id: ID!
  name: String!
  urlEndpoint: String!
  secretRef: String
  accessTokenRef: String
  createdAt: DateTime!
}
type IntegrationConnection {
  pageInfo: PageInfo!
  edges: [IntegrationEdge!]!
}
type IntegrationEdge {
  node: Integration
  cursor: String!
}

enum TriggerScopeType {
  ARTIFACT_COLLECTION
  ENTITY
  PROJECT
}
enum EventTriggeringConditionType {
  ADD_ARTIFACT_ALIAS
  ADD_ARTIFACT_TAG
  ADD_COLLECTION_TAG
  CREATE_ARTIFACT
  LINK_MODEL
  REMOVE_ARTIFACT_TAG
  REMOVE_COLLECTION_TAG
  RUN_METRIC
  RUN_METRIC_CHANGE
  RUN_METRIC_ZSCORE
  RUN_STATE
  UNLINK_ARTIFACT
  UPDATE_ARTIFACT_ALIAS
  WEAVE_METRIC_THRESHOLD
}
enum TriggeredActionType {
  GENERIC_WEBHOOK
  NOTIFICATION
  NO_OP
  PUSH_NOTIFICATION
  QUEUE_JOB
}
enum AlertSeverity {
  ERROR
  INFO
  WARN
}

type Trigger {
  id: ID!
  createdAt: DateTime!
  updatedAt: DateTime
  name: String!
  description: String
  enabled: Boolean!
  scope: TriggerScope!
  triggeringCondition: TriggeringCondition!
  triggeredAction: TriggeredAction!
  createdBy: User
  lastExecutedAt: DateTime
}
type TriggerConnection {
  totalCount: Int!
  pageInfo: PageInfo!
  edges: [TriggerEdge!]!
}
type TriggerEdge {
  node: Trigger!
  cursor: String!
}
union TriggerScope = Project | ArtifactPortfolio | ArtifactSequence | Entity
union TriggeringCondition = FilterEventTriggeringCondition
type FilterEventTriggeringCondition {
  eventType: EventTriggeringConditionType!
  filter: JSONString!
}

union TriggeredAction = QueueJobTriggeredAction | NotificationTriggeredAction | GenericWebhookTriggeredAction | NoOpTriggeredAction | PushNotificationTriggeredAction
type RunQueue {
  id: ID!
  name: String!
}
type QueueJobTriggeredAction {
  queue: RunQueue
  template: JSONString!
}
type NotificationTriggeredAction {
  integration: Integration!
  title: String
  message: String
  severity: AlertSeverity
}
type GenericWebhookTriggeredAction {
  integration: Integration!
  requestPayload: JSONString
}
type NoOpTriggeredAction {
  noOp: Boolean
}
type PushNotificationTriggeredAction {
  title: String
  body: String
}

input TriggeredActionConfig {
  notificationActionInput: NotificationActionInput
  genericWebhookActionInput: GenericWebhookActionInput
  noOpActionInput: NoOpTriggeredActionInput
  queueJobActionInput: QueueJobActionInput
  pushNotificationActionInput: PushNotificationActionInput
}
input NotificationActionInput {
  integrationID: ID!
  title: String
  message: String
  severity: AlertSeverity
}
input GenericWebhookActionInput {
  integrationID: ID!
  requestPayload: String
}
input NoOpTriggeredActionInput {
  noOp: Boolean
}
input QueueJobActionInput {
  queueID: ID!
  template: String!
}
input PushNotificationActionInput {
  userID: ID!
  title: String
  body: String
}

input CreateFilterTriggerInput {
  clientMutationId: String
  name: String!
  description: String
  enabled: Boolean!
  scopeType: TriggerScopeType!
  scopeID: ID!
  triggeringEventType: EventTriggeringConditionType!
  eventFilter: JSONString!
  triggeredActionType: TriggeredActionType!
  triggeredActionConfig: TriggeredActionConfig!
}
type CreateFilterTriggerPayload {
  trigger: Trigger
  clientMutationId: String
}
input UpdateFilterTriggerInput {
  clientMutationId: String
  id: ID!
  name: String
  description: String
  enabled: Boolean
  scopeType: TriggerScopeType
  scopeID: ID
  triggeringEventType: EventTriggeringConditionType
  eventFilter: JSONString
  triggeredActionType: TriggeredActionType
  triggeredActionConfig: TriggeredActionConfig
}
type UpdateFilterTriggerPayload {
  trigger: Trigger
  clientMutationId: String
}
input DeleteTriggerInput {
  clientMutationId: String
  triggerID: ID!
}
type DeleteTriggerPayload {
  success: Boolean!
  clientMutationId: String
}

input CreateGenericWebhookIntegrationInput {
  clientMutationId: String
  entityName: String!
  name: String!
  urlEndpoint: String!
  secretRef: String
  accessTokenRef: String
}
type CreateGenericWebhookIntegrationPayload {
  integration: Integration!
  clientMutationId: String
}
"Tripwire's own: W&B creates Slack integrations through an OAuth flow; locally a Slack integration posts to an incoming-webhook URL."
input CreateSlackIntegrationInput {
  clientMutationId: String
  entityName: String!
  channelName: String!
  teamName: String
  webhookUrl: String!
}
type CreateSlackIntegrationPayload {
  integration: SlackIntegration!
  clientMutationId: String
}
input DeleteIntegrationInput {
  clientMutationId: String
  id: ID!
}
type DeleteIntegrationPayload {
  success: Boolean!
  clientMutationId: String
}

input InsertSecretInput {
  clientMutationId: String
  entityName: String!
  secretName: String!
  secretValue: String!
}
type InsertSecretPayload {
  success: Boolean!
  clientMutationId: String
}
input DeleteSecretInput {
  clientMutationId: String
  entityName: String!
  secretName: String!
}
type DeleteSecretPayload {
  success: Boolean!
  clientMutationId: String
}

input UpsertModelInput {
  clientMutationId: String
  name: String
  entityName: String
  description: String
}
type UpsertModelPayload {
  project: Project
  model: Project
  inserted: Boolean
  clientMutationId: String
}

enum TriggerExecutionState {
  PENDING
  FINISHED
  FAILED
  SKIPPED
}
enum TriggerResultType {
  DEFAULT
  HTTP_RESPONSE
  QUEUE_JOB
}
type TriggerExecutionConnection {
  totalCount: Int!
  pageInfo: PageInfo!
  edges: [TriggerExecutionEdge!]!
}
type TriggerExecutionEdge {
  node: TriggerExecution!
  cursor: String!
}
type TriggerExecution {
  id: ID!
  triggerID: ID
  triggerName: String!
  createdAt: DateTime!
  updatedAt: DateTime!
  state: TriggerExecutionState!
  "Sent as the Idempotency-Key header with every delivery attempt."
  idempotencyKey: String!
  scope: TriggerScope
  event: TriggerExecutionEvent
  action: TriggerExecutionAction
  result: TriggerExecutionResult
  attempts: [TriggerExecutionAttempt!]!
}
type TriggerExecutionAttempt {
  attempt: Int!
  startedAt: DateTime!
  durationMs: Float!
  statusCode: Int
  outcome: String!
  error: String
  response: String
  retryInMs: Int
}
type TriggerExecutionEvent {
  eventType: EventTriggeringConditionType!
  data: TriggerEventDetails
}
type TriggerExecutionAction {
  actionType: TriggeredActionType!
  data: TriggerActionDetails
}
type TriggerExecutionResult {
  resultType: TriggerResultType!
  data: TriggerResultDetails
}
union TriggerEventDetails = ArtifactEventDetails | ArtifactAliasEventDetails | ArtifactTagEventDetails | RunMetricEventDetails | RunStateEventDetails
type ArtifactEventDetails {
  artifactMetadata: JSONString
  artifactVersionIndex: Int
  artifactCollectionName: String
  projectName: String
  entityName: String
}
type ArtifactAliasEventDetails {
  artifactMetadata: JSONString
  artifactVersionIndex: Int
  artifactCollectionName: String
  projectName: String
  entityName: String
  alias: String
}
type ArtifactTagEventDetails {
  artifactMetadata: JSONString
  artifactVersionIndex: Int
  artifactCollectionName: String
  projectName: String
  entityName: String
  tag: String
}
type RunMetricEventDetails {
  runName: String
  projectName: String
  entityName: String
  metricName: String
  metricValues: JSONString
}
type RunStateEventDetails {
  runName: String
  projectName: String
  entityName: String
  newRunState: String
}
union TriggerActionDetails = QueueJobActionArgs | SlackNotificationActionArgs | GenericWebhookActionArgs | NoOpActionArgs
type QueueJobActionArgs {
  runSpec: JSONString
  priority: Int
}
type SlackNotificationActionArgs {
  integration: Integration
  title: String
  text: String
  severity: AlertSeverity
  titleURL: String
}
type GenericWebhookActionArgs {
  integration: Integration
  requestPayload: JSONString
}
type NoOpActionArgs {
  noOp: Boolean
}
union TriggerResultDetails = DefaultTriggerResultDetails | HttpTriggerResultDetails | QueuedJobTriggerResultDetails
type ResultError {
  message: String!
}
type DefaultTriggerResultDetails {
  error: ResultError
}
type HttpTriggerResultDetails {
  error: ResultError
  status: String
  statusCode: Int
  body: String
}
type QueuedJobTriggerResultDetails {
  error: ResultError
  runQueueItemID: ID
}
${RUNS_SDL}
${ARTIFACTS_SDL}`;
