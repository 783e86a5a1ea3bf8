import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { AutomationSpec } from "@tripwire/sdk";
import { ReconcilerError } from "../model/errors.js";
import { loadServer } from "../remote/optional.js";
import type { Command } from "./command.js";
import type { Io } from "./io.js";

/** The server's seed schema, handed in by the caller that has loaded the (optional) server already. */
type SeedSchemaType = (typeof import("@tripwire/server"))["SeedSchema"];

export interface ServerArgs {
  readonly db?: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly seed?: string | undefined;
  readonly durability: string;
  readonly logLevel: string;
  readonly config?: string | undefined;
  readonly allowPrivate?: readonly string[] | undefined;
  readonly compat?: string | undefined;
  readonly features?: string | undefined;
}

/**
 * `tripwire server`: runs the local W&B-compatible backend (the `tripwire-server` of @tripwire/server) — by default on
 * the embedded default's database, so what `tripwire apply` put there starts firing on the events you send it. `until`
 * stops it without a signal (in-process callers).
 */
export async function serverCommand(args: ServerArgs, io: Io, until?: AbortSignal): Promise<number> {
  const { runServerCli, SeedSchema } = await loadServer();
  const { DEFAULT_DB } = await import("../remote/embedded.js");
  let db = args.db === undefined ? undefined : resolve(io.cwd, args.db);
  if (!db) {
    const { loadConfig } = await import("../load/load.js");
    const { config, configFile } = await loadConfig({ cwd: io.cwd, ...(args.config ? { configFile: args.config } : {}) });
    // The embedded default's database, relative to the config file as `tripwire plan` finds it.
    db = resolve(configFile ? dirname(resolve(io.cwd, configFile)) : io.cwd, config.embedded?.db ?? DEFAULT_DB);
  }
  // The SDK (zod and all) loads with the command, not with the CLI: `--version` and `--help` stay light.
  const seed = args.seed === undefined ? undefined : checkSeed(args.seed, io.cwd, SeedSchema, (await import("@tripwire/sdk")).formatPath);
  const argv = ["--db", db, "--port", String(args.port), "--host", args.host, "--durability", args.durability, "--log-level", args.logLevel, ...(seed ? ["--seed", seed] : []), ...(args.allowPrivate ?? []).flatMap((a) => ["--allow-private", a]), ...(args.compat ? ["--compat", args.compat] : []), ...(args.features ? ["--features", args.features] : [])];
  try {
    // The web page shows each automation as `tripwire import` writes it: the server cannot generate code itself.
    return await runServerCli(argv, io, until, { renderDefinition });
  } catch (error) {
    throw listenError(error, args) ?? error;
  }
}

/**
 * An automation as `tripwire import` would write it, for the server's web page: the import generator's code, without
 * Tripwire's ownership marker in the description. The generator (ts-morph and Prettier) is loaded on the page's first request.
 */
export async function renderDefinition(spec: AutomationSpec): Promise<string> {
  const [{ generateSource }, { readMarker }] = await Promise.all([import("../import/generate.js"), import("../model/ownership.js")]);
  const { description } = readMarker(spec.description);
  const { description: _marked, ...rest } = spec;
  return (await generateSource({ automations: [{ spec: description === undefined ? rest : { ...rest, description } }] })).text;
}

/** The seed file's absolute path, once it is known to exist and to hold a valid seed: else a clear error naming it. */
export function checkSeed(seed: string, cwd: string, SeedSchema: SeedSchemaType, formatPath: (path: readonly string[]) => string): string {
  const path = resolve(cwd, seed);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? `does not exist (looked for ${path}; a relative --seed is read from the folder you run tripwire in)`
        : code === "EISDIR"
          ? "is a folder, not a JSON file"
          : `cannot be read (${code ?? (error as Error).message}): check its permissions`;
    throw new ReconcilerError("TW6205", `seed file ${seed} ${why}`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ReconcilerError("TW6205", `seed file ${seed} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = SeedSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.length > 0 ? `${formatPath(i.path.map(String))}: ` : ""}${i.message}`);
    throw new ReconcilerError("TW6205", `seed file ${seed} is not a valid seed (the format is in @tripwire/server's README): ${issues.join("; ")}`);
  }
  return path;
}

/** A port in use, a privileged port, a host that is not this machine's: the user's to fix, said so. */
function listenError(error: unknown, args: ServerArgs): ReconcilerError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${args.host}:${args.port}`;
  const fix =
    code === "EADDRINUSE"
      ? `port ${args.port} on ${args.host} is already in use: stop the process that holds it, or pass another --port (--port 0 picks a free one)`
      : code === "EACCES"
        ? `no permission to listen on ${where}: ports below 1024 need privileges; pass --port 8080, or --port 0 for a free one`
        : code === "EADDRNOTAVAIL"
          ? `cannot listen on ${where}: ${args.host} is not an address of this machine; pass --host 127.0.0.1 or 0.0.0.0`
          : undefined;
  return fix ? new ReconcilerError("TW6206", fix, { cause: error }) : undefined;
}

export const serverCmd: Command = {
  command: "server",
  describe: "run the local W&B-compatible backend (GraphQL, event ingestion, webhook and Slack delivery)",
  builder: (y) =>
    y
      .option("db", { type: "string", describe: "SQLite database (default: the embedded default's, .tripwire/local.db)" })
      .option("port", { type: "number", default: 8080, describe: "port; 0 picks a free one and logs it" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "interface to bind" })
      .option("seed", { type: "string", describe: "JSON seed: users and API keys, orgs, teams, integrations, secrets (see @tripwire/server)" })
      .option("durability", { type: "string", choices: ["full", "normal"], default: "full", describe: "full: fsync every group commit; normal: survives kill -9 only" })
      .option("log-level", { type: "string", choices: ["debug", "info", "warn", "error"], default: "info" })
      .option("config", { alias: "c", type: "string", describe: "config file whose embedded.db to serve" })
      .option("allow-private", { type: "string", array: true, describe: "private or loopback address / CIDR deliveries may go to (e.g. 127.0.0.1); default public only" })
      .option("compat", { type: "string", choices: ["current", "older"], describe: "older: answer as an older W&B Server (no team/org scope, z-score, run-state, no-op, tag or unlink events)" })
      .option("features", { type: "string", describe: "exactly these gated server features (serverInfo.features names), comma-separated" })
      .conflicts("compat", "features"),
  run: (a, io) =>
    serverCommand({ db: a.db, port: a.port, host: a.host, seed: a.seed, durability: a.durability, logLevel: a.logLevel, config: a.config, allowPrivate: a.allowPrivate, compat: a.compat, features: a.features }, io),
};
