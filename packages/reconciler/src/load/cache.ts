import { createHash, randomBytes } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { TransformOptions, TransformResult } from "jiti";

/**
 * The transpile cache for definition files. jiti's own (`fsCache: true`) lives in the shared temp folder when the
 * project has no node_modules, and trusts any file there that ends with a trailer anyone can compute: on a shared CI
 * host, another user could plant code that then runs with this user's `WANDB_API_KEY`. This one lives in the user's
 * own cache folder, refuses a folder that is not theirs or that others can write, names each entry by the hash of
 * everything that goes into it (source, file, options), and runs an entry only when its body matches the hash on
 * its first line; anything else is transpiled again.
 */
export type { TransformOptions, TransformResult } from "jiti";
export type Transform = (options: TransformOptions) => TransformResult;

/** Bumped when what an entry holds changes meaning; old entries are then never read. */
const FORMAT = "tripwire-transpile-1";

/** `TRIPWIRE_CACHE_DIR`, else `$XDG_CACHE_HOME/tripwire/transpile`, else `~/.cache/tripwire/transpile`. */
export function transpileCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.TRIPWIRE_CACHE_DIR) return env.TRIPWIRE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "tripwire", "transpile");
}

/**
 * Creates the folder (0700) or checks the one there: a real folder (not a link), owned by this user, that no one
 * else can write. Returns whether it can be used; a folder that fails is not used at all (definitions are then
 * transpiled on every load).
 */
export function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.isSymbolicLink()) return false;
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) return false;
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
    return (lstatSync(dir).mode & 0o077) === 0;
  } catch {
    return false;
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The entry's name: the hash of the source and of every option that changes the output. */
export function entryKey(options: TransformOptions): string {
  const { source, ...rest } = options;
  const settings = JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
  return sha256(`${FORMAT}\0${settings}\0${source}`);
}

const HEADER = /^\/\/ sha256:([0-9a-f]{64})\n/;

/** Wraps a transform with the cache in `dir` (already checked by `privateDir`). */
export function cachedTransform(dir: string, transform: Transform): Transform {
  return (options) => {
    const file = join(dir, `${entryKey(options)}.js`);
    try {
      const text = readFileSync(file, "utf8");
      const m = HEADER.exec(text);
      const body = m ? text.slice(m[0].length) : undefined;
      if (m && body !== undefined && sha256(body) === m[1]) return { code: body };
    } catch {
      // not cached yet
    }
    const result = transform(options);
    if (result.error === undefined && !result.code.includes("__JITI_ERROR__")) {
      // Written whole under a temporary name, then renamed: a concurrent load never reads half an entry.
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
      try {
        writeFileSync(tmp, `// sha256:${sha256(result.code)}\n${result.code}`, { mode: 0o600, flag: "wx" });
        renameSync(tmp, file);
      } catch {
        // A full disk or a read-only home: the cache is an optimisation, the load goes on.
      }
    }
    return result;
  };
}
