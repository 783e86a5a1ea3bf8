import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

/**
 * A throwaway user project in a temp folder: package.json, the given files, and node_modules links to this
 * repo's packages, as a team's repository with Tripwire installed would have.
 */
export function makeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tripwire-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "team-automations", private: true, type: "module" }));
  mkdirSync(join(dir, "node_modules", "@tripwire"), { recursive: true });
  for (const pkg of ["sdk", "reconciler", "evaluator", "server"]) {
    try {
      symlinkSync(join(repo, "packages", pkg), join(dir, "node_modules", "@tripwire", pkg));
    } catch {
      // a package not built yet in this checkout
    }
  }
  for (const name of ["zod", "typescript"]) symlinkSync(join(repo, "node_modules", name), join(dir, "node_modules", name));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export const REPO = repo;
