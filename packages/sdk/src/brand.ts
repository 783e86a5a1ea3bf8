/**
 * SDK values are recognised by a brand under a registered symbol, never with `instanceof`:
 * a user's project may load its own copy of the SDK, and `Symbol.for` is shared by all copies.
 * @example const kind = (value as Record<symbol, unknown>)[BRAND]; // "automation"
 */
export const BRAND: unique symbol = Symbol.for("tripwire/brand") as never;

export type BrandKind = "automation" | "scope" | "event" | "metric" | "condition" | "integration";

export interface Branded<K extends BrandKind> {
  readonly [BRAND]: K;
}

/**
 * Whether `value` carries the Tripwire brand `kind` (works across copies of the SDK).
 * @example isBranded(value, "automation")
 */
export function isBranded<K extends BrandKind>(value: unknown, kind: K): value is Branded<K> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === kind
  );
}

/** Defines the brand as a non-enumerable property so it never shows up in JSON or equality checks. */
export function brand<K extends BrandKind, T extends object>(kind: K, target: T): T & Branded<K> {
  Object.defineProperty(target, BRAND, { value: kind, enumerable: false });
  return target as T & Branded<K>;
}
