import type { ActionSpec } from "../model/action.js";
import { SEVERITIES, type Severity } from "../model/action.js";
import type { AutomationSpec } from "../model/automation.js";
import {
  RUN_STATES,
  type Aggregation,
  type ChangeType,
  type Comparison,
  type Direction,
  type EventSpec,
  type RunState,
} from "../model/event.js";
import type { ArtifactFilter, FilterField, RunFilter } from "../model/filter.js";
import type { JsonValue } from "../model/json.js";
import { REGISTRY_PREFIX, type ProjectScope, type RegistryScope, type Scope } from "../model/scope.js";
import type { Issue } from "../issues.js";
import { normalizeSpec } from "../normalize.js";
import { fieldsForEvent } from "../rules.js";
import { filterFromJson } from "./filter.js";
import { AGG_OP, CHANGE_DIR, CHANGE_TYPE, CMP_OP, EVENT_TYPE_FROM_WIRE, type WireAction, type WireScope, type WireTrigger } from "./types.js";

type Json = JsonValue;
type Obj = { [key: string]: Json };
type Path = (string | number)[];

/** What the caller knows that a saved automation does not say. */
export interface DecodeContext {
  /** The entity the automations were listed from: the entity of `Project` scopes that do not name theirs. */
  readonly entity?: string;
  /** The project or registry holding an artifact collection, by the collection's GraphQL ID. */
  readonly collectionParent?: (collectionId: string) => ProjectScope | RegistryScope | undefined;
}

export interface DecodeResult {
  /** The automation as Tripwire models it (normalised); absent when its scope cannot be told. */
  readonly spec?: AutomationSpec;
  /** What could not be read exactly: errors make the automation unmanageable, warnings flag verbatim parts. */
  readonly issues: readonly Issue[];
}

const invert = <K extends string>(map: Record<K, string>): Map<string, K> =>
  new Map(Object.entries(map).map(([k, v]) => [String(v).toUpperCase(), k as K]));
const AGG_FROM = invert<Aggregation>(AGG_OP);
const CMP_FROM = new Map<string, Comparison>([
  ...invert<Comparison>(CMP_OP),
  [">", "gt"],
  [">=", "gte"],
  ["<", "lt"],
  ["<=", "lte"],
  ["==", "eq"],
  ["!=", "ne"],
]);
const CHANGE_FROM = invert<ChangeType>(CHANGE_TYPE);
const DIR_FROM = invert<Direction>(CHANGE_DIR);

function parseJson(text: unknown): Json | undefined {
  if (typeof text !== "string") return text === undefined ? undefined : (text as Json);
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

// The decoding steps are module-level functions rather than closures made for each automation: a listing decodes
// thousands.
function scopeError(issues: Issue[], message: string): undefined {
  issues.push({ code: "TW1012", severity: "error", message, path: ["scope"] });
  return undefined;
}

function projectScopeOf(issues: Issue[], name: string, entity: string | undefined): ProjectScope | RegistryScope | undefined {
  if (!entity) return scopeError(issues, `cannot tell which entity project "${name}" belongs to`);
  if (name.startsWith(REGISTRY_PREFIX) && name !== REGISTRY_PREFIX) {
    return { type: "registry", org: entity, registry: name.slice(REGISTRY_PREFIX.length) };
  }
  return { type: "project", entity, project: name };
}

function decodeScope(scope: WireScope, ctx: DecodeContext, issues: Issue[]): Scope | undefined {
  const s = scope as Record<string, unknown> & { __typename: string; id?: string; name?: string };
  switch (s.__typename) {
    case "Project": {
      const entity = (s.entityName as string | undefined) ?? (s.entity as { name?: string } | null | undefined)?.name ?? ctx.entity;
      return projectScopeOf(issues, String(s.name), entity);
    }
    case "ArtifactSequence":
    case "ArtifactPortfolio": {
      const p = s.project as { name: string; entityName?: string; entity?: { name: string } | null } | null | undefined;
      const parent = p ? projectScopeOf(issues, p.name, p.entityName ?? p.entity?.name ?? ctx.entity) : ctx.collectionParent?.(String(s.id));
      if (!parent) return scopeError(issues, `cannot tell which project or registry holds collection "${s.name}"`);
      return { type: "collection", parent, collection: String(s.name) };
    }
    case "Entity": {
      if (s.entityType === "team") return { type: "team", team: String(s.name) };
      if (s.entityType === "organization") return { type: "org", org: String(s.name) };
      return scopeError(issues, `entity "${s.name}" of type ${String(s.entityType)} cannot hold automations (only teams and organizations)`);
    }
    default:
      return scopeError(issues, `unknown scope type ${s.__typename}`);
  }
}

function rawEvent(wireType: string, filter: Json | undefined, text: string, message: string, issues: Issue[]): EventSpec {
  issues.push({ code: "TW1015", severity: "warning", message, path: ["event"] });
  return { type: "raw", wireType, filter: filter === undefined ? text : filter };
}

const RUN_FILTER_FIELDS: readonly FilterField[] = ["runName", "runUser"];

function decodeRunFilter(value: Json | undefined, issues: Issue[]): RunFilter | undefined {
  const json = parseJson(value);
  if (json === undefined || json === null) return undefined;
  return filterFromJson(json, RUN_FILTER_FIELDS, issues, ["event", "runFilter"]) as RunFilter | undefined;
}

/** The JSON key of each run-metric event's condition, and the fields Tripwire knows in it. */
const METRIC_FILTER_KEY = { runMetricThreshold: "threshold_filter", runMetricChange: "change_filter", runMetricZScore: "zscore_filter" } as const;
const METRIC_FILTER_FIELDS: Readonly<Record<string, readonly string[]>> = {
  threshold_filter: ["name", "agg_op", "window_size", "cmp_op", "threshold"],
  change_filter: ["name", "agg_op", "current_window_size", "change_amount", "prior_window_size", "change_type", "change_dir"],
  zscore_filter: ["name", "window_size", "threshold", "change_dir"],
};

const withRunFilter = <T extends object>(e: T, runFilter: RunFilter | undefined): T => (runFilter ? { ...e, runFilter } : e);

const positiveInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1;

function decodeEvent(eventType: string, text: string, issues: Issue[]): EventSpec {
  const json = parseJson(text);
  const type = EVENT_TYPE_FROM_WIRE[eventType];
  if (type === undefined) return rawEvent(eventType, json, text, `event ${eventType} is kept verbatim: Tripwire cannot model it`, issues);
  if (!isObj(json)) return rawEvent(eventType, json, text, `the ${eventType} filter is not a JSON object; kept verbatim`, issues);

  if (type === "runState") {
    const states = isObj(json.run_state_filter) ? json.run_state_filter.states : undefined;
    if (!Array.isArray(states)) return rawEvent(eventType, json, text, "the run-state filter has no list of states; kept verbatim", issues);
    const mapped = states.map((s) => (String(s).toUpperCase() === "CRASHED" ? "failed" : String(s).toLowerCase()));
    if (!mapped.every((s): s is RunState => (RUN_STATES as readonly string[]).includes(s))) {
      return rawEvent(eventType, json, text, `unknown run states ${JSON.stringify(states)}; kept verbatim`, issues);
    }
    const runFilter = decodeRunFilter(json.run_filter, issues);
    return { type, states: [...new Set(mapped)].sort(), ...(runFilter ? { runFilter } : {}) };
  }

  if (type === "runMetricThreshold" || type === "runMetricChange" || type === "runMetricZScore") {
    const key = METRIC_FILTER_KEY[type];
    const rmf = isObj(json.run_metric_filter) ? json.run_metric_filter : undefined;
    // Saved by older SDKs: the threshold alone in the legacy `metric_filter` (an object or its JSON text).
    const legacy = type === "runMetricThreshold" && !rmf ? parseJson(json.metric_filter) : undefined;
    const f = rmf?.[key] ?? legacy;
    if (!isObj(f)) return rawEvent(eventType, json, text, `the ${eventType} filter has no ${key}; kept verbatim`, issues);
    const runFilter = decodeRunFilter(json.run_filter, issues);
    const known = METRIC_FILTER_FIELDS[key] as readonly string[];
    const unknown = Object.keys(f).filter((k) => !known.includes(k));
    if (unknown.length > 0) return rawEvent(eventType, json, text, `the ${key} has fields Tripwire does not know (${unknown.join(", ")}); kept verbatim`, issues);
    if (typeof f.name !== "string") return rawEvent(eventType, json, text, `the ${key} names no metric; kept verbatim`, issues);
    const agg = f.agg_op === null || f.agg_op === undefined ? null : AGG_FROM.get(String(f.agg_op).toUpperCase());
    if (agg === undefined) return rawEvent(eventType, json, text, `unknown aggregation ${JSON.stringify(f.agg_op)}; kept verbatim`, issues);

    if (type === "runMetricThreshold") {
      const cmp = CMP_FROM.get(String(f.cmp_op).toUpperCase());
      if (!cmp || typeof f.threshold !== "number") return rawEvent(eventType, json, text, `unreadable comparison ${JSON.stringify(f.cmp_op)} ${JSON.stringify(f.threshold)}; kept verbatim`, issues);
      const window = agg === null ? 1 : f.window_size;
      if (!positiveInt(window)) return rawEvent(eventType, json, text, `unreadable window ${JSON.stringify(f.window_size)}; kept verbatim`, issues);
      return withRunFilter({ type, metric: f.name, agg, window, cmp, threshold: f.threshold }, runFilter);
    }
    if (type === "runMetricChange") {
      const change = CHANGE_FROM.get(String(f.change_type).toUpperCase());
      const direction = DIR_FROM.get(String(f.change_dir).toUpperCase());
      const window = agg === null ? 1 : f.current_window_size;
      // W&B's SDK: the prior window defaults to the current one's size when omitted.
      const prior = agg === null ? 1 : (f.prior_window_size ?? f.current_window_size);
      if (!change || !direction || typeof f.change_amount !== "number" || !positiveInt(window) || !positiveInt(prior)) {
        return rawEvent(eventType, json, text, "unreadable change filter; kept verbatim", issues);
      }
      return withRunFilter({ type, metric: f.name, agg, window, priorWindow: prior, change, direction, amount: f.change_amount }, runFilter);
    }
    const direction = DIR_FROM.get(String(f.change_dir ?? "ANY").toUpperCase());
    const window = f.window_size ?? 30;
    const threshold = f.threshold ?? 3;
    if (!direction || !positiveInt(window) || typeof threshold !== "number") return rawEvent(eventType, json, text, "unreadable z-score filter; kept verbatim", issues);
    return withRunFilter({ type, metric: f.name, window, direction, threshold }, runFilter);
  }

  // Artifact and collection events; saved automations wrap the filter once more in {"filter": …}.
  const inner = "filter" in json && Object.keys(json).length === 1 ? parseJson(json.filter) : json;
  if (inner === undefined || inner === null) return rawEvent(eventType, json, text, "unreadable artifact filter; kept verbatim", issues);
  const fields: readonly FilterField[] = [...new Set<FilterField>(["alias", "tag", ...fieldsForEvent(type)])];
  const filter = filterFromJson(inner, fields, issues, ["event", "filter"]) as ArtifactFilter | undefined;
  return filter ? { type, filter } : { type };
}

function rawAction(action: WireAction | undefined, issues: Issue[], wireType: string, message: string): ActionSpec {
  issues.push({ code: "TW1016", severity: "error", message, path: ["action"] });
  return { type: "raw", wireType, data: (action ?? null) as Json };
}

function decodeAction(action: WireAction | undefined, issues: Issue[]): ActionSpec {
  if (!action) return rawAction(action, issues, "UNKNOWN", "the automation has no action");
  const a = action as Record<string, unknown> & { __typename: string };
  switch (a.__typename) {
    case "NoOpTriggeredAction":
      return { type: "noop" };
    case "NotificationTriggeredAction": {
      const integration = a.integration as { channelName?: unknown } | null;
      // An empty channel name is still a Slack action (validate then says the name is empty); no name at all is not.
      if (typeof integration?.channelName !== "string") return rawAction(action, issues, "NOTIFICATION", "the Slack action's integration is gone or unreadable");
      const severity = String(a.severity ?? "INFO").toUpperCase();
      return {
        type: "notification",
        integration: { kind: "slack", name: integration.channelName as string },
        title: (a.title as string | null) ?? "",
        message: (a.message as string | null) ?? "",
        severity: (SEVERITIES as readonly string[]).includes(severity) ? (severity as Severity) : "INFO",
      };
    }
    case "GenericWebhookTriggeredAction": {
      const integration = a.integration as { name?: string } | null;
      if (!integration?.name) return rawAction(action, issues, "GENERIC_WEBHOOK", "the webhook action's integration is gone or unreadable");
      const text = a.requestPayload as string | null | undefined;
      const base = { type: "webhook" as const, integration: { kind: "webhook" as const, name: integration.name } };
      if (text === null || text === undefined || text === "") return base;
      const payload = parseJson(text);
      return payload === undefined ? { ...base, payloadText: text } : { ...base, payload };
    }
    default: {
      const wireType = a.__typename.replace(/TriggeredAction$/, "").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
      return rawAction(action, issues, wireType, `${a.__typename} actions cannot be created or updated through W&B's API; Tripwire leaves them alone`);
    }
  }
}

/**
 * Reads a saved W&B automation (`TriggerFields`) into Tripwire's model, normalised. Nothing is dropped:
 * what the model cannot express is kept verbatim (`raw`) and flagged in `issues`.
 * @example
 * const { spec, issues } = decodeAutomation(trigger, { entity: "acme" });
 */
export function decodeAutomation(trigger: WireTrigger, ctx: DecodeContext = {}): DecodeResult {
  const issues: Issue[] = [];
  const scope = decodeScope(trigger.scope, ctx, issues);
  const condition = trigger.event ?? trigger.triggeringCondition;
  const event: EventSpec = condition
    ? decodeEvent(condition.eventType, condition.filter, issues)
    : rawEvent("UNKNOWN", null, "", "the automation has no event", issues);
  const action = decodeAction(trigger.action ?? trigger.triggeredAction, issues);
  if (!scope) return { issues };
  const spec: AutomationSpec = {
    name: trigger.name,
    enabled: trigger.enabled,
    scope,
    event,
    action,
    ...(trigger.description ? { description: trigger.description } : {}),
  };
  return { spec: normalizeSpec(spec), issues };
}

/**
 * Reads an `eventFilter` text for an event type into the event model (no scope or action needed).
 * @example decodeEventFilter("RUN_STATE", '{"run_filter":"{\\"$and\\":[]}","run_state_filter":{"states":["FAILED"]}}')
 */
export function decodeEventFilter(eventType: string, filter: string): { event: EventSpec; issues: readonly Issue[] } {
  const issues: Issue[] = [];
  return { event: decodeEvent(eventType, filter, issues), issues };
}
