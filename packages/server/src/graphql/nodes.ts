import { collectionArtifactFields, projectArtifactFields } from "./artifacts.js";
import { projectRunFields } from "./runs.js";
import { gqlError } from "../errors.js";
import { toGlobalId } from "../ids.js";
import { resolveScope, type ResolvedScope } from "../scope.js";
import type { CollectionRecord, EntityRecord, OrgRecord, ProjectRecord, TriggerRecord, UserRecord } from "../store/types.js";
import { connection, pageArgs, pageOf } from "./connection.js";
import type { GraphQLContext } from "./context.js";
import { executionNode } from "./history.js";
import { integrationNode } from "./refs.js";

// Nodes are plain objects; fields that take arguments or cost a query are functions, which graphql-js's
// default resolver calls with (args, context). Union and interface members carry `__typename`.

// Exported so the declarations of the modules that return these can name them.
export interface PageQuery {
  first?: number | null;
  after?: string | null;
}
export interface TriggerPageQuery extends PageQuery {
  order?: string | null;
  filters?: string | null;
}

/** The trigger-scope union member for a resolved scope, with its fields (GraphQL context is captured by the node). */
export function scopeNode(s: ResolvedScope, ctx: GraphQLContext) {
  switch (s.type) {
    case "PROJECT":
      return projectNode(ctx, s.project);
    case "ARTIFACT_COLLECTION":
      return collectionNode(ctx, s.collection);
    case "ENTITY":
      return entityNode(ctx, s.entity);
  }
}

/** Parses `filters: JSONString` of `triggers(…)`: W&B's SDK sends `{"name": "<automation name>"}`. */
function triggerFilters(filters: string | null | undefined): { name?: string } {
  if (filters === null || filters === undefined || filters === "") return {};
  let json: unknown;
  try {
    json = JSON.parse(filters);
  } catch {
    throw gqlError("BAD_USER_INPUT", "filters is not valid JSON");
  }
  if (json === null) return {};
  if (typeof json !== "object" || Array.isArray(json)) throw gqlError("BAD_USER_INPUT", "filters must be a JSON object");
  const out: { name?: string } = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (k !== "name") throw gqlError("BAD_USER_INPUT", `filters.${k} is not supported (only name)`);
    const name = typeof v === "object" && v !== null && "$eq" in v ? (v as { $eq: unknown }).$eq : v;
    if (typeof name !== "string") throw gqlError("BAD_USER_INPUT", "filters.name must be a string");
    out.name = name;
  }
  return out;
}

function triggerConnection(ctx: GraphQLContext, entityIds: readonly number[], args: TriggerPageQuery) {
  const query = { entityIds, ...triggerFilters(args.filters) };
  const page = ctx.store.listTriggers(query, pageArgs(args.first, args.after));
  // Counted only when asked for: a listing page does not pay for it.
  return connection(page, (t) => t.id, (t) => triggerNode(ctx, t), { totalCount: () => ctx.store.countTriggers(query) });
}

export function userNode(ctx: GraphQLContext, u: UserRecord) {
  return {
    id: toGlobalId("User", u.id),
    username: u.username,
    name: u.username,
    email: u.id === ctx.user.id ? u.email : null,
    admin: u.admin,
    // W&B's `User.entity` is the name of the user's default entity (a string): here, their personal entity.
    entity: () => {
      const e = ctx.store.entityByName(u.username);
      return e && e.type === "personal" && ctx.access.canSee(e) ? e.name : null;
    },
    // No user flags are set on this server; W&B's client reads them as a JSON object.
    flags: "{}",
    deletedAt: null,
    photoUrl: null,
    accountType: "USER",
    apiKeys: () =>
      u.id === ctx.user.id
        ? { edges: ctx.store.apiKeysOf(u.id).map((k) => ({ node: { id: toGlobalId("ApiKey", k.id), name: k.hash.slice(0, 12), description: null } })) }
        : null,
    teams: (args: PageQuery) => {
      const teams = ctx.access.visibleEntities().filter((e) => e.type === "team");
      return connection(pageOf(teams, (e) => e.id, pageArgs(args.first, args.after)), (e) => e.id, (e) => entityNode(ctx, e));
    },
    projects: (args: PageQuery) => {
      const ids = ctx.access.visibleEntities().map((e) => e.id);
      return connection(ctx.store.listProjects(ids, pageArgs(args.first, args.after)), (p) => p.id, (p) => projectNode(ctx, p));
    },
  };
}

export function entityNode(ctx: GraphQLContext, e: EntityRecord) {
  return {
    __typename: "Entity",
    id: toGlobalId("Entity", e.id),
    name: e.name,
    entityType: e.type,
    isTeam: e.type === "team",
    // The entity exists, so its name is not available to a new one.
    available: false,
    photoUrl: null,
    readOnly: false,
    readOnlyAdmin: false,
    privateOnly: false,
    // This server stores no run files or artifacts.
    storageBytes: 0,
    codeSavingEnabled: false,
    defaultAccess: "PRIVATE",
    isPaid: null,
    members: () =>
      ctx.store.membersOf(e.id).map((m) => ({
        id: toGlobalId("User", m.user.id),
        admin: m.role === "admin",
        pending: false,
        email: m.user.id === ctx.user.id ? m.user.email : null,
        username: m.user.username,
        name: m.user.username,
        photoUrl: null,
        accountType: "USER",
        apiKey: null,
      })),
    organization: () => {
      const o = e.orgId === null ? undefined : ctx.store.orgById(e.orgId);
      return o ? orgNode(ctx, o) : null;
    },
    integrations: (args: PageQuery) =>
      connection(ctx.store.listIntegrations(e.id, pageArgs(args.first, args.after)), (i) => i.id, integrationNode),
    triggers: (args: TriggerPageQuery) => triggerConnection(ctx, [e.id], args),
    projects: (args: PageQuery) => connection(ctx.store.listProjects([e.id], pageArgs(args.first, args.after)), (p) => p.id, (p) => projectNode(ctx, p)),
    secrets: () => ctx.store.listSecrets(e.id).map((s) => ({ name: s.name, createdAt: s.createdAt })),
  };
}

export function orgNode(ctx: GraphQLContext, o: OrgRecord) {
  const visible = () => ctx.store.entitiesOfOrg(o.id).filter((e) => ctx.access.canSee(e));
  return {
    id: toGlobalId("Organization", o.id),
    name: o.name,
    orgEntity: () => {
      const e = ctx.store.entityById(o.entityId);
      return ctx.access.canSee(e) ? entityNode(ctx, e) : null;
    },
    teams: () => visible().filter((e) => e.type === "team").map((e) => entityNode(ctx, e)),
    // Everything in the organization the viewer can see: org-scoped, registries, and its teams' automations.
    triggers: (args: TriggerPageQuery) => triggerConnection(ctx, visible().map((e) => e.id), args),
  };
}

export function projectNode(ctx: GraphQLContext, p: ProjectRecord) {
  return {
    __typename: "Project",
    id: toGlobalId("Project", p.id),
    name: p.name,
    entityName: p.entityName,
    description: p.description,
    createdAt: p.createdAt,
    isBenchmark: false,
    user: null,
    access: null,
    views: null,
    readOnly: false,
    ...projectRunFields(ctx, p),
    ...projectArtifactFields(ctx, p, (c) => collectionNode(ctx, c, p)),
    entity: () => entityNode(ctx, ctx.store.entityById(p.entityId) as EntityRecord),
    // The project's automations and its collections' (W&B's SDK finds collection automations this way).
    triggers: () => {
      const out: ReturnType<typeof triggerNode>[] = [];
      let after = 0;
      for (;;) {
        const page = ctx.store.listTriggers({ projectId: p.id }, { after, limit: 1000 });
        out.push(...page.items.map((t) => triggerNode(ctx, t)));
        if (!page.hasNextPage) return out;
        after = page.items.at(-1)?.id ?? after;
      }
    },
    artifactCollection: (args: { name: string }) => {
      const c = ctx.store.collectionByName(p.id, args.name);
      return c ? collectionNode(ctx, c, p) : null;
    },
    artifactCollections: (args: PageQuery) =>
      connection(ctx.store.listCollections(p.id, pageArgs(args.first, args.after)), (c) => c.id, (c) => collectionNode(ctx, c, p)),
    triggerExecutions: (args: PageQuery & { projectOnly?: boolean | null }) => {
      const page = ctx.store.listExecutions({ projectId: p.id, ...(args.projectOnly ? { scope: { type: "PROJECT" as const, id: p.id } } : {}) }, pageArgs(args.first, args.after));
      return connection(page, (x) => x.id, (x) => executionNode(ctx, x), { totalCount: page.totalCount });
    },
  };
}

export function collectionNode(ctx: GraphQLContext, c: CollectionRecord, parent?: ProjectRecord) {
  return {
    __typename: c.kind === "portfolio" ? "ArtifactPortfolio" : "ArtifactSequence",
    id: toGlobalId("ArtifactCollection", c.id),
    name: c.name,
    description: null,
    createdAt: c.createdAt,
    project: () => projectNode(ctx, parent ?? (ctx.store.projectById(c.projectId) as ProjectRecord)),
    ...collectionArtifactFields(ctx, c, () => parent ?? (ctx.store.projectById(c.projectId) as ProjectRecord)),
    triggerExecutions: (args: PageQuery) => {
      const page = ctx.store.listExecutions({ collectionId: c.id }, pageArgs(args.first, args.after));
      return connection(page, (x) => x.id, (x) => executionNode(ctx, x), { totalCount: page.totalCount });
    },
  };
}

function actionNode(ctx: GraphQLContext, t: TriggerRecord) {
  const config = JSON.parse(t.actionConfig) as Record<string, unknown>;
  const integration = () => {
    const i = typeof config.integrationId === "number" ? ctx.store.integrationById(config.integrationId) : undefined;
    return i ? integrationNode(i) : null;
  };
  switch (t.actionType) {
    case "NOTIFICATION":
      return { __typename: "NotificationTriggeredAction", integration, title: config.title ?? "", message: config.message ?? "", severity: config.severity ?? "INFO" };
    case "GENERIC_WEBHOOK":
      return { __typename: "GenericWebhookTriggeredAction", integration, requestPayload: config.requestPayload ?? null };
    // Legacy actions W&B still stores but no longer lets anyone create (spec §A.4): read back as what they are, never
    // as a no-op, so a client that reads and rewrites an automation cannot silently change what it does.
    case "QUEUE_JOB":
      return {
        __typename: "QueueJobTriggeredAction",
        queue: config.queue ?? null,
        template: typeof config.template === "string" ? config.template : JSON.stringify(config.template ?? {}),
      };
    case "PUSH_NOTIFICATION":
      return { __typename: "PushNotificationTriggeredAction", title: config.title ?? null, body: config.body ?? null };
    default:
      return { __typename: "NoOpTriggeredAction", noOp: true };
  }
}

export function triggerNode(ctx: GraphQLContext, t: TriggerRecord) {
  return {
    id: toGlobalId("Trigger", t.id),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    name: t.name,
    description: t.description,
    enabled: t.enabled,
    scope: () => {
      const s = resolveScope(ctx.store, t.scopeType, t.scopeId);
      if (!s) throw gqlError("INTERNAL_SERVER_ERROR", `automation ${t.id} points at a missing scope`);
      return scopeNode(s, ctx);
    },
    triggeringCondition: { __typename: "FilterEventTriggeringCondition", eventType: t.eventType, filter: t.eventFilter },
    triggeredAction: () => actionNode(ctx, t),
    createdBy: () => {
      const u = t.createdBy === null ? undefined : ctx.store.userById(t.createdBy);
      return u ? userNode(ctx, u) : null;
    },
    lastExecutedAt: () => ctx.store.lastExecutedAt(t.id),
  };
}

export { executionNode, integrationNode };
