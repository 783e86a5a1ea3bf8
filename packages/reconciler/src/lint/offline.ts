import { compileFilter, type FieldValues } from "@tripwire/evaluator";
import {
  classifyPlaceholder,
  describeScope,
  isSystemMetric,
  systemMetricName,
  systemMetricsLike,
  placeholders,
  scopeEntity,
  SECRET_NAME,
  walkFilter,
  type ActionSpec,
  type AutomationSpec,
  type EventSpec,
  type FilterExpr,
  type FilterField,
  type JsonValue,
  type Scope,
} from "@tripwire/sdk";
import type { TripwireConfig } from "../model/config.js";
import type { DesiredAutomation } from "../model/types.js";
import type { CheckCode } from "../model/checks.js";
import { isCatastrophic, regexProblem } from "./regex.js";
import { eventFills, eventsFilling, likelyVariable } from "./variables.js";

/** One thing a check found about one automation. */
export interface Finding {
  readonly code: CheckCode;
  readonly subject: DesiredAutomation;
  readonly message: string;
}

type Check = (automations: readonly DesiredAutomation[], config: TripwireConfig) => Finding[];

/** Every placeholder of a webhook's payload, with the payload path it sits at. */
function webhookPlaceholders(action: ActionSpec): string[] {
  if (action.type !== "webhook") return [];
  if (action.payloadText !== undefined) return placeholders(action.payloadText);
  const out: string[] = [];
  const walk = (v: JsonValue | undefined) => {
    if (typeof v === "string") out.push(...placeholders(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        out.push(...placeholders(k));
        walk(x);
      }
    }
  };
  walk(action.payload);
  return out;
}

const unique = <T>(xs: readonly T[]) => [...new Set(xs)];

/** TWL001, TWL002: payload variables that render empty for this event, and misspelt ones. */
const templateChecks: Check = (automations) =>
  automations.flatMap((a) => {
    const { event, action } = a.spec;
    if (event.type === "raw") return [];
    const out: Finding[] = [];
    for (const name of unique(webhookPlaceholders(action))) {
      const kind = classifyPlaceholder(name);
      if (kind.kind === "secret") {
        // Lower-case names are already reported by validation (TW1019); an upper-case spelling of a variable is
        // taken for a secret, which the team does not have.
        const guess = SECRET_NAME.test(name) && name === name.toUpperCase() ? likelyVariable(name) : undefined;
        if (guess !== undefined) {
          out.push({ code: "TWL002", subject: a, message: `\${${name}} is not a W&B variable (it would be read as a team secret of that name); did you mean \${${guess}}?` });
        }
        continue;
      }
      if (!eventFills(event.type, name)) {
        const where = eventsFilling(name);
        out.push({
          code: "TWL001",
          subject: a,
          message: `\${${name}} is always empty for ${event.type} events${where.length > 0 ? `; W&B fills it for ${where.join(", ")}` : ""}`,
        });
      }
    }
    return out;
  });

function eventFilter(event: EventSpec): FilterExpr | undefined {
  if (event.type === "raw") return undefined;
  return "runFilter" in event ? event.runFilter : "filter" in event ? event.filter : undefined;
}

function scopeFilters(scope: Scope): FilterExpr[] {
  return scope.type === "collections" && scope.filter ? [scope.filter] : [];
}

/** TWL010, TWL011: regexes W&B cannot run, and ones that can take exponential time. */
const regexChecks: Check = (automations) =>
  automations.flatMap((a) => {
    const out: Finding[] = [];
    for (const filter of [eventFilter(a.spec.event), ...scopeFilters(a.spec.scope)]) {
      if (!filter) continue;
      walkFilter(filter, (node) => {
        if (node.op !== "regex") return;
        const problem = regexProblem(node.value);
        if (problem !== undefined) out.push({ code: "TWL010", subject: a, message: `${node.field} regex /${node.value}/ ${problem}` });
        else if (isCatastrophic(node.value)) {
          out.push({ code: "TWL011", subject: a, message: `${node.field} regex /${node.value}/ has nested quantifiers: some names make it take exponential time` });
        }
      });
    }
    return out;
  });

/** Where a scope is, as a region: entity, optionally a project or registry, optionally one collection. */
interface Region {
  readonly entity: string;
  readonly place?: { readonly kind: "project" | "registry"; readonly name: string };
  readonly collection?: string;
  readonly collectionFilter?: FilterExpr;
  /** An org scope also covers other teams' entities, which Tripwire cannot list offline. */
  readonly org?: boolean;
}

function regionOf(scope: Scope): Region {
  switch (scope.type) {
    case "project":
      return { entity: scope.entity, place: { kind: "project", name: scope.project } };
    case "registry":
      return { entity: scope.org, place: { kind: "registry", name: scope.registry } };
    case "collection": {
      const parent = regionOf(scope.parent);
      return { ...parent, collection: scope.collection };
    }
    case "collections":
      return { ...regionOf(scope.parent), ...(scope.filter ? { collectionFilter: scope.filter } : {}) };
    case "team":
      return { entity: scope.team };
    case "org":
      return { entity: scope.org, org: true };
  }
}

const collectionMatches = (r: Region, name: string) => r.collectionFilter === undefined || compileFilter(r.collectionFilter)({ collectionName: [name] });

/** An organization's teams, from the config's `organizations` (an organization not listed has none known). */
type TeamsOf = (org: string) => readonly string[];
const NO_TEAMS: TeamsOf = () => [];

/**
 * Whether two regions share a location (an event could happen in both). An organization's region holds its teams'
 * as the config's `organizations` lists them; unknown org membership counts as no.
 */
function regionsOverlap(a: Region, b: Region, teamsOf: TeamsOf = NO_TEAMS): boolean {
  const holds = (o: Region, t: Region) => o.org === true && t.org !== true && teamsOf(o.entity).includes(t.entity);
  if (a.entity !== b.entity && !holds(a, b) && !holds(b, a)) return false;
  if (a.place && b.place && (a.place.kind !== b.place.kind || a.place.name !== b.place.name)) return false;
  if (a.collection !== undefined && b.collection !== undefined) return a.collection === b.collection;
  if (a.collection !== undefined) return collectionMatches(b, a.collection);
  if (b.collection !== undefined) return collectionMatches(a, b.collection);
  return true;
}

/** The values a filter pins a field to (a top-level `eq` / `in`, or all of an `and`'s), if it does. */
function pinned(filter: FilterExpr | undefined, field: FilterField): Set<string> | undefined {
  if (filter === undefined) return undefined;
  switch (filter.op) {
    case "eq":
      return filter.field === field ? new Set([filter.value]) : undefined;
    case "in":
      return filter.field === field ? new Set(filter.values) : undefined;
    case "and": {
      let out: Set<string> | undefined;
      for (const arg of filter.args) {
        const p = pinned(arg, field);
        if (p !== undefined) out = out === undefined ? p : new Set([...out].filter((v) => p.has(v)));
      }
      return out;
    }
    default:
      return undefined;
  }
}

function fieldsOf(filter: FilterExpr): Set<FilterField> {
  const out = new Set<FilterField>();
  walkFilter(filter, (node) => {
    if ("field" in node) out.add(node.field);
  });
  return out;
}

/**
 * Whether two filters can both match one event. They cannot when one pins a field to values the other rejects
 * (the other is evaluated on those values when it reads that field alone); otherwise they may.
 */
function filtersOverlap(a: FilterExpr | undefined, b: FilterExpr | undefined): boolean {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    if (x === undefined || y === undefined) continue;
    const yFields = fieldsOf(y);
    for (const field of fieldsOf(x)) {
      const values = pinned(x, field);
      if (values === undefined) continue;
      const other = pinned(y, field);
      if (other !== undefined && ![...values].some((v) => other.has(v))) return false;
      if (yFields.size === 1 && yFields.has(field)) {
        const test = compileFilter(y);
        if (![...values].some((v) => test({ [field]: [v] } as FieldValues))) return false;
      }
    }
  }
  return true;
}

/** Whether two events are the same happening: same artifact event type, a common run state, the same metric. */
function sameHappening(a: EventSpec, b: EventSpec): boolean {
  if (a.type === "raw" || b.type === "raw") return false;
  if (a.type === "runState" || b.type === "runState") {
    return a.type === "runState" && b.type === "runState" && a.states.some((s) => b.states.includes(s));
  }
  if ("metric" in a || "metric" in b) return "metric" in a && "metric" in b && a.metric === b.metric;
  return a.type === b.type;
}

/**
 * What "the same integration" is for TWL020. A Slack channel is the place people are paged, whichever entity's
 * integration posts there: an organization-scope automation (the org's integration) and a team's (the team's own)
 * that both post to #alerts page #alerts twice. A webhook is its entity's integration of that name.
 */
function integrationKey(spec: AutomationSpec): string | undefined {
  const { action } = spec;
  if (action.type === "notification") return `slack:#${action.integration.name}`;
  if (action.type !== "webhook") return undefined;
  return `${action.integration.kind}:${action.integration.entity ?? scopeEntity(spec.scope)}/${action.integration.name}`;
}

const integrationText = (spec: AutomationSpec) => {
  const { action } = spec;
  return action.type === "notification" ? `Slack channel #${action.integration.name}` : action.type === "webhook" ? `webhook "${action.integration.name}"` : "";
};

const at = (d: DesiredAutomation) => `"${d.spec.name}" (${describeScope(d.spec.scope)})`;

/** TWL020: two enabled automations that one event fires, both sending to the same integration. */
const overlapCheck: Check = (automations, config) => {
  const out: Finding[] = [];
  const teamsOf: TeamsOf = (org) => config.organizations?.[org] ?? [];
  const enabled = automations.filter((a) => a.spec.enabled && integrationKey(a.spec) !== undefined);
  for (let i = 0; i < enabled.length; i++) {
    for (let j = i + 1; j < enabled.length; j++) {
      const a = enabled[i] as DesiredAutomation;
      const b = enabled[j] as DesiredAutomation;
      if (a.expandedFrom !== undefined && a.expandedFrom === b.expandedFrom) continue;
      if (integrationKey(a.spec) !== integrationKey(b.spec)) continue;
      if (!sameHappening(a.spec.event, b.spec.event)) continue;
      if (!regionsOverlap(regionOf(a.spec.scope), regionOf(b.spec.scope), teamsOf)) continue;
      if (!filtersOverlap(eventFilter(a.spec.event), eventFilter(b.spec.event))) continue;
      const message = (other: DesiredAutomation) => `the same event also fires ${at(other)}, and both send to the ${integrationText(a.spec)}: it is notified twice`;
      out.push({ code: "TWL020", subject: a, message: message(b) }, { code: "TWL020", subject: b, message: message(a) });
    }
  }
  return out;
};

/** Artifact events a receiver acting on a registry or collection can cause (it links, aliases, tags). */
const CAUSABLE = new Set<EventSpec["type"]>(["createArtifact", "linkArtifact", "unlinkArtifact", "addArtifactAlias", "addArtifactTag", "removeArtifactTag", "addCollectionTag", "removeCollectionTag"]);

/** A `loops` target (`entity/name` or `entity/name:collection`) as the regions it may be: project or registry. */
function targetRegions(target: string): Region[] {
  const m = /^([^/:]+)\/([^/:]+)(?::(.+))?$/.exec(target);
  if (!m) return [];
  const [, entity, name, collection] = m as unknown as [string, string, string, string | undefined];
  return (["project", "registry"] as const).map((kind) => ({ entity, place: { kind, name }, ...(collection !== undefined ? { collection } : {}) }));
}

/** Where an automation's webhook acts, per the config's `loops`. */
function actsOn(spec: AutomationSpec, config: TripwireConfig): { target: string; regions: Region[] }[] {
  if (spec.action.type !== "webhook") return [];
  const targets = config.loops?.[spec.action.integration.name] ?? [];
  return targets.map((target) => ({ target, regions: targetRegions(target) }));
}

/** Whether automation `b` listens where `a`'s webhook acts, for an event that action can cause. */
function feeds(a: AutomationSpec, b: AutomationSpec, config: TripwireConfig): string | undefined {
  if (!b.enabled || !CAUSABLE.has(b.event.type)) return undefined;
  const listens = regionOf(b.scope);
  return actsOn(a, config).find((t) => t.regions.some((r) => regionsOverlap(r, listens)))?.target;
}

/** TWL030, TWL031: an automation whose webhook causes its own event, and cycles of automations that feed each other. */
const loopChecks: Check = (automations, config) => {
  if (!config.loops || Object.keys(config.loops).length === 0) return [];
  const out: Finding[] = [];
  const enabled = automations.filter((a) => a.spec.enabled);
  const edges = new Map<number, number[]>();
  enabled.forEach((a, i) => {
    const next: number[] = [];
    enabled.forEach((b, j) => {
      if (feeds(a.spec, b.spec, config) === undefined) return;
      if (i === j) {
        const target = feeds(a.spec, a.spec, config) as string;
        const hook = (a.spec.action as { integration: { name: string } }).integration.name;
        out.push({ code: "TWL030", subject: a, message: `its webhook "${hook}" acts on ${target} (config loops), where this automation listens for ${a.spec.event.type}: each firing can fire it again` });
      } else next.push(j);
    });
    edges.set(i, next);
  });
  for (const cycle of cycles(enabled.length, edges)) {
    const names = cycle.map((i) => `"${(enabled[i] as DesiredAutomation).spec.name}"`);
    for (const i of cycle) {
      out.push({ code: "TWL031", subject: enabled[i] as DesiredAutomation, message: `these automations trigger each other through their webhooks (config loops): ${names.join(", ")}` });
    }
  }
  return out;
};

/** The strongly connected components of more than one node (Tarjan), each in discovery order. */
function cycles(n: number, edges: ReadonlyMap<number, readonly number[]>): number[][] {
  let counter = 0;
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const stack: number[] = [];
  const onStack = new Set<number>();
  const out: number[][] = [];
  const visit = (v: number) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop() as number;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.reverse());
    }
  };
  for (let v = 0; v < n; v++) if (!index.has(v)) visit(v);
  return out;
}

/** TWL040: a team or org scope automation posting to Slack on every event of its type. */
const fanOutCheck: Check = (automations) =>
  automations.flatMap((a) => {
    const { scope, event, action } = a.spec;
    if ((scope.type !== "team" && scope.type !== "org") || action.type !== "notification" || event.type === "raw") return [];
    const filter = eventFilter(event);
    if (filter !== undefined && !(filter.op === "and" && filter.args.length === 0)) return [];
    return [{ code: "TWL040" as const, subject: a, message: `posts to Slack #${action.integration.name} for every ${event.type} event in ${describeScope(scope)}: add a filter (.where(...), or an alias / tag filter)` }];
  });

/** TWL050: a system metric name W&B does not log. */
const systemMetricCheck: Check = (automations) =>
  automations.flatMap((a) => {
    const { event } = a.spec;
    if (!("metric" in event)) return [];
    const name = systemMetricName(event.metric);
    if (name === undefined || isSystemMetric(name)) return [];
    const like = systemMetricsLike(name);
    return [{ code: "TWL050" as const, subject: a, message: `"${event.metric}" is not a system metric W&B logs${like.length > 0 ? ` (it logs ${like.join(", ")})` : ""}; system metrics are named without the "system/" prefix, like cpu or gpu.0.gpu` }];
  });

/** The checks that need only the definitions and the config. */
export const OFFLINE_CHECKS: readonly Check[] = [templateChecks, regexChecks, overlapCheck, loopChecks, fanOutCheck, systemMetricCheck];

export function offlineFindings(automations: readonly DesiredAutomation[], config: TripwireConfig): Finding[] {
  return OFFLINE_CHECKS.flatMap((check) => check(automations, config));
}
