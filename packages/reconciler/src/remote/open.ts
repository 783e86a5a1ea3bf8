import type { TripwireConfig } from "../config.js";
import { loadEmbeddedServer } from "../optional.js";
import { remoteBackend, type Backend } from "./backend.js";

/**
 * The live backend: W&B or a Tripwire server when `WANDB_BASE_URL` is set (authenticated with `WANDB_API_KEY`,
 * as the `wandb` client reads them), else the embedded default on `.tripwire/local.db`.
 */
export async function openBackend(ctx: { cwd: string; config: TripwireConfig; env: Readonly<Record<string, string | undefined>> }): Promise<Backend> {
  const base = ctx.env.WANDB_BASE_URL;
  if (base) return remoteBackend(base, ctx.env.WANDB_API_KEY);
  // Loaded on demand: the embedded default brings in the server's store and GraphQL executor (SQLite, graphql-js).
  await loadEmbeddedServer();
  const { embeddedBackend } = await import("./embedded.js");
  return embeddedBackend(ctx.cwd, ctx.config);
}
