import { isArtifactEventType, SECRET_NAME, TEXT_LIMITS, validate, WEBHOOK_NAME, type EventType } from "@tripwire/sdk";
import { EVENT_TYPE_FROM_WIRE } from "@tripwire/sdk/wire";
import { regexError } from "@tripwire/evaluator";
import { ConflictError, gqlError } from "../errors.js";
import { fromGlobalId, toGlobalId, type IdType } from "../ids.js";
import { decodeTrigger, resolveScope, type ResolvedScope } from "../scope.js";
import type { EntityRecord, IntegrationRecord, ScopeType, TriggerInput, TriggerRecord } from "../store/types.js";
import type { GraphQLContext } from "./context.js";
import { UrlPolicy } from "../runtime/url-policy.js";
import { MAX_JSON_DEPTH, tooDeep } from "../ingest/depth.js";

// The text limits (TEXT_LIMITS) are the SDK's, and `validate` refuses the same lengths at the definition: every
// execution stores the action with its firing, so an unbounded payload or description would be stored again per firing.

function checkLength(field: keyof typeof TEXT_LIMITS, value: unknown): void {
  if (typeof value === "string" && value.length > TEXT_LIMITS[field]) {
    throw gqlError("BAD_USER_INPUT", `${field} is ${value.length} characters long; at most ${TEXT_LIMITS[field]} are allowed`, { field, limit: TEXT_LIMITS[field] });
  }
}

const PUBLIC_ONLY = new UrlPolicy();

/** The fields of `CreateFilterTriggerInput` (all set) after an update's gaps are filled from the saved automation. */
export interface TriggerFieldsInput {
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly enabled: boolean;
  readonly scopeType: ScopeType;
  readonly scopeID: string;
  readonly triggeringEventType: string;
  readonly eventFilter: string;
  readonly triggeredActionType: string;
  readonly triggeredActionConfig: Record<string, Record<string, unknown> | null | undefined>;
}

const SCOPE_ID_TYPE: Record<ScopeType, IdType> = { PROJECT: "Project", ARTIFACT_COLLECTION: "ArtifactCollection", ENTITY: "Entity" };
const CONFIG_KEY: Record<string, string> = {
  NOTIFICATION: "notificationActionInput",
  GENERIC_WEBHOOK: "genericWebhookActionInput",
  NO_OP: "noOpActionInput",
  QUEUE_JOB: "queueJobActionInput",
  PUSH_NOTIFICATION: "pushNotificationActionInput",
};

/** Resolves an entity by name that the viewer can see, or answers "not found" (other teams are invisible). */
export function visibleEntity(ctx: GraphQLContext, name: string): EntityRecord {
  const e = ctx.store.entityByName(name);
  if (!ctx.access.canSee(e)) throw gqlError("NOT_FOUND", `entity "${name}" not found`);
  return e;
}

/** Like {@link visibleEntity}, and the viewer must be one of its admins. */
export function adminEntity(ctx: GraphQLContext, name: string, what: string): EntityRecord {
  const e = visibleEntity(ctx, name);
  if (!ctx.access.isAdmin(e)) throw gqlError("FORBIDDEN", `only admins of "${name}" can ${what}`);
  return e;
}

function visibleIntegration(ctx: GraphQLContext, id: unknown): IntegrationRecord {
  const n = typeof id === "string" ? fromGlobalId("Integration", id) : undefined;
  const i = n === undefined ? undefined : ctx.store.integrationById(n);
  const owner = i && ctx.store.entityById(i.entityId);
  if (!i || !ctx.access.canSee(owner)) throw gqlError("NOT_FOUND", `integration ${String(id)} not found`);
  return i;
}

/** The saved filter text: artifact filters are stored wrapped in `{"filter": …}` as W&B stores them (spec §B.1). */
function savedFilter(eventType: EventType | undefined, text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw gqlError("BAD_USER_INPUT", "eventFilter is not valid JSON");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw gqlError("BAD_USER_INPUT", "eventFilter must be a JSON object");
  // Before decoding, which recurses: a hostile depth would overflow the stack (a 500) instead of a clear 400.
  const deep = tooDeep(json, MAX_JSON_DEPTH, true);
  if (deep) throw gqlError("BAD_USER_INPUT", `eventFilter is nested deeper than ${MAX_JSON_DEPTH} levels at ${deep.join(".")}`, { path: deep });
  if (eventType === undefined || !isArtifactEventType(eventType)) return text;
  const o = json as Record<string, unknown>;
  // A client re-sending a saved filter still wrapped gets it stored once wrapped, not twice.
  const inner = Object.keys(o).length === 1 && "filter" in o ? (typeof o.filter === "string" ? (JSON.parse(o.filter) as unknown) : o.filter) : o;
  return JSON.stringify({ filter: inner });
}

/**
 * Checks a complete trigger definition the way W&B does and turns it into a store row. `saved` is the automation an
 * update starts from: a filter or event it already holds verbatim (saved by W&B itself or an older client) is kept
 * when the update leaves it as it is — a description, name or enabled change must not be refused for it — while a
 * new or changed one the server cannot model is still refused.
 */
export function buildTrigger(ctx: GraphQLContext, f: TriggerFieldsInput, saved?: TriggerRecord): { input: TriggerInput; scope: ResolvedScope } {
  const scopeRow = fromGlobalId(SCOPE_ID_TYPE[f.scopeType], f.scopeID);
  const scope = scopeRow === undefined ? undefined : resolveScope(ctx.store, f.scopeType, scopeRow);
  if (!scope || !ctx.access.canSee(scope.entity)) throw gqlError("NOT_FOUND", `${f.scopeType} scope ${f.scopeID} not found`);
  // An organization-scoped automation sees the run events of every team of the organization, including projects
  // its creator cannot read: only the organization's admins (who administer every team) may create or change one.
  if (scope.type === "ENTITY" && scope.entity.type === "organization" && !ctx.access.isAdmin(scope.entity)) {
    throw gqlError("FORBIDDEN", `only admins of the organization "${scope.entity.name}" can create or change an automation scoped to the whole organization`);
  }

  if (f.triggeringEventType === "UPDATE_ARTIFACT_ALIAS") {
    throw gqlError("BAD_USER_INPUT", "UPDATE_ARTIFACT_ALIAS is a legacy event and cannot be created or updated; use ADD_ARTIFACT_ALIAS");
  }
  const eventType = EVENT_TYPE_FROM_WIRE[f.triggeringEventType];
  if (eventType === undefined) throw gqlError("BAD_USER_INPUT", `event ${f.triggeringEventType} is not supported by this server`);
  if (f.triggeredActionType === "QUEUE_JOB" || f.triggeredActionType === "PUSH_NOTIFICATION") {
    throw gqlError("BAD_USER_INPUT", `${f.triggeredActionType} is a legacy action and cannot be created or updated`);
  }
  const key = CONFIG_KEY[f.triggeredActionType];
  if (key === undefined) throw gqlError("BAD_USER_INPUT", `action ${f.triggeredActionType} is not supported by this server`);
  const members = Object.entries(f.triggeredActionConfig).filter(([, v]) => v !== null && v !== undefined);
  const other = members.find(([k]) => k !== key);
  if (other) throw gqlError("BAD_USER_INPUT", `triggeredActionConfig.${other[0]} does not match triggeredActionType ${f.triggeredActionType}`);
  const member = f.triggeredActionConfig[key] ?? undefined;
  checkLength("description", f.description);
  for (const field of ["requestPayload", "title", "message"] as const) checkLength(field, member?.[field]);

  let integrationId: number | null = null;
  let config: Record<string, unknown>;
  if (f.triggeredActionType === "NO_OP") {
    config = { noOp: true };
  } else {
    if (!member) throw gqlError("BAD_USER_INPUT", `triggeredActionConfig.${key} is required for ${f.triggeredActionType}`);
    const integration = visibleIntegration(ctx, member.integrationID);
    // An integration (its URL, secret and access token) belongs to one entity: an automation uses its own
    // entity's integrations only, or a member of two teams could route one team's secrets to the other's admins.
    if (integration.entityId !== scope.entity.id) {
      const owner = ctx.store.entityById(integration.entityId)?.name ?? "another entity";
      throw gqlError("FORBIDDEN", `integration ${String(member.integrationID)} belongs to "${owner}"; an automation in "${scope.entity.name}" can use only "${scope.entity.name}"'s own integrations`);
    }
    const want = f.triggeredActionType === "NOTIFICATION" ? "slack" : "webhook";
    if (integration.kind !== want) {
      throw gqlError("BAD_USER_INPUT", `${f.triggeredActionType} needs a ${want === "slack" ? "Slack" : "generic webhook"} integration; ${String(member.integrationID)} is not one`);
    }
    integrationId = integration.id;
    config =
      f.triggeredActionType === "NOTIFICATION"
        ? {
            integrationId,
            title: (member.title as string | null | undefined) ?? "",
            message: (member.message as string | null | undefined) ?? "",
            severity: (member.severity as string | null | undefined) ?? "INFO",
          }
        : member.requestPayload === null || member.requestPayload === undefined
          ? { integrationId }
          : { integrationId, requestPayload: member.requestPayload };
  }

  const input: TriggerInput = {
    name: f.name,
    description: f.description ?? null,
    enabled: f.enabled,
    scopeType: f.scopeType,
    scopeId: scopeRow as number,
    entityId: scope.entity.id,
    projectId: scope.type === "ENTITY" ? null : scope.project.id,
    eventType: f.triggeringEventType,
    eventFilter: savedFilter(eventType, f.eventFilter),
    actionType: f.triggeredActionType,
    actionConfig: JSON.stringify(config),
    integrationId,
  };

  // Decode exactly what would be saved, then validate it as the SDK does: one rulebook for client and server.
  const probe: TriggerRecord = { ...input, id: 0, createdBy: null, createdAt: "", updatedAt: null, effectiveBatch: 0 };
  const decoded = decodeTrigger(ctx.store, probe, scope);
  const keptVerbatim = saved !== undefined && saved.eventType === input.eventType && saved.eventFilter === input.eventFilter;
  const problems = decoded.issues.filter((i) => i.severity === "error" || (i.code === "TW1015" && !keptVerbatim));
  const checked = decoded.spec ? validate(decoded.spec, { regexError }).issues : [];
  problems.push(...checked.filter((i) => i.severity === "error"));
  // Saved anyway (W&B sends whatever the text renders to), but the client is told why its receiver may choke.
  for (const i of checked) if (i.code === "TW1040") ctx.warnings?.push({ code: i.code, message: `automation "${f.name}": ${i.message}`, path: i.path });
  if (!decoded.spec || problems.length > 0) {
    const messages = problems.map((i) => i.message);
    throw gqlError("BAD_USER_INPUT", `invalid automation "${f.name}": ${messages.join("; ") || "it cannot be decoded"}`, {
      issues: problems.map((i) => ({ code: i.code, message: i.message, path: i.path })),
    });
  }
  return { input, scope };
}

/** The saved trigger as complete `CreateFilterTriggerInput` fields (what an update starts from). */
export function savedFields(t: TriggerRecord): TriggerFieldsInput {
  const config = JSON.parse(t.actionConfig) as Record<string, unknown>;
  const { integrationId, ...rest } = config;
  const member = typeof integrationId === "number" ? { ...rest, integrationID: toGlobalId("Integration", integrationId) } : rest;
  const key = CONFIG_KEY[t.actionType] ?? "noOpActionInput";
  return {
    name: t.name,
    description: t.description,
    enabled: t.enabled,
    scopeType: t.scopeType,
    scopeID: toGlobalId(SCOPE_ID_TYPE[t.scopeType], t.scopeId),
    triggeringEventType: t.eventType,
    eventFilter: t.eventFilter,
    triggeredActionType: t.actionType,
    triggeredActionConfig: { [key]: member },
  };
}

/** Runs a store write, turning its conflicts into W&B's 409 answer. */
export function conflictAware<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConflictError) throw gqlError("CONFLICT", e.message);
    throw e;
  }
}

export function visibleTrigger(ctx: GraphQLContext, id: string): TriggerRecord {
  const n = fromGlobalId("Trigger", id);
  const t = n === undefined ? undefined : ctx.store.triggerById(n);
  if (!t || !ctx.access.canSee(ctx.store.entityById(t.entityId))) throw gqlError("NOT_FOUND", `automation ${id} not found`);
  return t;
}

export function checkWebhookName(name: string): void {
  if (name.length === 0 || name.length > 64 || !WEBHOOK_NAME.test(name)) {
    throw gqlError("BAD_USER_INPUT", `webhook name "${name}" must be 1 to 64 letters, digits, "_" or "-", with single spaces between words`);
  }
}

export function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) throw gqlError("BAD_USER_INPUT", `secret name "${name}" must use letters, digits and "_" and not start with a digit`);
}

/** Checks an integration's URL against the server's URL policy (scheme, userinfo, metadata and private addresses). */
export function checkUrl(ctx: GraphQLContext, url: string, field: string): void {
  try {
    (ctx.urlPolicy ?? PUBLIC_ONLY).checkUrl(url, field);
  } catch (e) {
    throw gqlError("BAD_USER_INPUT", (e as Error).message, { field });
  }
}
