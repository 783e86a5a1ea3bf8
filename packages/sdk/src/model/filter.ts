import * as z from "zod";
import { JsonValueSchema, type JsonValue } from "./json.js";

/**
 * The filter language of W&B automations (MongoDB-like, spec §B.2) as plain data.
 *
 * Fields are our names; the wire codec maps them (`runName` → `display_name`, `runUser` → `username`).
 * A `raw` node holds a wire filter the SDK cannot model, kept verbatim so it is never lost.
 * @example FILTER_FIELDS.includes("runName") // true
 */
export const FILTER_FIELDS = ["runName", "runUser", "alias", "tag", "collectionName"] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type RunField = "runName" | "runUser";
export type ArtifactField = "alias" | "tag";
export type CollectionField = "collectionName";

/**
 * Operators that compare a field with one string.
 * @example VALUE_OPS.includes("regex") // true
 */
export const VALUE_OPS = ["eq", "ne", "contains", "regex"] as const;
export type ValueOp = (typeof VALUE_OPS)[number];

export interface ValueCondition<F extends FilterField = FilterField> {
  readonly op: ValueOp;
  readonly field: F;
  readonly value: string;
}
export interface InCondition<F extends FilterField = FilterField> {
  readonly op: "in";
  readonly field: F;
  readonly values: readonly string[];
}
export interface AndFilter<F extends FilterField = FilterField> {
  readonly op: "and";
  readonly args: readonly FilterExpr<F>[];
}
export interface OrFilter<F extends FilterField = FilterField> {
  readonly op: "or";
  readonly args: readonly FilterExpr<F>[];
}
export interface NotFilter<F extends FilterField = FilterField> {
  readonly op: "not";
  readonly arg: FilterExpr<F>;
}
/** A wire filter the SDK cannot express, kept verbatim (MongoDB-like JSON as W&B stores it). */
export interface RawFilter {
  readonly op: "raw";
  readonly json: JsonValue;
}

export type Condition<F extends FilterField = FilterField> = ValueCondition<F> | InCondition<F>;
export type FilterExpr<F extends FilterField = FilterField> =
  | Condition<F>
  | AndFilter<F>
  | OrFilter<F>
  | NotFilter<F>
  | RawFilter;

export type RunFilter = FilterExpr<RunField>;
export type ArtifactFilter = FilterExpr<ArtifactField>;
export type CollectionFilter = FilterExpr<CollectionField>;

/**
 * Validates a filter expression.
 * @example FilterExprSchema.parse(and(runName.eq("a"), runUser.ne("b")))
 */
export const FilterExprSchema: z.ZodType<FilterExpr> = z.lazy(() =>
  z.discriminatedUnion("op", [
    z.object({ op: z.enum(VALUE_OPS), field: z.enum(FILTER_FIELDS), value: z.string() }).strict(),
    z.object({ op: z.literal("in"), field: z.enum(FILTER_FIELDS), values: z.array(z.string()) }).strict(),
    z.object({ op: z.literal("and"), args: z.array(FilterExprSchema) }).strict(),
    z.object({ op: z.literal("or"), args: z.array(FilterExprSchema) }).strict(),
    z.object({ op: z.literal("not"), arg: FilterExprSchema }).strict(),
    z.object({ op: z.literal("raw"), json: JsonValueSchema }).strict(),
  ]),
);

/**
 * Every field a filter mentions (raw nodes mention none we know of).
 * @example filterFields(and(runName.eq("a"), runUser.eq("b"))) // Set { "runName", "runUser" }
 */
export function filterFields(expr: FilterExpr): Set<FilterField> {
  const out = new Set<FilterField>();
  const walk = (e: FilterExpr): void => {
    switch (e.op) {
      case "and":
      case "or":
        e.args.forEach(walk);
        return;
      case "not":
        walk(e.arg);
        return;
      case "raw":
        return;
      default:
        out.add(e.field);
    }
  };
  walk(expr);
  return out;
}

/**
 * Visits every node of a filter, depth first, with its path inside the filter.
 * @example walkFilter(filter, (node, path) => console.log(path.join("."), node.op))
 */
export function walkFilter(
  expr: FilterExpr,
  visit: (node: FilterExpr, path: (string | number)[]) => void,
  path: (string | number)[] = [],
): void {
  visit(expr, path);
  if (expr.op === "and" || expr.op === "or") {
    expr.args.forEach((arg, i) => walkFilter(arg, visit, [...path, "args", i]));
  } else if (expr.op === "not") {
    walkFilter(expr.arg, visit, [...path, "arg"]);
  }
}
