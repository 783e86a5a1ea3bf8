import type { ActionSpec } from "./model/action.js";
import type { AutomationSpec } from "./model/automation.js";
import type { EventSpec } from "./model/event.js";
import type { FilterExpr, FilterField } from "./model/filter.js";
import { canonicalJson, sortJson, type JsonValue } from "./model/json.js";
import type { Scope } from "./model/scope.js";

/**
 * The canonical form of a filter, so that filters with the same meaning compare equal: nested `and`/`or`
 * flattened, single-element groups unwrapped, duplicates dropped and order ignored, double negation removed,
 * `in` of one value read as `eq`. `undefined` means "no filter" (an empty `and` matches everything).
 * @example normalizeFilter(and(and(runName.eq("a")))) // { op: "eq", field: "runName", value: "a" }
 */
export function normalizeFilter<F extends FilterField>(expr: FilterExpr<F> | undefined): FilterExpr<F> | undefined {
  if (expr === undefined) return undefined;
  switch (expr.op) {
    case "and":
    case "or": {
      const flat: FilterExpr<F>[] = [];
      for (const arg of expr.args) {
        const n = normalizeFilter(arg);
        if (n === undefined) {
          if (expr.op === "and") continue; // match-all inside an and changes nothing
          return undefined; // match-all inside an or matches everything
        }
        if (n.op === expr.op) flat.push(...n.args);
        else flat.push(n);
      }
      const unique = dedupeSorted(flat);
      if (unique.length === 0) return expr.op === "and" ? undefined : { op: "or", args: [] };
      if (unique.length === 1) return unique[0];
      return { op: expr.op, args: unique };
    }
    case "not": {
      const inner = normalizeFilter(expr.arg);
      if (inner === undefined) return { op: "not", arg: { op: "and", args: [] } };
      if (inner.op === "not") return isMatchAll(inner.arg) ? undefined : inner.arg;
      return { op: "not", arg: inner };
    }
    case "in": {
      const values = [...new Set(expr.values)].sort();
      if (values.length === 1) return { op: "eq", field: expr.field, value: values[0] as string };
      return { op: "in", field: expr.field, values };
    }
    case "raw":
      return { op: "raw", json: sortJson(expr.json) as JsonValue };
    default:
      return { op: expr.op, field: expr.field, value: expr.value };
  }
}

function dedupeSorted<T>(items: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(canonicalJson(item), item);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

function withFilter<T extends object, K extends string>(base: T, key: K, filter: FilterExpr | undefined): T {
  const out = { ...base } as Record<string, unknown>;
  delete out[key];
  if (filter !== undefined) out[key] = filter;
  return out as T;
}

function normalizeScope(scope: Scope): Scope {
  if (scope.type === "collections") return withFilter(scope, "filter", normalizeFilter(scope.filter));
  return scope;
}

function normalizeEvent(event: EventSpec): EventSpec {
  switch (event.type) {
    case "raw":
      return { ...event, filter: sortJson(event.filter) as JsonValue };
    case "runState":
      return withFilter({ ...event, states: [...new Set(event.states)].sort() }, "runFilter", normalizeFilter(event.runFilter));
    case "runMetricThreshold":
      return withFilter({ ...event, window: event.agg === null ? 1 : event.window }, "runFilter", normalizeFilter(event.runFilter));
    case "runMetricChange": {
      const latest = event.agg === null;
      return withFilter(
        { ...event, window: latest ? 1 : event.window, priorWindow: latest ? 1 : event.priorWindow },
        "runFilter",
        normalizeFilter(event.runFilter),
      );
    }
    case "runMetricZScore":
      return withFilter({ ...event }, "runFilter", normalizeFilter(event.runFilter));
    default:
      return withFilter({ ...event }, "filter", normalizeFilter(event.filter));
  }
}

function normalizeAction(action: ActionSpec): ActionSpec {
  // W&B stores a Slack channel as it was typed ("#ml-alerts" or "ml-alerts"); slack() names it without "#".
  if (action.type === "notification" && action.integration.name.startsWith("#")) {
    return { ...action, integration: { ...action.integration, name: action.integration.name.slice(1) } };
  }
  if (action.type !== "webhook") return action;
  const out: ActionSpec = { type: "webhook", integration: action.integration };
  let payload = action.payload;
  if (payload === undefined && action.payloadText !== undefined) {
    try {
      payload = JSON.parse(action.payloadText) as JsonValue;
    } catch {
      return action.payloadText.trim() === "" ? out : { ...out, payloadText: action.payloadText };
    }
  }
  return payload === undefined ? out : { ...out, payload: sortJson(payload) as JsonValue };
}

/**
 * The canonical form of an automation: what W&B would store for it, compared field by field. Two definitions
 * with the same meaning normalise to the same value (`1` vs `1.0`, key order, absent vs empty, filter shape).
 * @example specsEqual(normalizeSpec(a), normalizeSpec(b))
 */
export function normalizeSpec(spec: AutomationSpec): AutomationSpec {
  const out: AutomationSpec = {
    name: spec.name,
    enabled: spec.enabled,
    scope: normalizeScope(spec.scope),
    event: normalizeEvent(spec.event),
    action: normalizeAction(spec.action),
  };
  if (spec.description !== undefined && spec.description !== "") out.description = spec.description;
  if (spec.movedFrom && spec.movedFrom.length > 0) out.movedFrom = [...spec.movedFrom];
  if (spec.protect) out.protect = true;
  return out;
}

/**
 * Whether two automations say the same thing to W&B (the reconciler-only `movedFrom` and `protect` aside).
 * @example specsEqual(desired, decodeAutomation(liveTrigger).spec!)
 */
export function specsEqual(a: AutomationSpec, b: AutomationSpec): boolean {
  const strip = (s: AutomationSpec) => {
    const { movedFrom: _m, protect: _p, ...rest } = normalizeSpec(s);
    return canonicalJson(rest);
  };
  return strip(a) === strip(b);
}

/** An empty `and` matches everything (it stands for "no filter"; `not` of it matches nothing). */
function isMatchAll(expr: FilterExpr): boolean {
  return expr.op === "and" && expr.args.length === 0;
}
