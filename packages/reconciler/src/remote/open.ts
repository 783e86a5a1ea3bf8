import type { TripwireConfig } from "../model/config.js";
import { ReconcilerError } from "../model/errors.js";
import { loadEmbeddedServer } from "./optional.js";
import type { Reporter } from "../model/reporter.js";
import { remoteBackend } from "./backend.js";
import type { Backend } from "../model/backend.js";
import { DEFAULT_RETRY } from "../model/transport.js";

export interface OpenContext {
  readonly cwd: string;
  readonly config: TripwireConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder of the config file: the embedded database's path is relative to it (default: `cwd`). */
  readonly configDir?: string;
  /** Told about each retry, so a wait for an unreachable backend is not silence. */
  readonly reporter?: Reporter;
}

/**
 * The live backend: W&B or a Tripwire server when `WANDB_BASE_URL` is set (authenticated with `WANDB_API_KEY`,
 * as the `wandb` client reads them), else the embedded default on `.tripwire/local.db` beside the config file.
 */
export async function openBackend(ctx: OpenContext): Promise<Backend> {
  const base = ctx.env.WANDB_BASE_URL;
  if (base) {
    const reporter = ctx.reporter;
    const attempts = DEFAULT_RETRY.maxAttempts;
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    return remoteBackend(checkBaseUrl(base), ctx.env.WANDB_API_KEY, {
      onRetry: (r) => reporter?.message("TWI005", retryLine(r, attempts)),
      onPause: (p) => reporter?.message("TW6550", `the backend's rate limit${p.limit !== undefined ? ` (${p.limit} requests per window)` : ""} is used up: waiting ${seconds(p.delayMs)} for it to reset`),
    });
  }
  // Loaded on demand: the embedded default brings in the server's store and GraphQL executor (SQLite, graphql-js).
  await loadEmbeddedServer();
  const { embeddedBackend } = await import("./embedded.js");
  return embeddedBackend(ctx.cwd, ctx.config, ctx.configDir);
}

/**
 * Loads the code {@link openBackend} will need and does the embedded default's start-up work that has no side effect
 * (building its GraphQL schema, parsing and validating the read documents a plan sends), so that it can run while
 * something else is awaited — `plan` and `apply` run it while TypeScript checks the definitions. Opens nothing,
 * sends nothing; a failure here is left for `openBackend` to report.
 */
export async function prepareBackend(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  if (env.WANDB_BASE_URL) return;
  const [server, documents] = await Promise.all([loadEmbeddedServer(), import("./documents.js"), import("./embedded.js")]);
  server.prepareExecution([documents.SERVER_FEATURES, documents.ENTITY, documents.PROJECT, documents.INTEGRATIONS, documents.ENTITY_AUTOMATIONS]);
}

/** `cannot reach …: ECONNREFUSED; retrying in 2 s (3/6)`: the attempt that comes next, of all there will be. */
export function retryLine(r: { attempt: number; status?: number; error?: string; delayMs: number }, maxAttempts: number): string {
  const why = r.status !== undefined ? `the backend answered HTTP ${r.status}` : `cannot reach the backend: ${r.error ?? "no answer"}`;
  const seconds = r.delayMs >= 10_000 ? Math.round(r.delayMs / 1000) : Math.round(r.delayMs / 100) / 10;
  return `${why}; retrying in ${seconds} s (${r.attempt + 1}/${maxAttempts})`;
}

/**
 * `WANDB_BASE_URL` as the `wandb` client takes it: a scheme and a host, without `/graphql` (Tripwire adds it).
 * A mistake here is the user's: the error says what to write instead.
 */
export function checkBaseUrl(base: string): string {
  const value = base.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ReconcilerError("TW6202", `WANDB_BASE_URL=${base} has no scheme: write it with one, e.g. https://${value.replace(/^\/+/, "")}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ReconcilerError("TW6202", `WANDB_BASE_URL=${base} is not a URL: write the backend's address, e.g. https://api.wandb.ai or http://127.0.0.1:8080`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ReconcilerError("TW6202", `WANDB_BASE_URL=${base} uses ${url.protocol.slice(0, -1)}: only http and https reach a backend`);
  }
  if (/\/graphql\/?$/.test(url.pathname)) {
    const fixed = `${url.origin}${url.pathname.replace(/\/graphql\/?$/, "")}`;
    throw new ReconcilerError("TW6202", `WANDB_BASE_URL=${base} ends in /graphql: set the base URL, ${fixed} (Tripwire adds /graphql itself)`);
  }
  return value;
}
