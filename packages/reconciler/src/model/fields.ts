import { canonicalJson, describeScope, normalizeSpec, type AutomationSpec, type FilterExpr, type JsonValue } from "@tripwire/sdk";

/** One field that differs between two definitions. Filters and payloads are compared as whole values. */
export interface FieldChange {
  readonly path: string;
  readonly before?: JsonValue | undefined;
  readonly after?: JsonValue | undefined;
}

const FIELD_NAMES: Record<string, string> = { runName: "runName", runUser: "runUser", alias: "alias", tag: "tag", collectionName: "collectionName" };

/** A filter as one line people read: `runName contains "sweep-" and not (runUser = "bot")`. */
export function describeFilter(expr: FilterExpr | undefined): string {
  if (expr === undefined) return "(any)";
  const q = (s: string) => JSON.stringify(s);
  const inner = (e: FilterExpr): string => {
    switch (e.op) {
      case "and":
        return e.args.length === 0 ? "(any)" : e.args.map((a) => group(a, "and")).join(" and ");
      case "or":
        return e.args.length === 0 ? "(none)" : e.args.map((a) => group(a, "or")).join(" or ");
      case "not":
        return `not ${group(e.arg, "not")}`;
      case "raw":
        return `raw ${JSON.stringify(e.json)}`;
      case "in":
        return `${FIELD_NAMES[e.field]} in [${e.values.map(q).join(", ")}]`;
      case "eq":
        return `${FIELD_NAMES[e.field]} = ${q(e.value)}`;
      case "ne":
        return `${FIELD_NAMES[e.field]} != ${q(e.value)}`;
      case "contains":
        return `${FIELD_NAMES[e.field]} contains ${q(e.value)}`;
      case "regex":
        return `${FIELD_NAMES[e.field]} matches /${e.value}/`;
    }
  };
  const group = (e: FilterExpr, parent: string): string =>
    (e.op === "and" || e.op === "or") && e.op !== parent && e.args.length > 1 ? `(${inner(e)})` : inner(e);
  return inner(expr);
}

/**
 * The fields of a definition as flat paths, in a stable order: what a plan compares and shows. Filters are
 * rendered as readable text, payloads kept as JSON (rendered as a diff).
 */
export function flatten(spec: AutomationSpec): [string, JsonValue][] {
  const s = normalizeSpec(spec);
  const out: [string, JsonValue][] = [
    ["name", s.name],
    ["description", s.description ?? ""],
    ["enabled", s.enabled],
    ["scope", describeScope(s.scope)],
  ];
  if (s.scope.type === "collections") out.push(["scope.filter", describeFilter(s.scope.filter)]);
  const event = s.event as Record<string, unknown>;
  out.push(["event.type", s.event.type]);
  for (const [k, v] of Object.entries(event)) {
    if (k === "type") continue;
    if (k === "filter" && s.event.type !== "raw") continue;
    if (k === "runFilter") continue;
    out.push([`event.${k}`, v as JsonValue]);
  }
  if (s.event.type !== "raw") {
    if ("runFilter" in s.event || s.event.type.startsWith("run")) out.push(["event.runFilter", describeFilter((s.event as { runFilter?: FilterExpr }).runFilter)]);
    else out.push(["event.filter", describeFilter((s.event as { filter?: FilterExpr }).filter)]);
  }
  const a = s.action;
  out.push(["action.type", a.type]);
  if (a.type === "notification" || a.type === "webhook") {
    out.push(["action.integration", `${a.integration.kind}:${a.integration.name}${a.integration.entity ? `@${a.integration.entity}` : ""}`]);
  }
  if (a.type === "notification") {
    out.push(["action.title", a.title], ["action.message", a.message], ["action.severity", a.severity]);
  } else if (a.type === "webhook") {
    if (a.payload !== undefined) out.push(["action.payload", a.payload]);
    if (a.payloadText !== undefined) out.push(["action.payloadText", a.payloadText]);
  } else if (a.type === "raw") {
    out.push(["action.data", a.data]);
  }
  return out;
}

/** The fields that differ, in the order of `flatten`. */
export function diffSpecs(before: AutomationSpec, after: AutomationSpec): FieldChange[] {
  const b = new Map(flatten(before));
  const a = new Map(flatten(after));
  const paths = [...new Set([...b.keys(), ...a.keys()])];
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const x = b.get(path);
    const y = a.get(path);
    if (canonicalJson(x) === canonicalJson(y)) continue;
    changes.push({ path, ...(x !== undefined ? { before: x } : {}), ...(y !== undefined ? { after: y } : {}) });
  }
  return changes;
}
