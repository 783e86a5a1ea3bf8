import { buildASTSchema, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { REGISTRY_PREFIX } from "@tripwire/sdk";
import { gqlError } from "../errors.js";
import { fromGlobalId } from "../ids.js";
import { findOrg } from "../seed.js";
import type { ScopeType } from "../store/types.js";
import { connection, pageArgs } from "./connection.js";
import type { GraphQLContext } from "./context.js";
import {
  adminEntity,
  buildTrigger,
  checkSecretName,
  checkUrl,
  checkWebhookName,
  conflictAware,
  savedFields,
  visibleEntity,
  visibleTrigger,
  type TriggerFieldsInput,
} from "./mutations.js";
import { collectionNode, entityNode, executionNode, integrationNode, orgNode, projectNode, triggerNode, userNode } from "./nodes.js";
import { AUTOMATION_FEATURES, reportedFeatures, sdlFor, type AutomationFeature } from "./features.js";
import { SDL } from "./sdl.js";

/** What `serverInfo.features` reports with every feature this server implements (spec §A.6). */
export const SERVER_FEATURES: readonly { name: string; isEnabled: boolean }[] = reportedFeatures(AUTOMATION_FEATURES);

type Resolver = GraphQLFieldResolver<unknown, GraphQLContext, any>;
type Input<T> = { input: T };

const personalEntityName = (ctx: GraphQLContext): string => ctx.user.username;

const Query: Record<string, Resolver> = {
  viewer: (_s, _a, ctx) => userNode(ctx, ctx.user),
  entity: (_s, args: { name?: string | null }, ctx) => {
    const e = ctx.store.entityByName(args.name ?? personalEntityName(ctx));
    return ctx.access.canSee(e) ? entityNode(ctx, e) : null;
  },
  project: (_s, args: { name?: string | null; entityName?: string | null }, ctx) => {
    if (!args.name) return null;
    const e = ctx.store.entityByName(args.entityName ?? personalEntityName(ctx));
    if (!ctx.access.canSee(e)) return null;
    const p = ctx.store.projectByName(e.id, args.name);
    return p ? projectNode(ctx, p) : null;
  },
  organization: (_s, args: { name?: string | null }, ctx) => {
    const o = args.name ? findOrg(ctx.store, args.name) : undefined;
    if (!o) return null;
    const e = ctx.store.entityById(o.entityId);
    return ctx.access.canSee(e) ? orgNode(ctx, o) : null;
  },
  artifactCollection: (_s, args: { id: string }, ctx) => {
    const n = fromGlobalId("ArtifactCollection", args.id);
    const c = n === undefined ? undefined : ctx.store.collectionById(n);
    const p = c && ctx.store.projectById(c.projectId);
    return c && p && ctx.access.canSee(ctx.store.entityById(p.entityId)) ? collectionNode(ctx, c, p) : null;
  },
  trigger: (_s, args: { id: string }, ctx) => {
    const n = fromGlobalId("Trigger", args.id);
    const t = n === undefined ? undefined : ctx.store.triggerById(n);
    return t && ctx.access.canSee(ctx.store.entityById(t.entityId)) ? triggerNode(ctx, t) : null;
  },
  triggerExecutions: (_s, args: { triggerID: string; first?: number | null; after?: string | null }, ctx) => {
    const n = fromGlobalId("Trigger", args.triggerID);
    if (n === undefined) throw gqlError("NOT_FOUND", `automation ${args.triggerID} not found`);
    // Executions outlive a deleted automation; visibility follows the entity they ran in.
    const entityIds = ctx.access.visibleEntities().map((e) => e.id);
    const page = ctx.store.listExecutions({ triggerId: n, entityIds }, pageArgs(args.first, args.after));
    return connection(page, (x) => x.id, (x) => executionNode(ctx, x), { totalCount: page.totalCount });
  },
};

interface CreateInput extends Omit<TriggerFieldsInput, "triggeredActionConfig"> {
  clientMutationId?: string | null;
  triggeredActionConfig: TriggerFieldsInput["triggeredActionConfig"];
}
type UpdateInput = { id: string; clientMutationId?: string | null } & Partial<Omit<CreateInput, "clientMutationId">>;

/** The fields of `UpdateFilterTriggerInput` W&B's SDK always sends. */
const WHOLE_UPDATE = ["name", "enabled", "scopeType", "scopeID", "triggeringEventType", "eventFilter", "triggeredActionType", "triggeredActionConfig"] as const;

const Mutation: Record<string, Resolver> = {
  createFilterTrigger: (_s, { input }: Input<CreateInput>, ctx) => {
    const { input: row } = buildTrigger(ctx, input);
    const t = conflictAware(() => ctx.store.createTrigger(row, ctx.user.id));
    return { trigger: triggerNode(ctx, t), clientMutationId: input.clientMutationId ?? null };
  },
  updateFilterTrigger: (_s, { input }: Input<UpdateInput>, ctx) => {
    const saved = visibleTrigger(ctx, input.id);
    // W&B's SDK sends the whole definition with every update (`prepare_to_update`); what W&B's backend does with
    // fewer fields is not documented, so this server refuses them rather than guess (a description left out stays,
    // as W&B's SDK leaves it out when it has none).
    const missing = WHOLE_UPDATE.filter((f) => input[f] === undefined || input[f] === null);
    if (missing.length > 0) {
      throw gqlError("BAD_USER_INPUT", `updateFilterTrigger needs the whole definition, as W&B's SDK sends it: ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing`);
    }
    const whole = input as Required<UpdateInput>;
    const merged: TriggerFieldsInput = {
      name: whole.name,
      description: input.description === undefined || input.description === null ? savedFields(saved).description : input.description,
      enabled: whole.enabled,
      scopeType: whole.scopeType as ScopeType,
      scopeID: whole.scopeID,
      triggeringEventType: whole.triggeringEventType,
      eventFilter: whole.eventFilter,
      triggeredActionType: whole.triggeredActionType,
      triggeredActionConfig: whole.triggeredActionConfig,
    };
    const { input: row } = buildTrigger(ctx, merged, saved);
    const t = conflictAware(() => ctx.store.updateTrigger(saved.id, row));
    return { trigger: triggerNode(ctx, t), clientMutationId: input.clientMutationId ?? null };
  },
  deleteTrigger: (_s, { input }: Input<{ triggerID: string; clientMutationId?: string | null }>, ctx) => {
    const t = visibleTrigger(ctx, input.triggerID);
    if (!ctx.store.deleteTrigger(t.id)) throw gqlError("NOT_FOUND", `automation ${input.triggerID} not found`);
    return { success: true, clientMutationId: input.clientMutationId ?? null };
  },
  createGenericWebhookIntegration: (
    _s,
    { input }: Input<{ entityName: string; name: string; urlEndpoint: string; secretRef?: string | null; accessTokenRef?: string | null; clientMutationId?: string | null }>,
    ctx,
  ) => {
    const e = adminEntity(ctx, input.entityName, "create integrations");
    checkWebhookName(input.name);
    checkUrl(ctx, input.urlEndpoint, "urlEndpoint");
    const secrets = new Set(ctx.store.listSecrets(e.id).map((s) => s.name));
    for (const [field, ref] of [["secretRef", input.secretRef], ["accessTokenRef", input.accessTokenRef]] as const) {
      if (ref && !secrets.has(ref)) throw gqlError("BAD_USER_INPUT", `${field}: "${input.entityName}" has no secret named "${ref}"`);
    }
    const i = conflictAware(() =>
      ctx.store.createIntegration({
        entityId: e.id,
        kind: "webhook",
        name: input.name,
        url: input.urlEndpoint,
        secretRef: input.secretRef || null,
        accessTokenRef: input.accessTokenRef || null,
        teamName: null,
        channelName: null,
        timeoutMs: null,
      }),
    );
    return { integration: integrationNode(i), clientMutationId: input.clientMutationId ?? null };
  },
  createSlackIntegration: (
    _s,
    { input }: Input<{ entityName: string; channelName: string; teamName?: string | null; webhookUrl: string; clientMutationId?: string | null }>,
    ctx,
  ) => {
    const e = adminEntity(ctx, input.entityName, "create integrations");
    if (input.channelName.trim() === "") throw gqlError("BAD_USER_INPUT", "channelName must not be empty");
    checkUrl(ctx, input.webhookUrl, "webhookUrl");
    const i = conflictAware(() =>
      ctx.store.createIntegration({
        entityId: e.id,
        kind: "slack",
        name: null,
        url: input.webhookUrl,
        secretRef: null,
        accessTokenRef: null,
        teamName: input.teamName ?? null,
        channelName: input.channelName,
        timeoutMs: null,
      }),
    );
    return { integration: integrationNode(i), clientMutationId: input.clientMutationId ?? null };
  },
  deleteIntegration: (_s, { input }: Input<{ id: string; clientMutationId?: string | null }>, ctx) => {
    const n = fromGlobalId("Integration", input.id);
    const i = n === undefined ? undefined : ctx.store.integrationById(n);
    const owner = i && ctx.store.entityById(i.entityId);
    if (!i || !ctx.access.canSee(owner)) throw gqlError("NOT_FOUND", `integration ${input.id} not found`);
    if (!ctx.access.isAdmin(owner)) throw gqlError("FORBIDDEN", `only admins of "${owner.name}" can delete integrations`);
    const users = ctx.store.allTriggers().filter((t) => t.integrationId === i.id);
    if (users.length > 0) {
      throw gqlError("CONFLICT", `integration ${input.id} is used by ${users.length} automation(s): ${users.slice(0, 5).map((t) => `"${t.name}"`).join(", ")}`);
    }
    return { success: ctx.store.deleteIntegration(i.id), clientMutationId: input.clientMutationId ?? null };
  },
  insertSecret: (_s, { input }: Input<{ entityName: string; secretName: string; secretValue: string; clientMutationId?: string | null }>, ctx) => {
    const e = adminEntity(ctx, input.entityName, "manage secrets");
    checkSecretName(input.secretName);
    ctx.store.upsertSecret(e.id, input.secretName, input.secretValue);
    return { success: true, clientMutationId: input.clientMutationId ?? null };
  },
  deleteSecret: (_s, { input }: Input<{ entityName: string; secretName: string; clientMutationId?: string | null }>, ctx) => {
    const e = adminEntity(ctx, input.entityName, "manage secrets");
    if (!ctx.store.deleteSecret(e.id, input.secretName)) throw gqlError("NOT_FOUND", `secret "${input.secretName}" not found`);
    return { success: true, clientMutationId: input.clientMutationId ?? null };
  },
  upsertModel: (_s, { input }: Input<{ name?: string | null; entityName?: string | null; description?: string | null; clientMutationId?: string | null }>, ctx) => {
    if (!input.name) throw gqlError("BAD_USER_INPUT", "name is required");
    if (input.name.includes("/")) throw gqlError("BAD_USER_INPUT", `project name "${input.name}" must not contain "/"`);
    const e = visibleEntity(ctx, input.entityName ?? personalEntityName(ctx));
    if (input.name.startsWith(REGISTRY_PREFIX) && e.type !== "organization") {
      throw gqlError("BAD_USER_INPUT", `registries live in an organization's entity; "${e.name}" is a ${e.type}`);
    }
    const { project, inserted } = ctx.store.upsertProject(e.id, input.name, input.description ?? undefined);
    const node = projectNode(ctx, project);
    return { project: node, model: node, inserted, clientMutationId: input.clientMutationId ?? null };
  },
};

export interface SchemaOptions {
  /**
   * The gated features the server has (default: all it implements). The ones left out are gone from the schema and
   * from `serverInfo.features`, as on an older W&B Server.
   */
  readonly features?: readonly AutomationFeature[];
}

/**
 * Builds the executable GraphQL schema (W&B's automation subset). The same schema serves HTTP and
 * in-process execution; resolvers read the store and user from the context.
 * @example const schema = createSchema(); const older = createSchema({ features: COMPAT_PRESETS.older });
 */
export function createSchema(options: SchemaOptions = {}): GraphQLSchema {
  const features = options.features ?? AUTOMATION_FEATURES;
  // The whole SDL (the default) is this package's constant, validated by the schema's tests: skipping the SDL and
  // schema validation saves about half of building it, which the CLI's embedded default does on every run. A chosen
  // feature set prunes the SDL at run time, and is validated as it is built.
  const validated = options.features === undefined ? { assumeValidSDL: true, assumeValid: true } : {};
  const schema = buildASTSchema(sdlFor(SDL, features), validated);
  const reported = { features: reportedFeatures(features) };
  const query: Record<string, Resolver> = { serverInfo: () => reported, ...Query };
  for (const [typeName, resolvers] of [["Query", query], ["Mutation", Mutation]] as const) {
    const fields = (schema.getType(typeName) as GraphQLObjectType).getFields();
    for (const [name, resolve] of Object.entries(resolvers)) {
      const field = fields[name];
      if (!field) throw new Error(`internal: resolver ${typeName}.${name} has no field in the SDL`);
      field.resolve = resolve;
    }
  }
  return schema;
}
