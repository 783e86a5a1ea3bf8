import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";

const SOURCE = new Set([".ts", ".mts", ".js", ".mjs"]);
const SKIP = /(\.d\.ts|\.test\.[mc]?[jt]s|\.spec\.[mc]?[jt]s)$/;

/**
 * The definition files named by `paths` (files, or folders searched recursively), sorted, each once.
 * Missing paths are reported, never ignored.
 */
export function discoverFiles(paths: readonly string[], base: string): { files: string[]; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE.has(extname(name)) && !SKIP.test(name) && !/^tripwire\.config\./.test(name)) files.add(path);
    }
  };
  for (const p of paths) {
    const abs = resolve(base, p);
    if (!existsSync(abs)) missing.push(p);
    else if (statSync(abs).isDirectory()) walk(abs);
    else files.add(abs);
  }
  return { files: [...files].sort(), missing };
}
