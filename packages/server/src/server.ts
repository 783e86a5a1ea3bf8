import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { AutomationFeature } from "./graphql/features.js";
import { createSchema } from "./graphql/schema.js";
import { createHttpServer } from "./http.js";
import { silentLogger, type Logger } from "./log.js";
import { Dispatcher, type DeliveryOptions } from "./runtime/dispatcher.js";
import { Runtime, type RuntimeOptions } from "./runtime/runtime.js";
import { ensureLocalKey, type LocalKey } from "./localkey.js";
import { UrlPolicy } from "./runtime/url-policy.js";
import { seedStore, type Seed } from "./seed.js";
import { openStore, type Durability, type SqliteStore } from "./store/sqlite.js";
import type { RenderDefinition } from "./ui.js";

export interface ServerOptions {
  /** SQLite database file (created if missing). */
  readonly db: string;
  /** TCP port; 0 picks a free one (default 0). */
  readonly port?: number;
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** A seed to apply at start: the object, or the path of a JSON file. */
  readonly seed?: Seed | string;
  readonly logger?: Logger;
  /** `full` (default) fsyncs every group commit; `normal` survives kill -9 but not a power cut. */
  readonly durability?: Durability;
  readonly delivery?: DeliveryOptions;
  /**
   * Private, loopback and reserved addresses (IPs or CIDRs) webhooks and Slack messages may be delivered to, and
   * integrations may be created for (`--allow-private`). Default none: public addresses only. Link-local and
   * cloud-metadata addresses are refused whatever this says.
   */
  readonly allowPrivate?: readonly string[];
  readonly engine?: RuntimeOptions["engine"];
  readonly snapshotEveryEvents?: number;
  readonly snapshotEveryMs?: number;
  readonly maxBodyBytes?: number;
  /** The gated automation features it has (default: all; `COMPAT_PRESETS.older` answers as an older W&B Server). */
  readonly features?: readonly AutomationFeature[];
  /** How long in-flight requests and deliveries get to finish on close (default 5 s). */
  readonly shutdownGraceMs?: number;
  /**
   * Make sure a user can authenticate: on a database where nobody holds an API key, create one for the local admin
   * and keep it beside the database (see {@link ensureLocalKey}); `tripwire server` without `--seed` sets it.
   */
  readonly localKey?: boolean;
  /**
   * Writes an automation as SDK code for the web page. The server does not generate code: `tripwire server` passes the
   * reconciler's import generator; without one the page shows the saved (raw) definition.
   */
  readonly renderDefinition?: RenderDefinition;
}

export interface RunningServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly store: SqliteStore;
  readonly runtime: Runtime;
  readonly dispatcher: Dispatcher;
  /** The first-start key, when `localKey` was asked for and the database has one. */
  readonly localKey: LocalKey | undefined;
  /** Graceful stop: no new connections, in-flight requests finish, dispatching stops, the database closes. */
  close(): Promise<void>;
}

/** Reads and parses a seed file (JSON). */
export function readSeedFile(path: string): Seed {
  return JSON.parse(readFileSync(path, "utf8")) as Seed;
}

/**
 * Starts the server: opens (and migrates) the database, applies the seed, recovers the runtime (engine
 * snapshot + event log replay, pending deliveries), then listens.
 * @example
 * const server = await startServer({ db: "/tmp/t.db", port: 0, seed: "seed.json" });
 * console.log(server.url); await server.close();
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? silentLogger;
  // Checked first: a mistaken allow-list entry stops the start before anything is opened.
  const urlPolicy = new UrlPolicy(options.allowPrivate ?? []);
  const store = openStore(options.db, options.durability ? { durability: options.durability } : {});
  let localKey: LocalKey | undefined;
  try {
    if (options.seed !== undefined) seedStore(store, typeof options.seed === "string" ? readSeedFile(options.seed) : options.seed);
    if (options.localKey) localKey = ensureLocalKey(store, options.db);
  } catch (e) {
    store.close();
    throw e;
  }
  const host = options.host ?? "127.0.0.1";
  const dispatcher = new Dispatcher(store, logger, { urlPolicy, ...options.delivery });
  const runtime = new Runtime(store, {
    logger,
    dispatcher,
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.snapshotEveryEvents !== undefined ? { snapshotEveryEvents: options.snapshotEveryEvents } : {}),
    ...(options.snapshotEveryMs !== undefined ? { snapshotEveryMs: options.snapshotEveryMs } : {}),
  });
  const { server, inflight } = createHttpServer({
    store,
    runtime,
    schema: createSchema(options.features ? { features: options.features } : {}),
    logger,
    urlPolicy,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.renderDefinition ? { renderDefinition: options.renderDefinition } : {}),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    // A port in use must not leave the dispatcher and the database open: the process would never exit.
    runtime.close();
    await dispatcher.close(0);
    store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  // Started once the URL is known: deliveries resumed from a previous run link to this server too.
  dispatcher.linkToServer(url);
  dispatcher.start();
  logger.log("info", "listening", { url, db: options.db });
  if (localKey?.created) logger.log("info", "created an API key for the local admin", { user: "local", keyFile: localKey.path });
  const grace = options.shutdownGraceMs ?? 5_000;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    runtime,
    dispatcher,
    localKey,
    close: () =>
      (closing ??= (async () => {
        logger.log("info", "shutting down");
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + grace;
        while (inflight() > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 10));
          server.closeIdleConnections();
        }
        server.closeAllConnections();
        await stopped;
        runtime.close();
        await dispatcher.close(grace);
        store.close();
        logger.log("info", "stopped");
      })()),
  };
}
