import type { AndFilter, FilterExpr, FilterField, InCondition, NotFilter, OrFilter, RawFilter, ValueCondition } from "../model/filter.js";
import type { JsonValue } from "../model/json.js";
import { TripwireError } from "../issues.js";
import { deepFreeze } from "./util.js";

/** Conditions on one field. Values are compared as strings; `regex` is an unanchored search (MongoDB `$regex`). */
export interface FieldFilter<F extends FilterField> {
  readonly field: F;
  /** @example runName.eq("baseline") */
  eq(value: string): ValueCondition<F>;
  /** @example runUser.ne("ci-bot") */
  ne(value: string): ValueCondition<F>;
  /** Substring match. @example runName.contains("sweep-") */
  contains(value: string): ValueCondition<F>;
  /** Unanchored regular-expression search; anchor with `^`/`$`. @example alias.regex("^prod-") */
  regex(pattern: string | RegExp): ValueCondition<F>;
  /** One of the values. @example tag.in(["europe", "asia"]) */
  in(values: readonly string[]): InCondition<F>;
}

function fieldFilter<F extends FilterField>(field: F): FieldFilter<F> {
  const cond = (op: ValueCondition["op"], value: string): ValueCondition<F> => deepFreeze({ op, field, value });
  return Object.freeze({
    field,
    eq: (value: string) => cond("eq", value),
    ne: (value: string) => cond("ne", value),
    contains: (value: string) => cond("contains", value),
    regex: (pattern: string | RegExp) => {
      if (pattern instanceof RegExp) {
        if (pattern.flags.replace(/[gy]/g, "") !== "") {
          throw new TripwireError("TW1007", `${field}.regex(${String(pattern)}): W&B's $regex takes no flags; write the pattern without them`);
        }
        return cond("regex", pattern.source);
      }
      return cond("regex", pattern);
    },
    in: (values: readonly string[]) => deepFreeze({ op: "in" as const, field, values: [...values] }),
  });
}

/**
 * The run's display name (W&B filters `Run.name` on `display_name`).
 * @example onRunState(["failed"]).where(runName.regex("^train-"))
 */
export const runName: FieldFilter<"runName"> = fieldFilter("runName");
/**
 * The user who started the run.
 * @example onRunState(["failed"]).where(runUser.eq("alice"))
 */
export const runUser: FieldFilter<"runUser"> = fieldFilter("runUser");
/**
 * An alias of the artifact version (any of its aliases matches).
 * @example onAddArtifactAlias(alias.eq("production"))
 */
export const alias: FieldFilter<"alias"> = fieldFilter("alias");
/**
 * A tag of the artifact version or collection (any of its tags matches).
 * @example onAddArtifactTag(tag.in(["europe", "asia"]))
 */
export const tag: FieldFilter<"tag"> = fieldFilter("tag");
/**
 * The collection name, for `project(...).collections(filter)`.
 * @example project("acme/llm").collections(collectionName.regex("^ckpt-"))
 */
export const collectionName: FieldFilter<"collectionName"> = fieldFilter("collectionName");

/** The fields a filter mentions, as a type (`raw` filters mention none the SDK knows). */
type FieldsOf<T> = T extends RawFilter ? never : T extends FilterExpr<infer F> ? F : never;

/**
 * All of the conditions hold.
 * @example and(runName.contains("sweep-"), runUser.ne("ci-bot"))
 */
export function and<const A extends readonly FilterExpr[]>(...args: A): AndFilter<FieldsOf<A[number]>> {
  return deepFreeze({ op: "and", args: [...args] }) as AndFilter<FieldsOf<A[number]>>;
}

/**
 * At least one of the conditions holds.
 * @example or(tag.eq("europe"), tag.eq("asia"))
 */
export function or<const A extends readonly FilterExpr[]>(...args: A): OrFilter<FieldsOf<A[number]>> {
  return deepFreeze({ op: "or", args: [...args] }) as OrFilter<FieldsOf<A[number]>>;
}

/**
 * The condition does not hold.
 * @example not(runName.eq("debug"))
 */
export function not<const E extends FilterExpr>(arg: E): NotFilter<FieldsOf<E>> {
  return deepFreeze({ op: "not", arg }) as NotFilter<FieldsOf<E>>;
}

/**
 * A W&B filter written in its own MongoDB-like JSON, for conditions the builders do not cover.
 * Kept verbatim; the evaluator evaluates the MongoDB operators it knows (an unknown one is reported), and
 * validation warns about it.
 * @example onAddArtifactAlias(rawFilter({ alias: { $exists: true } }))
 */
export function rawFilter(json: JsonValue): RawFilter {
  return deepFreeze({ op: "raw", json: structuredClone(json) });
}
