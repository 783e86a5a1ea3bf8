import { ReconcilerError } from "./errors.js";

/** Codes of a Tripwire installation that lacks a part a command needs. */
export const INSTALL_CODES = {
  TW6100: "@tripwire/server (the embedded default, `tripwire server`) is not installed or cannot be loaded",
  TW6101: "the TypeScript compiler that type-checks the definitions cannot run",
} as const;

export type InstallCode = keyof typeof INSTALL_CODES;

type ServerModule = typeof import("@tripwire/server");

/**
 * Loads `@tripwire/server`, an optional peer dependency: only the embedded default (no `WANDB_BASE_URL`) and
 * `tripwire server` need it, so a team that plans against W&B installs neither SQLite nor graphql-js.
 */
export async function loadServer(purpose: string): Promise<ServerModule> {
  try {
    return await import("@tripwire/server");
  } catch (error) {
    const e = error as { code?: string; message?: string };
    const missing = (e.code === "ERR_MODULE_NOT_FOUND" || e.code === "MODULE_NOT_FOUND") && /['"]@tripwire\/server['"]/.test(e.message ?? "");
    const why = missing ? "is not installed" : `cannot be loaded (${(e.message ?? String(error)).split("\n")[0]}); reinstall it`;
    throw new ReconcilerError("TW6100", `${purpose} needs the package @tripwire/server, which ${why}: npm install --save-dev @tripwire/server`, { cause: error });
  }
}
