import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AutomationSpec } from "@tripwire/sdk";
import type { Firing } from "@tripwire/evaluator";
import { Access } from "./access.js";
import { answerHistory, reReadHistory } from "./history.js";
import { fromGlobalId, toGlobalId } from "./ids.js";
import { parseBody } from "./ingest/parse.js";
import type { Logger } from "./log.js";
import { decodeTrigger, resolveScope, type ResolvedScope } from "./scope.js";
import type { Store, TriggerRecord, UserRecord } from "./store/types.js";

/**
 * Writes a saved automation as SDK code (`automation("…").in(…).on(…).do(…)`). The server does not generate code itself:
 * `tripwire server` injects the reconciler's import generator; without one the page shows the raw definition.
 */
export type RenderDefinition = (spec: AutomationSpec) => string | Promise<string>;

export interface UiOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** The user an API key belongs to (the HTTP front's cached lookup). */
  readonly userByKey: (key: string) => UserRecord | undefined;
  readonly renderDefinition?: RenderDefinition | undefined;
}

/** The cookie the login form sets: the API key itself, `HttpOnly` and `SameSite=Strict`. */
export const UI_COOKIE = "tripwire_key";

/** The page's own files (plain ES modules, no build step) and the vendored libraries, by URL path. */
const UI_DIR = fileURLToPath(new URL("../ui/", import.meta.url));
const STATIC: Record<string, { file: string; type: string }> = {
  "/ui/app.js": { file: join(UI_DIR, "app.js"), type: "text/javascript; charset=utf-8" },
  "/ui/format.js": { file: join(UI_DIR, "format.js"), type: "text/javascript; charset=utf-8" },
  "/ui/style.css": { file: join(UI_DIR, "style.css"), type: "text/css; charset=utf-8" },
  "/ui/icon.svg": { file: join(UI_DIR, "icon.svg"), type: "image/svg+xml" },
};

/** Preact and htm, served from the installed packages (never a CDN), under the names the import map gives them. */
function vendorFiles(): Record<string, { file: string; type: string }> {
  const require = createRequire(import.meta.url);
  const js = "text/javascript; charset=utf-8";
  const preact = dirname(require.resolve("preact/package.json"));
  // htm's `exports` has no `./package.json` (its folder mapping is one Node no longer reads): its main file's folder.
  const htm = dirname(require.resolve("htm"));
  return {
    "/ui/vendor/preact.mjs": { file: join(preact, "dist", "preact.mjs"), type: js },
    "/ui/vendor/hooks.mjs": { file: join(preact, "hooks", "dist", "hooks.mjs"), type: js },
    "/ui/vendor/htm.mjs": { file: join(htm, "htm.module.js"), type: js },
  };
}

const IMPORT_MAP = JSON.stringify({ imports: { preact: "/ui/vendor/preact.mjs", "preact/hooks": "/ui/vendor/hooks.mjs", htm: "/ui/vendor/htm.mjs" } });
const IMPORT_MAP_HASH = createHash("sha256").update(IMPORT_MAP).digest("base64");

/**
 * The page's Content-Security-Policy: its own scripts, styles and API only, the one inline script being the import map
 * (allowed by its hash); no frames, no plugins, forms post only here.
 */
export const UI_CSP = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${IMPORT_MAP_HASH}'`,
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "Content-Security-Policy": UI_CSP,
  "X-Content-Type-Options": "nosniff",
  // Not no-referrer: under it Chromium sends `Origin: null` with the page's own form posts, which read as cross-site.
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

const APP_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tripwire</title>
<link rel="stylesheet" href="/ui/style.css">
<link rel="icon" href="/ui/icon.svg" type="image/svg+xml">
<script type="importmap">${IMPORT_MAP}</script>
<script type="module" src="/ui/app.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;

function loginPage(error?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tripwire — sign in</title>
<link rel="stylesheet" href="/ui/style.css">
<link rel="icon" href="/ui/icon.svg" type="image/svg+xml">
</head>
<body>
<main class="login">
<h1>Tripwire</h1>
<form method="post" action="/ui/login" id="login">
<label for="key">API key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
${error ? `<p class="error" id="login-error">${escapeHtml(error)}</p>` : ""}
<p class="hint">The key <code>tripwire server</code> printed at start (<code>WANDB_API_KEY=…</code>), or one from the seed.</p>
</main>
</body>
</html>
`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

class UiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(html), ...headers });
  res.end(html);
}

function redirect(res: ServerResponse, to: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, Location: to, "Content-Length": 0, ...headers });
  res.end();
}

/** The value of one cookie of a request. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Whether a request came from another site. A browser says so in `Sec-Fetch-Site` (a page cannot set it); a browser
 * without it sends `Origin`, compared by host (behind a TLS proxy the scheme differs). A request with neither (curl, a
 * script) is not a browser's cross-site form post.
 */
function crossSite(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined) return site !== "same-origin" && site !== "none";
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true; // "null": a sandboxed or opaque origin
  }
}

const LOGIN_BODY_MAX = 4_096;

function readSmallBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > LOGIN_BODY_MAX) {
        reject(new UiError(413, `the sign-in form is larger than ${LOGIN_BODY_MAX} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * Where the sparkline's points come from: the firing's event batch and those before and after it, bounded in batches,
 * bytes and points (the log has no index by run; a run's values are read from its neighbouring batches).
 */
const SERIES_BATCHES_BEFORE = 200;
const SERIES_BATCHES_AFTER = 50;
const SERIES_MAX_BYTES = 8 * 1024 * 1024;
const SERIES_POINTS_BEFORE = 60;
const SERIES_POINTS_AFTER = 20;

/** The metric of one run around a firing, for the sparkline: `(step, value)` points, oldest first. */
export interface MetricSeries {
  readonly metric: string;
  readonly run: string;
  readonly step: number;
  readonly points: readonly { step: number; value: number }[];
  /** The threshold the window was compared against (threshold and z-score automations). */
  readonly threshold: number | null;
}

/** Whether a path is the web page's (the API routes never are). */
export const isUiPath = (path: string): boolean => path === "/" || path === "/index.html" || path.startsWith("/ui/");

/**
 * The web page of `tripwire server`: `GET /` (the sign-in form, or the page once signed in), `POST /ui/login`,
 * `POST /ui/logout`, its scripts and styles under `/ui/`, and its JSON under `/ui/api/`, each behind the API key the
 * sign-in form keeps in a cookie. Answers `false` for a path that is not the page's.
 */
export function createUi(options: UiOptions): (req: IncomingMessage, res: ServerResponse, url: { pathname: string; searchParams: URLSearchParams }) => Promise<boolean> {
  const { store, logger } = options;
  const files = new Map<string, { body: Buffer; type: string }>();
  let vendor: Record<string, { file: string; type: string }> | undefined;
  const definitions = new Map<string, Promise<string>>();

  const staticFile = (path: string) => {
    const hit = files.get(path);
    if (hit) return hit;
    const entry = STATIC[path] ?? (vendor ??= vendorFiles())[path];
    if (!entry) return undefined;
    const file = { body: readFileSync(entry.file), type: entry.type };
    files.set(path, file);
    return file;
  };

  const userOf = (req: IncomingMessage): UserRecord | undefined => {
    const key = cookieValue(req.headers.cookie, UI_COOKIE);
    return key ? options.userByKey(key) : undefined;
  };

  const render = (t: TriggerRecord, spec: AutomationSpec): Promise<string> => {
    const key = `${t.id}@${t.updatedAt ?? t.createdAt}`;
    let hit = definitions.get(key);
    if (!hit) {
      hit = Promise.resolve().then(() => (options.renderDefinition as RenderDefinition)(spec));
      if (definitions.size > 1_000) definitions.clear();
      definitions.set(key, hit);
      hit.catch(() => definitions.delete(key));
    }
    return hit;
  };

  const api = async (path: string, q: URLSearchParams, user: UserRecord): Promise<unknown> => {
    switch (path) {
      case "/ui/api/session":
        return { user: user.username };
      case "/ui/api/automations":
        return automations(store, user);
      case "/ui/api/definition": {
        const t = visibleTrigger(store, user, q.get("id"));
        const raw = rawDefinition(store, t);
        const { spec, issues } = decodeTrigger(store, t);
        const errors = issues.filter((i) => i.severity === "error").map((i) => i.message);
        let sdk: string | null = null;
        let renderError: string | null = null;
        if (spec && errors.length === 0 && options.renderDefinition) {
          try {
            sdk = await render(t, spec);
          } catch (e) {
            logger.log("warn", "could not render an automation as SDK code", { automation: t.name, error: String(e) });
            renderError = `could not write it as SDK code: ${(e as Error).message}`;
          }
        }
        return { id: toGlobalId("Trigger", t.id), name: t.name, sdk, raw, issues: errors, ...(renderError ? { renderError } : {}) };
      }
      case "/ui/api/history": {
        const answer = answerHistory(store, user, q);
        if ("error" in answer) throw new UiError(400, answer.error);
        return { entries: answer.entries, cursor: answer.cursor };
      }
      case "/ui/api/execution": {
        const cursor = q.get("cursor");
        if (cursor === null || !/^\d+$/.test(cursor)) throw new UiError(400, "cursor must be an execution's cursor (a non-negative integer)");
        const id = Number(cursor);
        const [entry] = reReadHistory(store, user, [id]);
        const x = entry ? store.executionById(id) : undefined;
        if (!entry || !x) throw new UiError(404, `no execution ${cursor} you can see`);
        return { entry, series: metricSeries(store, x.batchId, JSON.parse(x.firing) as Partial<Firing>) };
      }
      default:
        throw new UiError(404, `no route ${path}`);
    }
  };

  return async (req, res, url) => {
    const path = url.pathname;
    if (!isUiPath(path)) return false;
    try {
      if (path === "/" || path === "/index.html") {
        if (req.method !== "GET" && req.method !== "HEAD") throw new UiError(405, "GET /");
        sendHtml(res, 200, userOf(req) ? APP_PAGE : loginPage());
        return true;
      }
      if (path === "/ui/login" || path === "/ui/logout") {
        if (req.method !== "POST") throw new UiError(405, `POST ${path}`);
        if (crossSite(req)) throw new UiError(403, "sign-in and sign-out forms are accepted from this server's own page only");
        if (path === "/ui/logout") {
          redirect(res, "/", { "Set-Cookie": `${UI_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
          return true;
        }
        const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
        if (type !== "application/x-www-form-urlencoded") throw new UiError(415, "send the sign-in form as application/x-www-form-urlencoded");
        const key = new URLSearchParams(await readSmallBody(req)).get("key")?.trim() ?? "";
        if (key === "" || !options.userByKey(key)) {
          sendHtml(res, 401, loginPage(key === "" ? "Enter an API key." : "That API key is not valid on this server."));
          return true;
        }
        redirect(res, "/", { "Set-Cookie": `${UI_COOKIE}=${encodeURIComponent(key)}; Path=/; HttpOnly; SameSite=Strict` });
        return true;
      }
      if (path.startsWith("/ui/api/")) {
        if (req.method !== "GET") throw new UiError(405, `GET ${path}`);
        if (crossSite(req)) throw new UiError(403, "the page's data is served to this server's own page only");
        const user = userOf(req);
        if (!user) throw new UiError(401, "sign in first: the page's data needs the API key cookie the sign-in form sets");
        sendJson(res, 200, await api(path, url.searchParams, user));
        return true;
      }
      if (req.method !== "GET" && req.method !== "HEAD") throw new UiError(405, `GET ${path}`);
      const file = staticFile(path);
      if (!file) throw new UiError(404, `no file ${path}`);
      res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": file.type, "Content-Length": file.body.length, "Cache-Control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : file.body);
      return true;
    } catch (e) {
      if (res.headersSent) return true;
      if (e instanceof UiError) {
        if (e.status === 413) res.setHeader("Connection", "close");
        sendJson(res, e.status, { error: e.message });
        return true;
      }
      throw e;
    }
  };
}

function scopeLabel(s: ResolvedScope | undefined): string {
  if (!s) return "(scope deleted)";
  switch (s.type) {
    case "PROJECT":
      return `project ${s.project.entityName}/${s.project.name}`;
    case "ARTIFACT_COLLECTION":
      return `collection ${s.project.entityName}/${s.project.name}:${s.collection.name}`;
    case "ENTITY":
      return `${s.entity.type === "organization" ? "organization" : "team"} ${s.entity.name}`;
  }
}

const AUTOMATIONS_MAX = 2_000;

/** The automations the user can see, grouped by scope (scopes and names in order). */
function automations(store: Store, user: UserRecord) {
  const access = new Access(store, user);
  const entityIds = access.visibleEntities().map((e) => e.id);
  const triggers: TriggerRecord[] = [];
  let after = 0;
  for (;;) {
    const page = store.listTriggers({ entityIds }, { after, limit: 500 });
    triggers.push(...page.items);
    if (!page.hasNextPage || page.items.length === 0 || triggers.length >= AUTOMATIONS_MAX) break;
    after = (page.items.at(-1) as TriggerRecord).id;
  }
  const groups = new Map<string, unknown[]>();
  for (const t of triggers.slice(0, AUTOMATIONS_MAX)) {
    const label = scopeLabel(resolveScope(store, t.scopeType, t.scopeId));
    let list = groups.get(label);
    if (!list) groups.set(label, (list = []));
    list.push({ id: toGlobalId("Trigger", t.id), name: t.name, enabled: t.enabled, eventType: t.eventType, actionType: t.actionType, lastExecutedAt: store.lastExecutedAt(t.id) });
  }
  const scopes = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([scope, list]) => ({ scope, automations: list.sort((a, b) => String((a as { name: string }).name).localeCompare((b as { name: string }).name)) }));
  return { scopes, truncated: triggers.length > AUTOMATIONS_MAX };
}

function visibleTrigger(store: Store, user: UserRecord, id: string | null): TriggerRecord {
  const rowId = id === null ? undefined : fromGlobalId("Trigger", id);
  if (rowId === undefined) throw new UiError(400, `id must be an automation ID, not "${id ?? ""}"`);
  const t = store.triggerById(rowId);
  const entity = t && store.entityById(t.entityId);
  if (!t || !new Access(store, user).canSee(entity)) throw new UiError(404, `no automation ${id} you can see`);
  return t;
}

/** The saved definition as the GraphQL API keeps it, integrations by name (never their URLs: a Slack URL is a credential). */
function rawDefinition(store: Store, t: TriggerRecord) {
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const config = parse(t.actionConfig) as Record<string, unknown>;
  const { integrationId, ...action } = config !== null && typeof config === "object" ? config : { integrationId: undefined };
  const integration = typeof integrationId === "number" ? store.integrationById(integrationId) : undefined;
  const filter = parse(t.eventFilter) as Record<string, unknown>;
  // W&B nests JSON in strings (run_filter): shown decoded, so it reads as a structure.
  const decoded = filter !== null && typeof filter === "object" ? Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, typeof v === "string" ? parse(v) : v])) : filter;
  return {
    name: t.name,
    description: t.description,
    enabled: t.enabled,
    scope: scopeLabel(resolveScope(store, t.scopeType, t.scopeId)),
    eventType: t.eventType,
    eventFilter: decoded,
    actionType: t.actionType,
    action: { ...action, ...(integration ? { integration: integration.kind === "slack" ? `slack ${integration.channelName ?? ""}` : `webhook ${integration.name ?? ""}` } : {}) },
  };
}

/**
 * The fired metric of the firing's run, from the event log around the firing's batch: what the sparkline draws. Null
 * for firings that are not about a run's metric.
 */
export function metricSeries(store: Store, batchId: number, firing: Partial<Firing>): MetricSeries | null {
  const explanation = (firing.explanation ?? {}) as { metric?: unknown; threshold?: unknown; kind?: string };
  const event = (firing.event ?? {}) as { type?: string; entity?: string; project?: string; run?: { id?: string } };
  const metric = typeof explanation.metric === "string" ? explanation.metric : undefined;
  if (metric === undefined || event.type !== "run.metric" || typeof firing.step !== "number" || !event.run?.id) return null;
  const runId = event.run.id;
  const step = firing.step;
  const before: { step: number; value: number }[] = [];
  const after: { step: number; value: number }[] = [];
  let bytes = 0;
  // From the firing's batch back, then forward from the next: bounded in batches, bytes and points.
  const read = (id: number): boolean => {
    const batch = bytes > SERIES_MAX_BYTES ? undefined : store.batchById(id);
    if (!batch) return false;
    bytes += batch.body.length;
    const parsed = parseBody(batch.body);
    if (!parsed.ok) return true;
    for (const e of parsed.events) {
      if (e.type !== "run.metric" || e.run.id !== runId || e.entity !== event.entity || e.project !== event.project) continue;
      const v = e.metrics[metric];
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      (e.step <= step ? before : after).push({ step: e.step, value: v });
    }
    return true;
  };
  for (let id = batchId; id > batchId - SERIES_BATCHES_BEFORE && id > 0 && before.length < SERIES_POINTS_BEFORE; id--) if (!read(id)) break;
  for (let id = batchId + 1; id <= batchId + SERIES_BATCHES_AFTER && after.length < SERIES_POINTS_AFTER; id++) if (!read(id)) break;
  const order = (a: { step: number }, b: { step: number }) => a.step - b.step;
  const points = [...before.sort(order).slice(-SERIES_POINTS_BEFORE), ...after.sort(order).slice(0, SERIES_POINTS_AFTER)];
  return { metric, run: firing.run?.name || runId, step, points, threshold: typeof explanation.threshold === "number" ? explanation.threshold : null };
}
