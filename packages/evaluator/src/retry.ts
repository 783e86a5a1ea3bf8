/**
 * Milliseconds from `now` until a `Retry-After` value (RFC 9110 §10.2.3: delay seconds, here also with a fraction,
 * or an HTTP date) allows the next attempt; `undefined` when there is no usable value. The one reading of the header,
 * shared by the server's webhook dispatcher and the reconciler's GraphQL client (which also reads W&B's
 * `RateLimit-Reset` seconds through it).
 * @example retryAfterMs("3", 0) // 3000
 * @example retryAfterMs("Thu, 01 Jan 1970 00:00:10 GMT", 4_000) // 6000
 */
export function retryAfterMs(value: string | readonly string[] | undefined, now: number): number | undefined {
  const v = (typeof value === "string" ? value : value?.[0])?.trim();
  if (v === undefined || v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
