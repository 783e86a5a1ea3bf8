import { existsSync, statSync } from "node:fs";
import { extname, isAbsolute, relative, resolve, sep } from "node:path";
import { filesUnder } from "../model/walk.js";

const SOURCE = new Set([".ts", ".mts", ".js", ".mjs"]);
const SKIP = /(\.d\.ts|\.test\.[mc]?[jt]s|\.spec\.[mc]?[jt]s)$/;

/** Whether `discoverFiles` takes a file of this name as a definition file. */
function isDefinitionName(name: string): boolean {
  return SOURCE.has(extname(name)) && !SKIP.test(name) && !/^tripwire\.config\./.test(name);
}

/**
 * Whether `discoverFiles(paths, base)` would load `file` (an absolute path), once it exists: it is one of the paths,
 * or a definition file inside one of the folders (not under `node_modules` or a dot-folder).
 */
export function isDiscoverable(file: string, paths: readonly string[], base: string): boolean {
  return paths.some((p) => {
    const root = resolve(base, p);
    if (file === root) return true;
    const rel = relative(root, file);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return false;
    const parts = rel.split(sep);
    const name = parts[parts.length - 1] as string;
    return parts.slice(0, -1).every((d) => d !== "node_modules" && !d.startsWith(".")) && !name.startsWith(".") && isDefinitionName(name);
  });
}

/**
 * The definition files named by `paths` (files, or folders searched recursively), sorted, each once.
 * Missing paths are reported, never ignored.
 */
export function discoverFiles(paths: readonly string[], base: string): { files: string[]; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const p of paths) {
    const abs = resolve(base, p);
    if (!existsSync(abs)) missing.push(p);
    else if (statSync(abs).isDirectory()) for (const f of filesUnder(abs, isDefinitionName)) files.add(f);
    else files.add(abs);
  }
  return { files: [...files].sort(), missing };
}
