import type { FilterExpr } from "@tripwire/sdk";

/**
 * Whether a filter holds for a record of string fields, with MongoDB semantics: `regex` is an unanchored
 * search, and a multi-valued field matches if any value does. `undefined` means the filter holds a raw node that
 * cannot be evaluated here.
 */
export function matches(expr: FilterExpr | undefined, record: Readonly<Record<string, readonly string[]>>): boolean | undefined {
  if (expr === undefined) return true;
  switch (expr.op) {
    case "and": {
      let all: boolean | undefined = true;
      for (const a of expr.args) {
        const r = matches(a, record);
        if (r === false) return false;
        if (r === undefined) all = undefined;
      }
      return all;
    }
    case "or": {
      let any: boolean | undefined = false;
      for (const a of expr.args) {
        const r = matches(a, record);
        if (r === true) return true;
        if (r === undefined) any = undefined;
      }
      return any;
    }
    case "not": {
      const r = matches(expr.arg, record);
      return r === undefined ? undefined : !r;
    }
    case "raw":
      return undefined;
    default: {
      const values = record[expr.field] ?? [];
      switch (expr.op) {
        case "eq":
          return values.includes(expr.value);
        case "ne":
          return !values.includes(expr.value);
        case "contains":
          return values.some((v) => v.includes(expr.value));
        case "regex": {
          const re = new RegExp(expr.value);
          return values.some((v) => re.test(v));
        }
        case "in":
          return values.some((v) => expr.values.includes(v));
      }
    }
  }
}
