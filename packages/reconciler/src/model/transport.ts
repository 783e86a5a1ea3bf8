// How GraphQL documents reach a backend, and how the reconciler's HTTP clients retry: the GraphQL client's transport
// and the GitHub comment poster use the evaluator's one retry policy (`retryDelayMs`) with these parameters.
import { retryAfterMs as parseRetryAfter, type RetryPolicy } from "@tripwire/evaluator";

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

/**
 * The GraphQL client's retries: 6 attempts in all; on 429, 500, 502, 503, 504 and on no answer (connection
 * error, timeout); the server's `Retry-After` (or W&B's `RateLimit-Reset`) when it sent one, else a backoff of
 * 250 ms doubling per attempt with full jitter; every wait at most 30 s.
 */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  jitter: "full",
  statuses: [429, 500, 502, 503, 504],
  serverErrors: false,
  retryAfterOn: "any",
  maxRetryAfterMs: 30_000,
};

/** Seconds (`120`) or an HTTP date; also W&B's `RateLimit-Reset` seconds. */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return parseRetryAfter(header("retry-after") ?? header("ratelimit-reset"), now);
}

