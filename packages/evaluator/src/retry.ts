/**
 * The one retry policy of Tripwire's HTTP clients: which failures get another attempt, how long to wait before it
 * (exponential backoff with jitter, capped, or the server's `Retry-After`), and how many attempts there are in all.
 * The server's webhook dispatcher and the reconciler's GraphQL client and GitHub comment poster each hold a
 * `RetryPolicy` value (their defaults differ: they are parameters, not a second policy) and ask `retryDelayMs` after
 * every failed attempt. Pure: the caller passes the jitter source and does the waiting.
 */

/** How a client retries. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** The first backoff step; it doubles with every attempt. */
  readonly baseDelayMs: number;
  /** Cap of a backoff step. */
  readonly maxDelayMs: number;
  /** `full`: a wait drawn from [0, step]; `equal`: half the step fixed, the other half drawn. */
  readonly jitter: "full" | "equal";
  /** HTTP statuses retried. An attempt without an answer (connection error, timeout) is always retried. */
  readonly statuses: readonly number[];
  /** Whether every 5xx is retried, beyond those in `statuses`. */
  readonly serverErrors: boolean;
  /** The statuses whose `Retry-After` replaces the backoff; `"any"`: every retried status. */
  readonly retryAfterOn: readonly number[] | "any";
  /** Cap of a wait a `Retry-After` asks for. */
  readonly maxRetryAfterMs: number;
}

/** What a failed attempt got. */
export interface FailedAttempt {
  /** The HTTP status; `null` when no answer came (connection error, timeout). */
  readonly status: number | null;
  /** The wait the answer asked for (`retryAfterMs` of its header), if any. */
  readonly retryAfterMs?: number | undefined;
  /**
   * The answer says a rate limit is used up whatever its status (GitHub answers its secondary rate limits with
   * 403): retried as a 429 would be.
   */
  readonly rateLimited?: boolean;
}

/**
 * Whether an attempt that got `status` (`null`: no answer) may be tried again under the policy.
 * @example isRetryable({ ...policy, statuses: [429], serverErrors: true }, 503) // true
 */
export function isRetryable(policy: RetryPolicy, status: number | null): boolean {
  return status === null || policy.statuses.includes(status) || (policy.serverErrors && status >= 500);
}

/**
 * The backoff before the attempt after attempt number `attempt` (1 for the first): a step of
 * `min(maxDelayMs, baseDelayMs × 2^(attempt − 1))`, jittered; `random` returns a number in [0, 1).
 * @example backoffMs({ ...policy, baseDelayMs: 250, maxDelayMs: 30_000, jitter: "full" }, 3, () => 0.5) // 500
 */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return policy.jitter === "full" ? Math.round(step * random()) : Math.round(step / 2 + random() * (step / 2));
}

/**
 * How long to wait before trying again after attempt number `attempt` (1 for the first) failed, or `undefined`
 * when there is no next attempt: the failure is not retryable, or `maxAttempts` are spent. The answer's
 * `Retry-After` (capped at `maxRetryAfterMs`) is the wait when the policy honours it for that status, else the
 * backoff.
 * @example retryDelayMs(policy, 1, { status: 429, retryAfterMs: 2000 }, Math.random) // 2000
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, failed: FailedAttempt, random: () => number): number | undefined {
  const { status } = failed;
  if (attempt >= policy.maxAttempts || !(failed.rateLimited === true || isRetryable(policy, status))) return undefined;
  const honoured = status !== null && (policy.retryAfterOn === "any" || policy.retryAfterOn.includes(status));
  if (failed.retryAfterMs !== undefined && honoured) return Math.min(policy.maxRetryAfterMs, failed.retryAfterMs);
  return backoffMs(policy, attempt, random);
}

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
