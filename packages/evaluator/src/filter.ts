/**
 * The filter language (spec §B.2) with MongoDB semantics: `$regex` is an unanchored search, `$contains` a
 * substring match, and a multi-valued field (aliases, tags) matches a condition if any element does
 * (`$ne` and `not`: if no element does). Filters are compiled once per automation; regexes never on the hot path.
 */
import type { FilterExpr, FilterField, JsonValue } from "@tripwire/sdk";
import { WIRE_FIELD } from "@tripwire/sdk/wire";
import { compileRegex, type RegexTest } from "./regex.js";

/** The values of each filter field for one event: a multi-valued field lists them all. */
export type FieldValues = Partial<Record<FilterField, readonly string[]>>;

/** A compiled filter. */
export type Predicate = (fields: FieldValues) => boolean;

/** The wire spelling of each field, for raw (verbatim MongoDB JSON) filter nodes. */
const WIRE_FIELDS: Record<string, FilterField> = Object.fromEntries(
  Object.entries(WIRE_FIELD).map(([field, wire]) => [wire, field as FilterField]),
);

/**
 * A filter the evaluator cannot decide (an unknown operator in a raw node); such an automation never fires, and the
 * reconciler reports it where it expands a collection filter.
 * @example
 * try { compileFilter(rawFilter({ collection_name: { $where: "x" } })) } catch (e) { e instanceof UnsupportedFilterError } // true
 */
export class UnsupportedFilterError extends Error {
  override readonly name = "UnsupportedFilterError";
}

function regex(pattern: string): RegexTest | undefined {
  const r = compileRegex(pattern);
  return r.ok ? r.test : undefined; // validation reports it (TW1007); a pattern that does not compile matches nothing
}

const any = (values: readonly string[] | undefined, test: (v: string) => boolean): boolean => {
  if (values === undefined) return false;
  for (const v of values) if (test(v)) return true;
  return false;
};

/**
 * Compiles a filter into a predicate; `undefined` (no filter) matches everything. Throws
 * `UnsupportedFilterError` for a raw node using an operator the evaluator does not know.
 * @example compileFilter(alias.regex("^prod"))({ alias: ["latest", "production"] }) // true
 */
export function compileFilter(expr: FilterExpr | undefined): Predicate {
  if (expr === undefined) return () => true;
  switch (expr.op) {
    case "and": {
      const parts = expr.args.map(compileFilter);
      return (f) => parts.every((p) => p(f));
    }
    case "or": {
      const parts = expr.args.map(compileFilter);
      return (f) => parts.some((p) => p(f));
    }
    case "not": {
      const inner = compileFilter(expr.arg);
      return (f) => !inner(f);
    }
    case "raw":
      return compileRaw(expr.json);
    case "eq": {
      const { field, value } = expr;
      return (f) => any(f[field], (v) => v === value);
    }
    case "ne": {
      const { field, value } = expr;
      return (f) => !any(f[field], (v) => v === value);
    }
    case "contains": {
      const { field, value } = expr;
      return (f) => any(f[field], (v) => v.includes(value));
    }
    case "regex": {
      const { field } = expr;
      const re = regex(expr.value);
      if (re === undefined) return () => false;
      return (f) => any(f[field], re);
    }
    case "in": {
      const { field } = expr;
      const set = new Set(expr.values);
      return (f) => any(f[field], (v) => set.has(v));
    }
  }
}

type Obj = { [key: string]: JsonValue };
const isObj = (v: JsonValue): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** MongoDB-like JSON as W&B stores it (the `raw` escape hatch), on the wire field names. */
function compileRaw(json: JsonValue): Predicate {
  if (!isObj(json)) throw new UnsupportedFilterError(`a filter must be an object, got ${JSON.stringify(json)}`);
  const keys = Object.keys(json);
  const parts = keys.map((key): Predicate => {
    const operand = json[key] as JsonValue;
    if (key === "$and" || key === "$or" || key === "$nor") {
      if (!Array.isArray(operand)) throw new UnsupportedFilterError(`${key} needs a list`);
      const args = operand.map(compileRaw);
      if (key === "$and") return (f) => args.every((p) => p(f));
      if (key === "$or") return (f) => args.some((p) => p(f));
      return (f) => !args.some((p) => p(f));
    }
    if (key === "$not") {
      const inner = compileRaw(operand);
      return (f) => !inner(f);
    }
    const field = WIRE_FIELDS[key];
    if (field === undefined) throw new UnsupportedFilterError(`unknown filter field ${key}`);
    return compileFieldOps(field, isObj(operand) && Object.keys(operand).every((k) => k.startsWith("$")) ? operand : { $eq: operand });
  });
  return (f) => parts.every((p) => p(f));
}

function compileFieldOps(field: FilterField, ops: Obj): Predicate {
  const parts = Object.entries(ops).map(([op, v]): Predicate => {
    const str = typeof v === "string" ? v : undefined;
    const list = Array.isArray(v) && v.every((x) => typeof x === "string") ? new Set(v as string[]) : undefined;
    switch (op) {
      case "$eq":
        if (str !== undefined) return (f) => any(f[field], (x) => x === str);
        break;
      case "$ne":
        if (str !== undefined) return (f) => !any(f[field], (x) => x === str);
        break;
      case "$in":
        if (list) return (f) => any(f[field], (x) => list.has(x));
        break;
      case "$nin":
        if (list) return (f) => !any(f[field], (x) => list.has(x));
        break;
      case "$regex":
        if (str !== undefined) {
          const re = regex(str);
          return re ? (f) => any(f[field], re) : () => false;
        }
        break;
      case "$contains":
        if (str !== undefined) return (f) => any(f[field], (x) => x.includes(str));
        break;
      case "$exists":
        if (typeof v === "boolean") return (f) => ((f[field]?.length ?? 0) > 0) === v;
        break;
      case "$not":
        if (isObj(v)) {
          const inner = compileFieldOps(field, v);
          return (f) => !inner(f);
        }
        break;
      case "$size":
        if (typeof v === "number") return (f) => (f[field]?.length ?? 0) === v;
        break;
      case "$all":
        if (list) return (f) => [...list].every((x) => f[field]?.includes(x) ?? false);
        break;
      default:
        break;
    }
    throw new UnsupportedFilterError(`unsupported filter operator ${op} ${JSON.stringify(v)} on ${field}`);
  });
  return (f) => parts.every((p) => p(f));
}
