import { createRequire } from "node:module";
import type { Pool } from "undici";

// undici is required when an HTTP backend is first made: the embedded default and offline commands never load it.
let undici: typeof import("undici") | undefined;
const loadUndici = (): typeof import("undici") => (undici ??= createRequire(import.meta.url)("undici") as typeof import("undici"));
import { retryDelayMs, type RetryPolicy } from "@tripwire/evaluator";
import { ReconcilerError } from "../model/errors.js";
import { DEFAULT_RETRY, retryAfterMs, type GraphQLError, type GraphQLRequest, type GraphQLResponse, type Transport } from "../model/transport.js";

export interface HttpTransportOptions {
  readonly apiKey?: string;
  readonly retry?: Partial<RetryPolicy>;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Keep-alive connections to the backend (default 8). */
  readonly connections?: number;
  /** For tests: deterministic jitter and sleeping. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told about each retry (status or error, and the wait). */
  readonly onRetry?: (info: { attempt: number; status?: number; error?: string; delayMs: number }) => void;
  /** Told when requests hold back because the backend's rate limit is used up (`RateLimit-Remaining`). */
  readonly onPause?: (info: { delayMs: number; limit?: number }) => void;
  /** For tests: the clock the rate-limit window is measured on. */
  readonly now?: () => number;
}

const RESET_MARGIN_MS = 50;

/**
 * What a response says of the rate-limit window (IETF `RateLimit-*` fields, as W&B sends them): requests left and
 * seconds until the window resets; undefined when it says nothing.
 */
export function rateLimitOf(headers: Record<string, string | string[] | undefined>): { remaining: number; resetMs: number; limit?: number } | undefined {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const remaining = Number(header("ratelimit-remaining"));
  const reset = Number(header("ratelimit-reset"));
  if (!Number.isFinite(remaining) || !Number.isFinite(reset) || header("ratelimit-remaining") === undefined || header("ratelimit-reset") === undefined) return undefined;
  const limit = Number(header("ratelimit-limit"));
  return { remaining, resetMs: Math.max(0, reset * 1000), ...(Number.isFinite(limit) && header("ratelimit-limit") !== undefined ? { limit } : {}) };
}

/**
 * GraphQL over HTTP with undici: one keep-alive pool per backend, a timeout per request, and retries by the one
 * retry policy (`DEFAULT_RETRY`: exponential backoff and jitter on 429 and 5xx, honouring `Retry-After`, and on
 * connection failures).
 */
export class HttpTransport implements Transport {
  readonly url: string;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onRetry: HttpTransportOptions["onRetry"];
  private readonly onPause: HttpTransportOptions["onPause"];
  private readonly now: () => number;
  private count = 0;
  private readonly hasKey: boolean;
  private inFlight = 0;
  /**
   * The backend's rate-limit window as last reported: requests left in it (less those sent since), when it resets,
   * and its size. Unknown until a response carries `RateLimit-*`.
   */
  private window: { remaining: number; resetAt: number; limit: number | undefined } | undefined;
  private pause: Promise<void> | undefined;
  /** Requests waiting for an answer to tell when a window that has just begun resets. */
  private waiting: (() => void)[] = [];
  private pauseAnnounced = false;
  /** When the current window began here (a reset seen locally). */
  private windowStartedAt = Number.NEGATIVE_INFINITY;

  constructor(baseUrl: string, options: HttpTransportOptions = {}) {
    const base = new URL(baseUrl);
    this.url = `${base.origin}${base.pathname.replace(/\/$/, "")}/graphql`;
    this.path = `${base.pathname.replace(/\/$/, "")}/graphql`;
    this.pool = new (loadUndici().Pool)(base.origin, { connections: options.connections ?? 8, keepAliveTimeout: 30_000 });
    this.headers = {
      "content-type": "application/json",
      accept: "application/json",
      "user-agent": "tripwire",
      ...(options.apiKey ? { authorization: `Basic ${Buffer.from(`api:${options.apiKey}`).toString("base64")}` } : {}),
    };
    this.hasKey = Boolean(options.apiKey);
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.onRetry = options.onRetry;
    this.onPause = options.onPause;
    this.now = options.now ?? Date.now;
  }

  /**
   * Takes a request's place in the backend's rate-limit window, waiting for the window to reset when it has none
   * left, so a large apply paces itself instead of tripping the limit (429). Requests that arrive during a wait
   * share it, and after it only as many go as the new window holds.
   */
  private async paced(): Promise<void> {
    // Each way out counts the request in flight at once: the requests resuming right after this one must see it.
    for (;;) {
      const w = this.window;
      if (!w) {
        this.inFlight++;
        return;
      }
      const now = this.now();
      if (now >= w.resetAt) {
        // A new window: its size if the backend said it, else unknown until the next answer; when it resets is
        // known from the next answer.
        this.pauseAnnounced = false;
        this.windowStartedAt = now;
        this.window = w.limit !== undefined && w.limit > 0 ? { remaining: w.limit, resetAt: Number.POSITIVE_INFINITY, limit: w.limit } : undefined;
        continue;
      }
      if (w.remaining > 0) {
        w.remaining--;
        this.inFlight++;
        return;
      }
      if (w.resetAt === Number.POSITIVE_INFINITY) {
        // Nothing in flight will tell when this window resets (the answers stopped carrying RateLimit-*): go on.
        if (this.inFlight === 0) {
          this.window = undefined;
          this.inFlight++;
          return;
        }
        await new Promise<void>((r) => this.waiting.push(r));
        continue;
      }
      this.pause ??= this.sleep(Math.min(w.resetAt - now, this.policy.maxDelayMs)).finally(() => {
        this.pause = undefined;
      });
      await this.pause;
    }
  }

  /** Reads the window a response reports; the requests still in flight are already taking places in it. */
  private observe(headers: Record<string, string | string[] | undefined>, announce: boolean, sentAt: number): void {
    const reported = rateLimitOf(headers);
    if (!reported) return;
    // The answer to a request sent before the window reset here speaks of the window that ended, not of this one.
    if (sentAt < this.windowStartedAt) return;
    // RateLimit-Reset is rounded (whole seconds at W&B): a little past it keeps the next request out of the old window.
    const resetAt = this.now() + reported.resetMs + RESET_MARGIN_MS;
    const remaining = Math.max(0, reported.remaining - this.inFlight);
    this.window = { remaining, resetAt, limit: reported.limit };
    if (remaining > 0) this.pauseAnnounced = false;
    else if (!this.pauseAnnounced) {
      this.pauseAnnounced = true;
      if (announce) this.onPause?.({ delayMs: reported.resetMs, ...(reported.limit !== undefined ? { limit: reported.limit } : {}) });
    }
  }

  /** Lets the requests waiting for an answer look at the window again. */
  private wake(): void {
    for (const r of this.waiting.splice(0)) r();
  }

  get requestCount(): number {
    return this.count;
  }

  async request<T>(request: GraphQLRequest): Promise<GraphQLResponse<T>> {
    const body = JSON.stringify({ query: request.query, ...(request.variables ? { variables: request.variables } : {}) });
    for (let attempt = 0; ; attempt++) {
      await this.paced();
      this.count++;
      let status: number;
      let text: string;
      let headers: Record<string, string | string[] | undefined>;
      const sentAt = this.now();
      try {
        const res = await this.pool.request({
          path: this.path,
          method: "POST",
          headers: this.headers,
          body,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        status = res.statusCode;
        headers = res.headers;
        text = await res.body.text();
        this.inFlight--;
        // A 429 is announced by its retry; the window it reports still holds the other requests back.
        this.observe(headers, status !== 429, sentAt);
        this.wake();
      } catch (error) {
        this.inFlight--;
        this.wake();
        const message = error instanceof loadUndici().errors.UndiciError || error instanceof Error ? error.message : String(error);
        const delayMs = retryDelayMs(this.policy, attempt + 1, { status: null }, this.random);
        if (delayMs === undefined) {
          throw new ReconcilerError("TWE001", `cannot reach ${this.url}: ${message} (after ${attempt + 1} attempts)`, { cause: error });
        }
        this.onRetry?.({ attempt: attempt + 1, error: message, delayMs });
        await this.sleep(delayMs);
        continue;
      }
      const delayMs = retryDelayMs(this.policy, attempt + 1, { status, retryAfterMs: retryAfterMs(headers) }, this.random);
      if (delayMs !== undefined) {
        this.onRetry?.({ attempt: attempt + 1, status, delayMs });
        await this.sleep(delayMs);
        continue;
      }
      if (status === 401) {
        // W&B (and a Tripwire server) answer 401 for a missing or unknown key, before looking at the request.
        throw this.hasKey
          ? new ReconcilerError("TW6204", `${this.url} rejected the API key in WANDB_API_KEY (HTTP 401): set WANDB_API_KEY to a current key of a user of this backend`, { status })
          : new ReconcilerError("TW6203", `${this.url} needs an API key and WANDB_API_KEY is not set: export WANDB_API_KEY=<your key>`, { status });
      }
      let parsed: { data?: T | null; errors?: GraphQLError[] } | undefined;
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.data === undefined && parsed.errors === undefined)) {
        const snippet = text.slice(0, 200).replace(/\s+/g, " ");
        throw new ReconcilerError("TWE002", `${this.url} answered HTTP ${status}: ${snippet || "(empty body)"}`, { status });
      }
      return { status, ...parsed };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
