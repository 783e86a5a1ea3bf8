import { ReconcilerError } from "../model/errors.js";
import type { InstallCode } from "../model/codes.js";


// `@tripwire/server` is an optional peer dependency: only the embedded default (no `WANDB_BASE_URL`) and
// `tripwire server` need it, so a team that plans against W&B installs neither SQLite nor graphql-js.

/** The whole server, for `tripwire server`. */
export function loadServer(): Promise<typeof import("@tripwire/server")> {
  return optional("tripwire server", () => import("@tripwire/server"));
}

/** The server's store and GraphQL executor alone (no HTTP, ingestion or delivery), for the embedded default. */
export function loadEmbeddedServer(): Promise<typeof import("@tripwire/server/embedded")> {
  return optional("the embedded default (WANDB_BASE_URL is not set)", () => import("@tripwire/server/embedded"));
}

async function optional<T>(purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const missing = (e.code === "ERR_MODULE_NOT_FOUND" || e.code === "MODULE_NOT_FOUND") && /['"]@tripwire\/server['"]/.test(e.message ?? "");
    const why = missing ? "is not installed" : `cannot be loaded (${(e.message ?? String(error)).split("\n")[0]}); reinstall it`;
    throw new ReconcilerError("TW6100" satisfies InstallCode, `${purpose} needs the package @tripwire/server, which ${why}: npm install --save-dev @tripwire/server`, { cause: error });
  }
}
