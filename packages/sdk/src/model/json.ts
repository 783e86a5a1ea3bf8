import * as z from "zod";

/** A JSON value: what a webhook payload, or a filter kept verbatim, may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Validates a JSON value (finite numbers only).
 * @example JsonValueSchema.parse({ version: "${artifact_version_string}" })
 */
export const JsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, "must be a finite number"),
    z.boolean(),
    z.null(),
    z.array(JsonValueSchema),
    z.record(z.string(), JsonValueSchema),
  ]),
);

/**
 * JSON text with object keys sorted at every level: equal for semantically equal values.
 * @example canonicalJson({ b: 1, a: 2 }) === canonicalJson({ a: 2, b: 1 }) // true
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortJson(value));
}

/**
 * A copy of a JSON value with object keys sorted at every level (`undefined` members dropped).
 * @example Object.keys(sortJson({ b: 1, a: 2 }) as object) // ["a", "b"]
 */
export function sortJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      // A "__proto__" key is data here, never the prototype: assignment would set the prototype instead.
      if (key === "__proto__") Object.defineProperty(out, key, { value: sortJson(v), enumerable: true, writable: true, configurable: true });
      else out[key] = sortJson(v);
    }
    return out;
  }
  return value;
}
