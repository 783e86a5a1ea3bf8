import { join } from "node:path";
import { globSync } from "tinyglobby";

/** Compares relative paths segment by segment: a folder's entries in name order, each folder's files in its place. */
function bySegments(a: string, b: string): number {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < x.length && i < y.length; i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * The files below `dir` (recursively, following links) whose name `accept`s, skipping `node_modules` and
 * dot-files and dot-folders, in the order a depth-first walk with each folder's entries sorted by name finds
 * them. The one folder walk of definitions, test files and history files; tinyglobby (fdir) does the walking.
 */
export function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  const found = globSync("**/*", { cwd: dir, dot: false, onlyFiles: true, followSymbolicLinks: true, expandDirectories: false, ignore: ["**/node_modules", "**/node_modules/**"] });
  return found
    .filter((rel) => accept(rel.slice(rel.lastIndexOf("/") + 1)))
    .sort(bySegments)
    .map((rel) => join(dir, rel));
}
