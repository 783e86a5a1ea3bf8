import type { FilterExpr, FilterField } from "../model/filter.js";
import type { JsonValue } from "../model/json.js";
import type { Issue } from "../issues.js";
import { normalizeFilter } from "../normalize.js";
import { WIRE_FIELD } from "./types.js";

type Json = JsonValue;
type Obj = { [key: string]: Json };

/**
 * Simplifies a filter the way W&B's Python SDK does before sending it (`simplify_expr`): nested groups of the
 * same kind flattened, empty `and`s dropped, single-element groups unwrapped, double negation removed.
 * Unlike `normalizeFilter`, it keeps the user's order, so the wire text matches W&B's byte for byte.
 * @example simplify(and(and(runName.eq("a")))) // { op: "eq", field: "runName", value: "a" }
 */
export function simplify(expr: FilterExpr): FilterExpr | undefined {
  switch (expr.op) {
    case "and":
    case "or": {
      const args: FilterExpr[] = [];
      for (const arg of expr.args) {
        const s = simplify(arg);
        if (s === undefined) {
          if (expr.op === "or") return undefined; // a match-all alternative makes the whole `or` match all
          continue;
        }
        if (s.op === expr.op) args.push(...s.args);
        else args.push(s);
      }
      if (args.length === 0) return expr.op === "and" ? undefined : { op: "or", args: [] };
      if (args.length === 1) return args[0];
      return { op: expr.op, args };
    }
    case "not": {
      const inner = simplify(expr.arg);
      if (inner === undefined) return { op: "not", arg: { op: "and", args: [] } };
      if (inner.op === "not") return isMatchAll(inner.arg) ? undefined : inner.arg;
      return { op: "not", arg: inner };
    }
    default:
      return expr;
  }
}

/**
 * The MongoDB-like JSON of a (simplified) filter.
 * @example filterToJson(not(runName.eq("debug"))) // {"$not":{"display_name":{"$eq":"debug"}}}
 */
export function filterToJson(expr: FilterExpr): Json {
  switch (expr.op) {
    case "and":
      return { $and: expr.args.map(filterToJson) };
    case "or":
      return { $or: expr.args.map(filterToJson) };
    case "not":
      if (expr.arg.op === "or") return { $nor: expr.arg.args.map(filterToJson) };
      return { $not: filterToJson(expr.arg) };
    case "raw":
      return expr.json;
    case "in":
      return { [WIRE_FIELD[expr.field]]: { $in: [...expr.values] } };
    default:
      return { [WIRE_FIELD[expr.field]]: { [`$${expr.op}`]: expr.value } };
  }
}

/**
 * A run filter as W&B stores it: always wrapped in `$and` (`{"$and":[]}` for none).
 * @example runFilterJson(runName.contains("my-run")) // {"$and":[{"display_name":{"$contains":"my-run"}}]}
 */
export function runFilterJson(expr: FilterExpr | undefined): Obj {
  const s = expr === undefined ? undefined : simplify(expr);
  if (s === undefined) return { $and: [] };
  if (s.op === "and") return { $and: s.args.map(filterToJson) };
  return { $and: [filterToJson(s)] };
}

/**
 * An artifact-event filter as W&B's frontend expects it: `{"$or":[{"$and":[…]}]}`.
 * @example mutationFilterJson(alias.eq("prod")) // {"$or":[{"$and":[{"alias":{"$eq":"prod"}}]}]}
 */
export function mutationFilterJson(expr: FilterExpr | undefined): Obj {
  return { $or: [runFilterJson(expr)] };
}

const OPS: Record<string, "eq" | "ne" | "contains" | "regex"> = { $eq: "eq", $ne: "ne", $contains: "contains", $regex: "regex" };

/**
 * Reads a MongoDB-like wire filter into the filter model. What the model cannot express (an unknown field or
 * operator, a non-string operand) becomes a `raw` node holding the JSON verbatim, with a TW1015 warning.
 * @example filterFromJson({ alias: "prod" }, ["alias"], issues, []) // { op: "eq", field: "alias", value: "prod" }
 */
export function filterFromJson(json: Json, fields: readonly FilterField[], issues: Issue[], path: (string | number)[]): FilterExpr | undefined {
  const ctx: ReadContext = { byWire: new Map(fields.map((f) => [WIRE_FIELD[f], f] as const)), issues };
  return normalizeFilter(readFilter(ctx, json, path));
}

// filterFromJson's steps, at module level rather than as closures made anew for every filter read.
interface ReadContext {
  readonly byWire: ReadonlyMap<string, FilterField>;
  readonly issues: Issue[];
}

function rawFilter(ctx: ReadContext, value: Json, p: (string | number)[]): FilterExpr {
  ctx.issues.push({ code: "TW1015", severity: "warning", message: `filter condition kept verbatim: ${JSON.stringify(value)}`, path: p });
  return { op: "raw", json: value };
}

function readFilter(ctx: ReadContext, value: Json, p: (string | number)[]): FilterExpr {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return rawFilter(ctx, value, p);
  const keys = Object.keys(value);
  if (keys.length !== 1) return { op: "and", args: keys.map((k) => readFilter(ctx, { [k]: value[k] as Json }, [...p, k])) };
  const key = keys[0] as string;
  const operand = value[key] as Json;
  if (key === "$and" || key === "$or" || key === "$nor") {
    if (!Array.isArray(operand)) return rawFilter(ctx, value, p);
    const args = operand.map((a, i) => readFilter(ctx, a, [...p, key, i]));
    if (key === "$nor") return { op: "not", arg: { op: "or", args } };
    return { op: key === "$and" ? "and" : "or", args };
  }
  if (key === "$not") return { op: "not", arg: readFilter(ctx, operand, [...p, key]) };
  const field = ctx.byWire.get(key);
  if (field === undefined) return rawFilter(ctx, value, p);
  return readField(ctx, field, key, operand, p);
}

function readField(ctx: ReadContext, field: FilterField, wire: string, operand: Json, p: (string | number)[]): FilterExpr {
  if (typeof operand === "string") return { op: "eq", field, value: operand };
  if (operand === null || typeof operand !== "object" || Array.isArray(operand)) return rawFilter(ctx, { [wire]: operand }, p);
  const conds = Object.entries(operand).map(([op, v]): FilterExpr => {
    const whole: Json = { [wire]: { [op]: v } };
    const mapped = OPS[op];
    if (mapped && typeof v === "string") return { op: mapped, field, value: v };
    if ((op === "$in" || op === "$nin") && Array.isArray(v) && v.every((x) => typeof x === "string")) {
      const cond: FilterExpr = { op: "in", field, values: v as string[] };
      return op === "$in" ? cond : { op: "not", arg: cond };
    }
    if (op === "$not" && v !== null && typeof v === "object" && !Array.isArray(v)) {
      return { op: "not", arg: readField(ctx, field, wire, v, [...p, wire, op]) };
    }
    return rawFilter(ctx, whole, [...p, wire, op]);
  });
  return conds.length === 1 ? (conds[0] as FilterExpr) : { op: "and", args: conds };
}

/** An empty `and` matches everything (it stands for "no filter"; `not` of it matches nothing). */
function isMatchAll(expr: FilterExpr): boolean {
  return expr.op === "and" && expr.args.length === 0;
}
