import { Pool, type Dispatcher as UndiciDispatcher } from "undici";
import type { NotificationActionSpec, Severity } from "@tripwire/sdk";
import type { Logger } from "../log.js";
import type { AttemptUpdate, ExecutionRecord, ExecutionSettle, IntegrationRecord, Store } from "../store/types.js";
import { DueHeap } from "./heap.js";
import { compileWebhook, retryAfterMs as parseRetryAfter, retryDelayMs, slackMessage, type CompiledWebhook, type Firing, type RetryPolicy } from "@tripwire/evaluator";
import { UrlPolicy, UrlRefused } from "./url-policy.js";

/** Delivery policy: retries, timeouts and concurrency. */
export interface DeliveryOptions {
  /** Attempts per execution, the first included (default 8). */
  readonly maxAttempts?: number;
  /** First retry delay before jitter (default 500 ms); doubles per attempt. */
  readonly baseDelayMs?: number;
  /** Cap of the exponential backoff (default 60 s). */
  readonly maxDelayMs?: number;
  /** Cap of a receiver's `Retry-After` (default 10 min). */
  readonly maxRetryAfterMs?: number;
  /**
   * Timeout of a whole attempt when the integration sets none (default 10 s): from the moment it is due and taken
   * from the queue — time spent waiting for its origin's budget counts — to the last byte of the answer.
   */
  readonly timeoutMs?: number;
  /** Attempts sending at once, all receivers together (default 128). */
  readonly concurrency?: number;
  /** Keep-alive connections per receiver origin (default 32). */
  readonly connectionsPerOrigin?: number;
  /**
   * Attempts sending at once to one origin (default and at most `connectionsPerOrigin`): a slow or hanging
   * receiver holds only its own budget, never the slots other origins deliver through.
   */
  readonly concurrencyPerOrigin?: number;
  /** Where deliveries may go (default: public addresses only, see {@link UrlPolicy}). */
  readonly urlPolicy?: UrlPolicy;
  /** Base URL of the "View in W&B" link in Slack messages. */
  readonly linkBaseUrl?: string;
  /** Jitter source in [0, 1) (tests pin it). */
  readonly random?: () => number;
  /**
   * Attempt results are written in groups, at most this long after the attempt (default 20 ms) or once
   * 512 are waiting. A crash in between loses only the record, and the delivery is repeated with the same
   * idempotency key (at-least-once).
   */
  readonly writeDelayMs?: number;
}

const SNIPPET = 1024;
/** Bytes of an answer kept to show its first {@link SNIPPET} characters (a character is at most 4 bytes); the rest is read and dropped. */
const KEEP_BYTES = SNIPPET * 4;
/**
 * Most of an answer read: past this the connection is closed and the answer is what was kept. A receiver's body
 * is only ever shown as its first 1 KiB, so reading more would cost time and bandwidth for nothing.
 */
const MAX_READ_BYTES = 1024 * 1024;

/**
 * Deliveries retry by the one retry policy (the evaluator's `retryDelayMs`) with these parameters: 408, 425, 429,
 * every 5xx and no answer (connection error, timeout) are retried; the receiver's `Retry-After` is honoured on 429
 * and 503 only, up to `maxRetryAfterMs`; otherwise backoff with equal jitter.
 */
function deliveryRetry(options: DeliveryOptions): RetryPolicy {
  return {
    maxAttempts: options.maxAttempts ?? 8,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 60_000,
    jitter: "equal",
    statuses: [408, 425, 429],
    serverErrors: true,
    retryAfterOn: [429, 503],
    maxRetryAfterMs: options.maxRetryAfterMs ?? 600_000,
  };
}

/**
 * Parses `Retry-After` (seconds or an HTTP date) into milliseconds from now: the evaluator's one reading of the header.
 * @example retryAfterMs("120") // 120000
 */
export const retryAfterMs = (value: string | string[] | undefined, now = Date.now()): number | undefined => parseRetryAfter(value, now);

/** What one HTTP attempt got: the status and `Retry-After` once headers arrived, the body text once complete. */
interface Answer {
  statusCode: number | null;
  retryAfter: number | undefined;
  /** The answer's first {@link KEEP_BYTES} bytes as text. */
  text: string | null;
  /** The answer was longer than `text`. */
  cut?: boolean;
  error: string | null;
  /** Refused by the URL policy when connecting (final: not retried). */
  refused?: boolean;
}

/**
 * One request through undici's dispatcher interface, answering what `pool.request()` and `body.text()` would
 * (status, `Retry-After`, the body decoded as UTF-8 without a BOM, or the error's message) without the response
 * stream, async resource and promises those build per request. An error after the headers keeps the status.
 */
function send(pool: Pool, opts: UndiciDispatcher.DispatchOptions, remainingMs: number, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const answer: Answer = { statusCode: null, retryAfter: undefined, text: null, error: null };
    const chunks: Buffer[] = [];
    let length = 0;
    let total = 0;
    let abort: ((e: Error) => void) | undefined;
    let expired: Error | undefined;
    let enough = false;
    // One deadline for the whole attempt (connect, headers, every body chunk), not undici's per-phase timers.
    const timer = setTimeout(() => {
      expired = new Error(`attempt timeout: no complete answer within ${timeoutMs} ms`);
      abort?.(expired);
    }, Math.max(0, remainingMs));
    const done = () => {
      clearTimeout(timer);
      resolve(answer);
    };
    function complete() {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
      const bom = body.length > 2 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
      answer.text = body.toString("utf8", bom);
      answer.cut = total > length;
      done();
    }
    const handler: UndiciDispatcher.DispatchHandler = {
      onConnect(a) {
        abort = a;
        if (expired) a(expired);
      },
      onHeaders(statusCode, rawHeaders) {
        if (statusCode < 200) return true; // informational: the answer follows
        answer.statusCode = statusCode;
        for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
          const name = rawHeaders[i] as Buffer;
          if (name.length === 11 && name.toString("latin1").toLowerCase() === "retry-after") {
            answer.retryAfter = retryAfterMs((rawHeaders[i + 1] as Buffer).toString("latin1"));
            break;
          }
        }
        return true;
      },
      onData(chunk) {
        // Streamed: only the head is kept, so a huge answer costs reading time (bounded by the timeout), not memory.
        total += chunk.length;
        if (length < KEEP_BYTES) {
          const part = length + chunk.length > KEEP_BYTES ? chunk.subarray(0, KEEP_BYTES - length) : chunk;
          chunks.push(part);
          length += part.length;
        }
        if (total > MAX_READ_BYTES && !enough) {
          enough = true;
          abort?.(new Error("answer cut"));
          return false;
        }
        return true;
      },
      onComplete: complete,
      onError(e) {
        if (enough) return complete();
        if ((e as { code?: unknown }).code === UrlRefused.CODE) answer.refused = true;
        answer.error = expired ? expired.message : e instanceof Error ? e.message : String(e);
        done();
      },
    };
    pool.dispatch(opts, handler);
  });
}

interface Waiting {
  readonly deadline: number;
  readonly resolve: (gotSlot: boolean) => void;
}

interface OriginBudget {
  sending: number;
  readonly waiting: Waiting[];
  timer: NodeJS.Timeout | undefined;
}

/** The action as it was saved when the automation fired (`triggers.action_config`). */
interface SavedAction {
  integrationId?: number;
  requestPayload?: string;
  title?: string;
  message?: string;
  severity?: string;
}

/**
 * Delivers executions from the durable outbox: webhooks (spec §E.1 request format, signed, bearer token) and
 * Slack incoming-webhook messages, over one undici `Pool` per receiver origin. Every attempt is recorded;
 * failures are retried by the one retry policy (see `deliveryRetry`: exponential backoff and equal jitter, or the
 * receiver's `Retry-After` on 429 / 503); every attempt carries the execution's `Idempotency-Key`, so a delivery
 * repeated after a crash (at-least-once) is recognisable. Attempt results are written in groups, one transaction per event-loop turn.
 */
export class Dispatcher {
  private readonly heap = new DueHeap();
  private readonly cache = new Map<number, ExecutionRecord>();
  private readonly queued = new Set<number>();
  private readonly pools = new Map<string, Pool>();
  /** Attempts begun: sending, or waiting for their origin's budget. */
  /**
   * Executions with an attempt in flight, and how many: an answer that schedules an immediate retry (Retry-After: 0)
   * starts the next attempt before the one it answered has finished, so one execution can briefly have two.
   */
  private readonly inflight = new Map<number, number>();
  /** Attempts sending, all origins together (bounded by `concurrency`). */
  private sending = 0;
  /** Per origin: attempts sending, and those waiting for one of its slots (FIFO). */
  private readonly origins = new Map<string, OriginBudget>();
  /** Firings of executions handed over live, already parsed (saves parsing them back from JSON). */
  private readonly firings = new Map<number, Firing>();
  private readonly writes: AttemptUpdate[] = [];
  private readonly settles: ExecutionSettle[] = [];
  private writeScheduled = false;
  private writeTimer: NodeJS.Timeout | undefined;
  /** Integrations and secrets change rarely: read them at most once a second per delivery burst. */
  private readonly lookups = new Map<string, { at: number; value: unknown }>();
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private closed = false;
  private closedHard = false;
  private idleWaiters: (() => void)[] = [];
  private readonly opt: Required<Omit<DeliveryOptions, "linkBaseUrl" | "maxAttempts" | "baseDelayMs" | "maxDelayMs" | "maxRetryAfterMs">> & { linkBaseUrl: string | undefined };
  private readonly retry: RetryPolicy;
  /** Why a URL may not be delivered to (undefined: it may), per URL. */
  private readonly refusals = new Map<string, string | undefined>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    options: DeliveryOptions = {},
  ) {
    this.retry = deliveryRetry(options);
    this.opt = {
      timeoutMs: options.timeoutMs ?? 10_000,
      concurrency: options.concurrency ?? 128,
      connectionsPerOrigin: options.connectionsPerOrigin ?? 32,
      concurrencyPerOrigin: Math.min(options.concurrencyPerOrigin ?? Infinity, options.connectionsPerOrigin ?? 32),
      urlPolicy: options.urlPolicy ?? new UrlPolicy(),
      linkBaseUrl: options.linkBaseUrl,
      random: options.random ?? Math.random,
      writeDelayMs: options.writeDelayMs ?? 20,
    };
  }

  /** Where Slack links point when the options name no base URL: the server's own, since the runs live there. */
  linkToServer(baseUrl: string): void {
    this.opt.linkBaseUrl ??= baseUrl;
  }

  /** Loads every pending execution from the store (after a restart they carry on where they stopped). */
  start(): void {
    const pending = this.store.pendingExecutions();
    for (const p of pending) this.schedule(p.id, p.nextAttemptAt);
    if (pending.length > 0) this.logger.log("info", "resuming pending deliveries", { count: pending.length });
  }

  /** Hands freshly committed executions to the dispatcher (with their firings, when the caller has them). */
  enqueue(records: readonly ExecutionRecord[], firings?: readonly Firing[]): void {
    for (const [i, r] of records.entries()) {
      if (r.state !== "PENDING") continue;
      this.cache.set(r.id, r);
      const f = firings?.[i];
      if (f) this.firings.set(r.id, f);
      this.schedule(r.id, r.nextAttemptAt ?? Date.now());
    }
  }

  /** Executions waiting or in flight. */
  get backlog(): number {
    return this.queued.size + this.inflight.size;
  }

  private schedule(id: number, due: number): void {
    if (this.closed || this.queued.has(id)) return;
    this.queued.add(id);
    this.heap.push(id, due);
    this.pump();
  }

  private pump(): void {
    if (this.closed) {
      if (this.inflight.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    const now = Date.now();
    while (this.sending < this.opt.concurrency && this.heap.size > 0 && (this.heap.peekDue() as number) <= now) {
      const id = this.heap.pop() as number;
      this.queued.delete(id);
      this.attempt(id);
    }
    const next = this.heap.peekDue();
    if (next !== undefined && next > now && this.sending < this.opt.concurrency && next < this.timerDue) {
      if (this.timer) clearTimeout(this.timer);
      this.timerDue = next;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.timerDue = Infinity;
        this.pump();
      }, next - now);
    }
    if (this.inflight.size === 0 && this.heap.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, {
        connections: this.opt.connectionsPerOrigin,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        // Host names are resolved through the URL policy: the address checked is the address connected to.
        connect: { lookup: this.opt.urlPolicy.lookup as never },
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  private attempt(id: number): void {
    const x = this.cache.get(id) ?? this.store.executionById(id);
    if (!x || x.state !== "PENDING") return;
    this.inflight.set(id, (this.inflight.get(id) ?? 0) + 1);
    void this.deliver(x).finally(() => {
      const left = (this.inflight.get(id) ?? 1) - 1;
      if (left === 0) this.inflight.delete(id);
      else this.inflight.set(id, left);
      this.pump();
    });
  }

  private budget(origin: string): OriginBudget {
    let b = this.origins.get(origin);
    if (!b) {
      b = { sending: 0, waiting: [], timer: undefined };
      this.origins.set(origin, b);
    }
    return b;
  }

  /**
   * Takes one of the origin's slots now (true), or waits for one until `deadline` (the promise says whether it got
   * one). Only a saturated origin makes attempts wait here, so its queue never holds back other origins.
   */
  private acquire(origin: string, deadline: number): true | Promise<boolean> {
    const b = this.budget(origin);
    if (b.sending < this.opt.concurrencyPerOrigin) {
      b.sending++;
      this.sending++;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      b.waiting.push({ deadline, resolve });
      this.expireWaiting(b);
    });
  }

  /** Hands the slot to the origin's next waiting attempt, or gives it back. */
  private release(origin: string): void {
    const b = this.budget(origin);
    const now = Date.now();
    for (;;) {
      const w = b.waiting.shift();
      if (!w) break;
      if (w.deadline <= now) {
        w.resolve(false);
        continue;
      }
      w.resolve(true);
      return;
    }
    b.sending--;
    this.sending--;
    if (b.sending === 0 && b.waiting.length === 0) {
      if (b.timer) clearTimeout(b.timer);
      this.origins.delete(origin);
    }
  }

  /** Ends the waits whose deadline passed (from the head; deadlines differ only by integration timeouts). */
  private expireWaiting(b: OriginBudget): void {
    if (b.timer) return;
    const head = b.waiting[0];
    if (!head) return;
    b.timer = setTimeout(() => {
      b.timer = undefined;
      const now = Date.now();
      while (b.waiting.length > 0 && (b.waiting[0] as Waiting).deadline <= now) (b.waiting.shift() as Waiting).resolve(false);
      this.expireWaiting(b);
    }, Math.max(0, head.deadline - Date.now()));
  }

  private readonly marks: { executionId: number; attempt: number }[] = [];
  private marksWritten: Promise<void> | undefined;
  /**
   * Marks an attempt as started before it is sent; the attempts started in one event-loop turn share one write.
   */
  private mark(executionId: number, attempt: number): Promise<void> {
    this.marks.push({ executionId, attempt });
    // setImmediate, not a microtask: answers read in one poll phase each start an attempt, and all share one write.
    return (this.marksWritten ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.marksWritten = undefined;
        const marks = this.marks.splice(0);
        try {
          this.store.markDispatched(marks);
        } catch (e) {
          this.logger.log("error", "could not mark delivery attempts as started", { error: String(e), count: marks.length });
        }
        resolve();
      }),
    ));
  }

  private forget(id: number): void {
    this.cache.delete(id);
    this.firings.delete(id);
  }

  private settle(x: ExecutionRecord, state: "SKIPPED" | "FAILED", error: string): void {
    this.forget(x.id);
    this.settles.push({ executionId: x.id, state, error });
    this.scheduleWrite();
    this.logger.log("warn", "delivery not attempted", { execution: x.id, automation: x.triggerName, state, error });
  }

  private request(x: ExecutionRecord, action: SavedAction, integration: IntegrationRecord, attempt: number): { url: string; headers: string[]; body: string } | string {
    const firing = this.firings.get(x.id) ?? (JSON.parse(x.firing) as Firing);
    // Headers as undici's flat [name, value, …] list.
    const extra = ["Idempotency-Key", x.key, "X-Tripwire-Attempt", String(attempt), "User-Agent", "tripwire-server"];
    // An earlier attempt went out and its result was never recorded (the server stopped meanwhile).
    if ((x.dispatched ?? 0) > x.attempts) extra.push("X-Tripwire-Redelivery", "true");
    if (x.actionType === "NOTIFICATION") {
      const spec: NotificationActionSpec = {
        type: "notification",
        integration: { kind: "slack", name: integration.channelName ?? "" },
        title: action.title ?? "",
        message: action.message ?? "",
        severity: (action.severity ?? "INFO") as Severity,
      };
      const message = slackMessage(spec, firing, this.opt.linkBaseUrl ? { baseUrl: this.opt.linkBaseUrl } : {});
      return { url: integration.url, headers: ["Content-Type", "application/json", ...extra], body: JSON.stringify(message) };
    }
    const secrets = this.cached(`s${integration.entityId}`, () => this.store.secretValues(integration.entityId));
    const hook = this.webhook(x.action, action, integration, secrets);
    if (typeof hook === "string") return hook;
    const body = hook.body(firing);
    return { url: hook.url, headers: hook.headers(body, extra), body };
  }

  /**
   * Webhook requests prepared per saved action; prepared again when the integration or the secrets were
   * re-read (at most once a second, see {@link cached}), so changes still take effect as before.
   */
  private readonly webhooks = new Map<string, { integration: IntegrationRecord; secrets: Record<string, string>; hook: CompiledWebhook | string }>();
  private webhook(key: string, action: SavedAction, integration: IntegrationRecord, secrets: Record<string, string>): CompiledWebhook | string {
    const hit = this.webhooks.get(key);
    if (hit && hit.integration === integration && hit.secrets === secrets) return hit.hook;
    const prepare = (): CompiledWebhook | string => {
      const hook: { url: string; secret?: string; accessToken?: string } = { url: integration.url };
      for (const [ref, field] of [[integration.secretRef, "secret"], [integration.accessTokenRef, "accessToken"]] as const) {
        if (ref === null) continue;
        const value = secrets[ref];
        if (value === undefined) return `the webhook's ${field === "secret" ? "signing secret" : "access token"} "${ref}" is not a secret of its entity`;
        hook[field] = value;
      }
      return compileWebhook(hook, action.requestPayload, secrets);
    };
    const hook = prepare();
    if (this.webhooks.size > 10_000) this.webhooks.clear();
    this.webhooks.set(key, { integration, secrets, hook });
    return hook;
  }

  /** Saved actions by their JSON text: every execution of an automation shares one. */
  private readonly actions = new Map<string, SavedAction>();

  private async deliver(x: ExecutionRecord): Promise<void> {
    let action = this.actions.get(x.action);
    if (!action) {
      action = JSON.parse(x.action) as SavedAction;
      if (this.actions.size > 10_000) this.actions.clear();
      this.actions.set(x.action, action);
    }
    const id = action.integrationId;
    const integration = id === undefined ? undefined : this.cached(`i${id}`, () => this.store.integrationById(id));
    if (!integration) return this.settle(x, "SKIPPED", "the automation's integration was deleted before delivery");
    const attempt = Math.max(x.attempts, x.dispatched ?? 0) + 1;
    let req: ReturnType<Dispatcher["request"]>;
    try {
      req = this.request(x, action, integration, attempt);
    } catch (e) {
      return this.settle(x, "FAILED", `the request could not be built: ${(e as Error).message}`);
    }
    if (typeof req === "string") return this.settle(x, "FAILED", req);

    const refused = this.refusal(req.url);
    if (refused !== undefined) return this.settle(x, "FAILED", refused);

    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    const timeout = integration.timeoutMs ?? this.opt.timeoutMs;
    const deadline = started + timeout;
    let answer: Answer;
    let target: { origin: string; path: string };
    try {
      target = this.target(req.url);
    } catch (e) {
      return this.settle(x, "FAILED", `the URL cannot be parsed: ${(e as Error).message}`);
    }
    const slot = this.acquire(target.origin, deadline);
    if (slot === true || (await slot)) {
      try {
        await this.mark(x.id, attempt);
        answer = await send(
          this.pool(target.origin),
          {
            method: "POST",
            path: target.path,
            headers: req.headers,
            body: req.body,
            // The whole-attempt timer in send() fires first; these only keep undici's own defaults out of the way.
            headersTimeout: timeout + 1000,
            bodyTimeout: timeout + 1000,
          },
          deadline - Date.now(),
          timeout,
        );
      } catch (e) {
        answer = { statusCode: null, retryAfter: undefined, text: null, error: e instanceof Error ? e.message : String(e) };
      } finally {
        this.release(target.origin);
      }
    } else {
      answer = {
        statusCode: null,
        retryAfter: undefined,
        text: null,
        error: `attempt timeout: waited ${timeout} ms for one of the ${this.opt.concurrencyPerOrigin} connections to ${target.origin}, all busy`,
      };
    }
    const { statusCode, retryAfter } = answer;
    const text = answer.text;
    const response = text === null ? null : text.length > SNIPPET || answer.cut ? `${text.slice(0, SNIPPET)}…` : text;
    let error = answer.error;

    // Cut short by shutdown: record nothing, the execution stays pending and is retried after a restart.
    if (this.closedHard && statusCode === null) return;
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    if (!ok && error === null) error = `receiver answered ${statusCode}`;
    // A URL refused on connecting is final: never retried.
    const retryIn = ok || answer.refused ? null : (retryDelayMs(this.retry, attempt, { status: statusCode, retryAfterMs: retryAfter }, this.opt.random) ?? null);
    const outcome: AttemptUpdate["outcome"] = ok ? "success" : retryIn !== null ? "retry" : "failed";
    const state = outcome === "success" ? "FINISHED" : outcome === "retry" ? "PENDING" : "FAILED";
    const nextAttemptAt = retryIn === null ? null : Date.now() + retryIn;
    const update: AttemptUpdate = {
      executionId: x.id,
      attempt,
      startedAt,
      durationMs: Date.now() - started,
      statusCode,
      outcome,
      error: ok ? null : error,
      response,
      retryInMs: retryIn,
      state,
      nextAttemptAt,
      ...(x.actionType === "NOTIFICATION" ? { request: req.body } : {}),
    };
    this.writes.push(update);
    this.scheduleWrite();
    if (outcome === "retry") {
      this.cache.set(x.id, { ...x, attempts: attempt, statusCode, response, error, nextAttemptAt });
      this.schedule(x.id, nextAttemptAt as number);
      this.logger.log("debug", "delivery will be retried", { execution: x.id, automation: x.triggerName, attempt, statusCode, error, retryInMs: retryIn });
    } else {
      this.forget(x.id);
      if (!ok) this.logger.log("warn", "delivery failed", { execution: x.id, automation: x.triggerName, attempt, statusCode, error });
      else this.logger.log("info", "delivered", { execution: x.id, automation: x.triggerName, attempt, statusCode });
    }
  }

  private readonly targets = new Map<string, { origin: string; path: string }>();
  private target(url: string): { origin: string; path: string } {
    let t = this.targets.get(url);
    if (!t) {
      const u = new URL(url);
      t = { origin: u.origin, path: `${u.pathname}${u.search}` };
      if (this.targets.size > 10_000) this.targets.clear();
      this.targets.set(url, t);
    }
    return t;
  }

  /** Checked once per URL: scheme, userinfo, metadata names and IP literals (names are checked again on connect). */
  private refusal(url: string): string | undefined {
    if (this.refusals.has(url)) return this.refusals.get(url);
    let why: string | undefined;
    try {
      this.opt.urlPolicy.checkUrl(url, "the integration's URL");
    } catch (e) {
      why = (e as Error).message;
    }
    if (this.refusals.size > 10_000) this.refusals.clear();
    this.refusals.set(url, why);
    return why;
  }

  private cached<T>(key: string, read: () => T): T {
    const now = Date.now();
    const hit = this.lookups.get(key);
    if (hit && now - hit.at < 1000) return hit.value as T;
    const value = read();
    this.lookups.set(key, { at: now, value });
    return value;
  }

  private scheduleWrite(): void {
    if (this.writes.length + this.settles.length >= 512) {
      this.flushWrites();
      return;
    }
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    this.writeTimer = setTimeout(() => this.flushWrites(), this.opt.writeDelayMs);
  }

  /** Writes recorded attempts (one transaction). */
  flushWrites(): void {
    this.writeScheduled = false;
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    if (this.writes.length === 0 && this.settles.length === 0) return;
    const writes = this.writes.splice(0);
    const settles = this.settles.splice(0);
    try {
      this.store.recordAttempts(writes, settles);
    } catch (e) {
      this.logger.log("error", "could not record delivery attempts; they will be retried after a restart", { error: String(e), count: writes.length });
    }
  }

  /**
   * Resolves when nothing is queued or in flight (tests, benchmarks), with every result recorded: attempts' results
   * are written in batches a little after their answers, so the batch still waiting is written first.
   */
  async idle(): Promise<void> {
    if (this.inflight.size > 0 || this.heap.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.flushWrites();
  }

  /**
   * Stops dispatching: nothing new starts; attempts in flight get `graceMs` to finish (then are aborted and
   * recorded for a retry after restart); results are written; connections closed.
   */
  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.inflight.size > 0) {
      const done = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      const t = setTimeout(() => {
        // Past the grace period: cut the connections; those attempts stay pending for the next start.
        this.closedHard = true;
        for (const p of this.pools.values()) void p.destroy();
      }, graceMs);
      // pump() starts nothing once closed, but still wakes the waiters when the last attempt ends.
      await done;
      clearTimeout(t);
    }
    this.flushWrites();
    await Promise.all([...this.pools.values()].map((p) => (p.destroyed ? undefined : p.close())));
    this.pools.clear();
  }
}
