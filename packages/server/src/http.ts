import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { GraphQLSchema } from "graphql";
import { Access } from "./access.js";
import { execute, type GraphQLRequest } from "./graphql/execute.js";
import { executionNode } from "./graphql/history.js";
import { GRAPHQL_LIMITS, limitError } from "./graphql/limits.js";
import { answerHistory } from "./history.js";
import { fromGlobalId } from "./ids.js";
import { deliveryOutcome } from "./runtime/mask.js";
import { MAX_FUTURE_SKEW_MS, parseBody } from "./ingest/parse.js";
import type { Logger } from "./log.js";
import { IngestForbidden } from "./runtime/catalog.js";
import type { Runtime } from "./runtime/runtime.js";
import type { ExecutionState, Store, UserRecord } from "./store/types.js";
import type { UrlPolicy } from "./runtime/url-policy.js";
import { pageArgs, connection } from "./graphql/connection.js";
import { createUi, isUiPath, type RenderDefinition } from "./ui.js";

export interface HttpOptions {
  readonly store: Store;
  readonly runtime: Runtime;
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
  /** Where integrations may point (checked when they are created). */
  readonly urlPolicy?: UrlPolicy;
  /** Largest accepted request body (default 32 MiB). */
  readonly maxBodyBytes?: number;
  /** Writes automations as SDK code on the web page (`tripwire server` injects the reconciler's generator). */
  readonly renderDefinition?: RenderDefinition | undefined;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const KEY_CACHE_MS = 5_000;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > max) {
        // Answer now and discard the rest; the connection closes after the answer.
        if (chunks.length > 0) chunks.length = 0;
        reject(new HttpError(413, `the body is larger than ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * The HTTP front: `POST /graphql`, `POST /api/v1/events`, `GET /api/v1/executions`, `GET /api/v1/history`, `GET /healthz`, and
 * the web page at `/` and `/ui/` (see {@link createUi}). Every API route but `/healthz` needs
 * `Authorization: Basic base64("api:<API key>")`; the page's data needs the same key, kept in a cookie by its sign-in form.
 */
export function createHttpServer(options: HttpOptions): { server: Server; inflight: () => number } {
  const { store, runtime, schema, logger } = options;
  const max = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const keys = new Map<string, { user: UserRecord; at: number }>();
  let inflight = 0;

  /** The user of a credential (an Authorization header, or the page's cookie), cached briefly by the credential. */
  const cached = (credential: string, key: () => string): UserRecord | undefined => {
    const hit = keys.get(credential);
    const now = Date.now();
    if (hit && now - hit.at < KEY_CACHE_MS) return hit.user;
    const k = key();
    const user = k ? store.userByApiKey(k) : undefined;
    if (user) {
      if (keys.size > 10_000) keys.clear();
      keys.set(credential, { user, at: now });
    }
    return user;
  };
  const authenticate = (req: IncomingMessage): UserRecord | undefined => {
    const h = req.headers.authorization;
    if (!h || !h.startsWith("Basic ")) return undefined;
    return cached(h, () => {
      const decoded = Buffer.from(h.slice(6), "base64").toString("utf8");
      const sep = decoded.indexOf(":");
      return sep >= 0 ? decoded.slice(sep + 1) : decoded;
    });
  };
  const ui = createUi({ store, logger, userByKey: (key) => cached(`key ${key}`, () => key), renderDefinition: options.renderDefinition });

  const graphql = async (req: IncomingMessage, res: ServerResponse, user: UserRecord) => {
    if (req.method !== "POST") throw new HttpError(405, "POST a GraphQL request to /graphql");
    // CSRF: a web page can POST text/plain, form and multipart bodies to any origin without a preflight, with the
    // browser's credentials. A JSON body needs a preflight this server never grants.
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (type !== "application/json" && !/^application\/[\w.-]+\+json$/.test(type)) {
      throw new HttpError(415, `send GraphQL requests as Content-Type: application/json (got ${type === "" ? "no Content-Type" : type}); form and text bodies are refused`);
    }
    let request: GraphQLRequest;
    // GraphQL requests are small documents with their variables: a tighter bound than ingestion's batches.
    const limit = Math.min(max, GRAPHQL_LIMITS.body.max);
    try {
      request = JSON.parse(await readBody(req, limit)) as GraphQLRequest;
    } catch (e) {
      if (e instanceof HttpError && e.status === 413) {
        res.setHeader("Connection", "close");
        const error = limitError("body", undefined, limit);
        return send(res, 413, { errors: [{ message: error.message, extensions: error.extensions }] });
      }
      if (e instanceof HttpError) throw e;
      return send(res, 400, { errors: [{ message: "the body is not JSON", extensions: { code: "BAD_USER_INPUT" } }] });
    }
    if (request === null || typeof request !== "object") return send(res, 400, { errors: [{ message: "the body must be a JSON object", extensions: { code: "BAD_USER_INPUT" } }] });
    const r = await execute(store, request, { user, schema, logger, historyPayload: runtime.historyPayload, ...(options.urlPolicy ? { urlPolicy: options.urlPolicy } : {}) });
    send(res, r.status, r.body);
  };

  const events = async (req: IncomingMessage, res: ServerResponse, user: UserRecord) => {
    if (req.method !== "POST") throw new HttpError(405, "POST events (NDJSON or a JSON array) to /api/v1/events");
    const raw = req.headers["idempotency-key"];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (key !== undefined && (key.length === 0 || key.length > 200)) throw new HttpError(400, "Idempotency-Key must be 1 to 200 characters");
    const body = await readBody(req, max);
    const parsed = parseBody(body, { notAfter: Date.now() + MAX_FUTURE_SKEW_MS });
    if (!parsed.ok) return send(res, 400, { error: "invalid events; nothing was accepted", issues: parsed.issues });
    try {
      const { replayed, ...result } = await runtime.submit(user, parsed.events, body, key);
      if (replayed) res.setHeader("Idempotency-Replayed", "true");
      send(res, 200, result);
    } catch (e) {
      if (e instanceof IngestForbidden) return send(res, e.status, { error: e.message });
      throw e;
    }
  };

  const executions = (req: IncomingMessage, res: ServerResponse, user: UserRecord, url: { searchParams: URLSearchParams }) => {
    if (req.method !== "GET") throw new HttpError(405, "GET /api/v1/executions");
    const access = new Access(store, user);
    const q = url.searchParams;
    const automation = q.get("automation");
    const state = q.get("state");
    const triggerId = automation === null ? undefined : (fromGlobalId("Trigger", automation) ?? (/^\d+$/.test(automation) ? Number(automation) : undefined));
    if (automation !== null && triggerId === undefined) throw new HttpError(400, `automation "${automation}" is not an automation ID`);
    if (state !== null && !["PENDING", "FINISHED", "FAILED", "SKIPPED"].includes(state)) throw new HttpError(400, `state must be PENDING, FINISHED, FAILED or SKIPPED`);
    const first = q.get("first");
    let page;
    try {
      page = pageArgs(first === null ? 100 : Number(first), q.get("after"));
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
    const result = store.listExecutions(
      {
        entityIds: access.visibleEntities().map((e) => e.id),
        ...(triggerId !== undefined ? { triggerId } : {}),
        ...(state !== null ? { state: state as ExecutionState } : {}),
      },
      page,
    );
    const ctx = { store, user, access, historyPayload: runtime.historyPayload };
    const conn = connection(result, (x) => x.id, (x) => {
      const node = executionNode(ctx, x);
      const outcome = deliveryOutcome(store, x);
      return {
        id: node.id,
        automationId: node.triggerID,
        automationName: x.triggerName,
        state: x.state,
        idempotencyKey: x.key,
        createdAt: x.createdAt,
        updatedAt: x.updatedAt,
        eventType: x.eventType,
        actionType: x.actionType,
        attempts: outcome.attempts(),
        statusCode: x.statusCode,
        error: outcome.error,
        response: outcome.response,
        requestPayload: runtime.historyPayload(x),
        firing: JSON.parse(x.firing) as unknown,
      };
    });
    send(res, 200, { totalCount: result.totalCount, executions: conn.edges.map((e) => e.node), pageInfo: conn.pageInfo });
  };

  const history = (req: IncomingMessage, res: ServerResponse, user: UserRecord, url: { searchParams: URLSearchParams }) => {
    if (req.method !== "GET") throw new HttpError(405, "GET /api/v1/history");
    const answer = answerHistory(store, user, url.searchParams);
    if ("error" in answer) throw new HttpError(400, answer.error);
    send(res, 200, answer);
  };

  const debug = logger.enabled?.("debug") ?? true;
  const server = createServer((req, res) => {
    inflight++;
    if (debug) {
      const started = performance.now();
      res.once("close", () => {
        inflight--;
        logger.log("debug", "request", { method: req.method, path: req.url, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 });
      });
    } else res.once("close", () => inflight--);
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    // Only /api/v1/executions and /api/v1/history read a query string; the other routes need just the path.
    const url = q < 0 ? { pathname: raw, searchParams: new URLSearchParams() } : new URL(raw, "http://localhost");
    const handle = async () => {
      if (url.pathname === "/healthz") {
        // Counts only: names and reasons are a tenant's, and /healthz needs no key.
        const skipped = runtime.unloadableAutomations().length;
        return send(res, 200, { status: "ok", ...(skipped > 0 ? { unloadableAutomations: skipped } : {}) });
      }
      // Checked by path first: the API routes (ingestion's included) pay no extra await.
      if (isUiPath(url.pathname) && (await ui(req, res, url))) return;
      const route = url.pathname === "/graphql" ? graphql : url.pathname === "/api/v1/events" ? events : url.pathname === "/api/v1/executions" ? executions : url.pathname === "/api/v1/history" ? history : undefined;
      if (!route) throw new HttpError(404, `no route ${url.pathname}`);
      const user = authenticate(req);
      if (!user) {
        res.setHeader("WWW-Authenticate", 'Basic realm="tripwire"');
        const message = 'authentication required: send Authorization: Basic base64("api:<API key>")';
        return send(res, 401, url.pathname === "/graphql" ? { errors: [{ message, extensions: { code: "UNAUTHENTICATED" } }] } : { error: message });
      }
      await route(req, res, user, url);
    };
    handle().catch((e: unknown) => {
      if (res.headersSent) return;
      if (e instanceof HttpError) {
        if (e.status === 413) res.setHeader("Connection", "close");
        send(res, e.status, url.pathname === "/graphql" ? { errors: [{ message: e.message }] } : { error: e.message });
        return;
      }
      logger.log("error", "request failed", { path: url.pathname, error: String((e as Error).stack ?? e) });
      send(res, 500, url.pathname === "/graphql" ? { errors: [{ message: "internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] } : { error: "internal server error" });
    });
  });
  return { server, inflight: () => inflight };
}
