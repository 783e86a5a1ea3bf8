// How GraphQL documents reach a backend, and the one retry policy: the GraphQL client's transport and the GitHub
// comment poster back off the same way.
import { retryAfterMs as parseRetryAfter } from "@tripwire/evaluator";

export interface GraphQLRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
}

export interface GraphQLError {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: Record<string, unknown>;
}

export interface GraphQLResponse<T = unknown> {
  /** The HTTP status (the one the server would have sent, for in-process execution). */
  readonly status: number;
  readonly data?: T | null;
  readonly errors?: readonly GraphQLError[];
}

/** How GraphQL documents reach a backend: HTTP (W&B, a Tripwire server) or in-process (the embedded default). */
export interface Transport {
  readonly url: string;
  request<T>(request: GraphQLRequest): Promise<GraphQLResponse<T>>;
  /** Requests sent so far (retries included). */
  readonly requestCount: number;
  close(): Promise<void>;
}

export interface RetryPolicy {
  /** Attempts after the first (default 5). */
  readonly retries: number;
  /** First backoff, doubled each attempt, with full jitter (default 250 ms). */
  readonly baseDelayMs: number;
  /** Longest wait between attempts, `Retry-After` included (default 30 s). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 250, maxDelayMs: 30_000 };

/** Seconds (`120`) or an HTTP date; also W&B's `RateLimit-Reset` seconds. */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return parseRetryAfter(header("retry-after") ?? header("ratelimit-reset"), now);
}

/** Exponential backoff with full jitter, or the server's `Retry-After` when it sent one. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number, retryAfter?: number): number {
  if (retryAfter !== undefined) return Math.min(policy.maxDelayMs, retryAfter);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(cap * random());
}

