import type { TripwireConfig } from "../config.js";
import type { Reporter } from "../reporter.js";
import { remoteBackend, type Backend } from "./backend.js";

/**
 * The live backend: W&B or a Tripwire server when `WANDB_BASE_URL` is set (authenticated with `WANDB_API_KEY`,
 * as the `wandb` client reads them), else the embedded default on `.tripwire/local.db`.
 */
export async function openBackend(ctx: { cwd: string; config: TripwireConfig; env: Readonly<Record<string, string | undefined>>; reporter?: Reporter }): Promise<Backend> {
  const base = ctx.env.WANDB_BASE_URL;
  if (base) {
    const reporter = ctx.reporter;
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    return remoteBackend(base, ctx.env.WANDB_API_KEY, {
      onRetry: (i) => reporter?.message("TWI005", `${i.status !== undefined ? `HTTP ${i.status}` : i.error} from the backend: retrying in ${seconds(i.delayMs)} (attempt ${i.attempt})`),
      onPause: (p) => reporter?.message("TW6550", `the backend's rate limit${p.limit !== undefined ? ` (${p.limit} requests per window)` : ""} is used up: waiting ${seconds(p.delayMs)} for it to reset`),
    });
  }
  // Loaded on demand: the embedded default brings in the whole server (GraphQL, SQLite).
  const { embeddedBackend } = await import("./embedded.js");
  return embeddedBackend(ctx.cwd, ctx.config);
}
