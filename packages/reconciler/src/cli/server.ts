import { resolve } from "node:path";
import { loadConfig } from "../load/load.js";
import type { Command } from "./command.js";
import type { Io } from "./io.js";

export interface ServerArgs {
  readonly db?: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly seed?: string | undefined;
  readonly durability: string;
  readonly logLevel: string;
  readonly config?: string | undefined;
  readonly compat?: string | undefined;
  readonly features?: string | undefined;
}

/**
 * `tripwire server`: runs the local W&B-compatible backend (the `tripwire-server` of @tripwire/server) — by default on
 * the embedded default's database, so what `tripwire apply` put there starts firing on the events you send it.
 */
export async function serverCommand(args: ServerArgs, io: Io): Promise<number> {
  const { DEFAULT_DB } = await import("../remote/embedded.js");
  const { runServerCli } = await import("@tripwire/server");
  let db = args.db;
  if (!db) {
    const { config } = await loadConfig({ cwd: io.cwd, ...(args.config ? { configFile: args.config } : {}) });
    db = resolve(io.cwd, config.embedded?.db ?? DEFAULT_DB);
  }
  const argv = ["--db", db, "--port", String(args.port), "--host", args.host, "--durability", args.durability, "--log-level", args.logLevel, ...(args.seed ? ["--seed", args.seed] : []), ...(args.compat ? ["--compat", args.compat] : []), ...(args.features ? ["--features", args.features] : [])];
  return runServerCli(argv, io);
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
      .option("compat", { type: "string", choices: ["current", "older"], describe: "older: answer as an older W&B Server (no team/org scope, z-score, run-state, no-op, tag or unlink events)" })
      .option("features", { type: "string", describe: "exactly these gated server features (serverInfo.features names), comma-separated" })
      .conflicts("compat", "features"),
  run: (a, io) =>
    serverCommand({ db: a.db, port: a.port, host: a.host, seed: a.seed, durability: a.durability, logLevel: a.logLevel, config: a.config, compat: a.compat, features: a.features }, io),
};
