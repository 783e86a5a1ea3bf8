import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { ensureUser } from "./seed.js";
import type { Store } from "./store/types.js";

/** The local instance admin: the embedded default acts as this user, and the first-start key belongs to it. */
export const LOCAL_ADMIN = "local";

/** Where the first-start key of the database at `db` is kept: beside it, readable by its owner only. */
export const localKeyPath = (db: string): string => `${db}.key`;

/** The first-start key, and whether this start created it. */
export interface LocalKey {
  readonly key: string;
  readonly path: string;
  readonly created: boolean;
}

/**
 * The API key a user pastes after `tripwire server`: read from the key file beside the database when there is one
 * (and registered again, so a key file copied next to a fresh database keeps working), else, on a database where no
 * user holds an API key, created once for the local admin and written to the key file with mode 0600. Returns
 * undefined when users already have keys (a seeded database): their keys are the ones to use.
 * @example const k = ensureLocalKey(store, ".tripwire/local.db"); if (k) print(`WANDB_API_KEY=${k.key}`);
 */
export function ensureLocalKey(store: Store, db: string): LocalKey | undefined {
  const path = localKeyPath(db);
  const existing = readKey(path);
  if (existing !== undefined) {
    store.transaction(() => store.addApiKey(ensureUser(store, LOCAL_ADMIN, { admin: true }).id, existing));
    return { key: existing, path, created: false };
  }
  if (store.hasApiKeys()) return undefined;
  // W&B API keys are 40 hex characters; the same shape passes every client-side check the wandb tools make.
  const key = randomBytes(20).toString("hex");
  // `wx`: two servers starting on one new database at once cannot both write a key; the loser reads the winner's.
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return ensureLocalKey(store, db);
  }
  // The umask can only remove bits, but a filesystem may ignore the mode at creation: set it explicitly.
  chmodSync(path, 0o600);
  store.transaction(() => store.addApiKey(ensureUser(store, LOCAL_ADMIN, { admin: true }).id, key));
  return { key, path, created: true };
}

function readKey(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const key = text.trim();
  if (key.length < 8) throw new Error(`${path} does not hold an API key; delete it to have a new one created`);
  return key;
}
