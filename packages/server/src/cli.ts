import { parseArgs } from "node:util";
import { COMPAT_PRESETS, parseFeatures, type AutomationFeature } from "./graphql/features.js";
import { jsonLogger, type LogLevel } from "./log.js";
import { UrlPolicy } from "./runtime/url-policy.js";
import { startServer, type ServerOptions } from "./server.js";

const HELP = `tripwire-server — a local W&B-compatible automations backend

Usage: tripwire-server --db PATH [--port N] [--host H] [--seed FILE] [--durability full|normal] [--log-level L]
                       [--allow-private IP|CIDR]...
                       [--compat current|older | --features NAME,NAME,...]

  --db PATH            SQLite database file (created and migrated if needed)          (required)
  --port N             port to listen on; 0 picks a free port and logs it              (default 8080)
  --host H             interface to bind                                               (default 127.0.0.1)
  --seed FILE          JSON seed: users and API keys, orgs, teams, integrations, secrets (idempotent)
                       without it, a database where nobody has an API key gets one for the local admin,
                       kept in <db>.key (mode 0600); stdout shows WANDB_API_KEY=… WANDB_BASE_URL=… each start
  --durability MODE    full: fsync every group commit; normal: survives kill -9 only    (default full)
  --log-level L        debug | info | warn | error                                     (default info)
  --allow-private A    deliver to this private / loopback address or CIDR range; repeat or comma-separate
                       (default none: public addresses only; link-local and metadata are always refused)
  --compat MODE        current: every automation feature; older: answer as an older W&B Server (no team /
                       organization scope, z-score, run-state, no-op, tag or unlink events) (default current)
  --features LIST      exactly these gated features (serverInfo.features names), comma-separated

The web page is at the server's URL (/): sign in with an API key to see automations and their history.
Logs are one JSON object per line on stderr. SIGTERM / SIGINT stop gracefully.`;

/** Where the server CLI writes (injectable so `tripwire server` can run it in its own process). */
export interface ServerCliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * Runs `tripwire-server` with `argv` until SIGTERM / SIGINT (or `until` aborts) and returns the exit code (0 after a
 * graceful stop, 2 for a usage mistake). `tripwire server` and the `tripwire-server` bin both call it.
 * @example process.exitCode = await runServerCli(["--db", "tripwire.db", "--port", "8080"]);
 */
export async function runServerCli(argv: readonly string[], io: ServerCliIo = process, until?: AbortSignal, extra: Pick<ServerOptions, "renderDefinition"> = {}): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        db: { type: "string" },
        port: { type: "string", default: "8080" },
        host: { type: "string", default: "127.0.0.1" },
        seed: { type: "string" },
        durability: { type: "string", default: "full" },
        "log-level": { type: "string", default: "info" },
        "allow-private": { type: "string", multiple: true, default: [] },
        compat: { type: "string" },
        features: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const level = args["log-level"] as LogLevel;
  const logger = jsonLogger((line) => io.stderr.write(line), ["debug", "info", "warn", "error"].includes(level) ? level : "info");
  const port = Number(args.port);
  if (!args.db || !Number.isInteger(port) || port < 0 || port > 65535 || (args.durability !== "full" && args.durability !== "normal")) {
    io.stderr.write(`${!args.db ? "--db is required" : "invalid --port or --durability"}\n\n${HELP}\n`);
    return 2;
  }
  const allowPrivate = (args["allow-private"] as string[]).flatMap((a) => a.split(",")).map((a) => a.trim()).filter((a) => a !== "");
  let features: readonly AutomationFeature[] | undefined;
  try {
    new UrlPolicy(allowPrivate);
    if (args.compat !== undefined && args.features !== undefined) throw new Error("--compat and --features are mutually exclusive");
    if (args.compat !== undefined) {
      features = Object.hasOwn(COMPAT_PRESETS, args.compat) ? COMPAT_PRESETS[args.compat] : undefined;
      if (!features) throw new Error(`invalid --compat ${args.compat}: use ${Object.keys(COMPAT_PRESETS).join(" or ")}`);
    }
    if (args.features !== undefined) features = parseFeatures(args.features.split(",").map((f) => f.trim()).filter((f) => f !== ""));
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  // Signals are handled from before the server starts: whoever reads its "listening" log or the line below may stop
  // it at once (a script, a test), and a SIGTERM before the handlers existed would end the process without the
  // graceful shutdown. One that arrives while it starts stops it as soon as it has started.
  let stop: ((signal: string) => void) | undefined;
  let early: string | undefined;
  const onTerm = () => (stop ? stop("SIGTERM") : (early ??= "SIGTERM"));
  const onInt = () => (stop ? stop("SIGINT") : (early ??= "SIGINT"));
  process.once("SIGTERM", onTerm);
  process.once("SIGINT", onInt);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      ...(features ? { features } : {}),
      db: args.db,
      port,
      host: args.host as string,
      ...(args.seed ? { seed: args.seed } : {}),
      durability: args.durability,
      allowPrivate,
      logger,
      localKey: !args.seed,
      ...(extra.renderDefinition ? { renderDefinition: extra.renderDefinition } : {}),
    });
  } catch (e) {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    throw e;
  }
  const running = server;
  if (running.localKey) io.stdout.write(`WANDB_API_KEY=${running.localKey.key} WANDB_BASE_URL=${pasteableUrl(running.url, running.port)}\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
      logger.log("info", "signal received", { signal });
      running.close().then(resolve, (e: unknown) => {
        logger.log("error", "shutdown failed", { error: String(e) });
        resolve();
      });
    };
    // In-process callers (tests, an embedding tool) stop it without a signal to the whole process.
    if (early) stop(early);
    else if (until?.aborted) stop("abort");
    else until?.addEventListener("abort", () => stop?.("abort"), { once: true });
  });
  return 0;
}

/** The base URL to paste into WANDB_BASE_URL: a wildcard bind is reached on loopback. */
function pasteableUrl(url: string, port: number): string {
  const host = new URL(url).hostname;
  return host === "0.0.0.0" || host === "[::]" || host === "::" ? `http://127.0.0.1:${port}` : url;
}
