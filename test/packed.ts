// Packs every package with `npm pack` and installs the tarballs into a new project outside the checkout, as a team
// adding Tripwire to its repository would: shared by test/pack.test.ts and the CLI benchmark.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const PACKAGES = ["sdk", "evaluator", "reconciler", "server"] as const;

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** A clean environment: no W&B settings or npm workspace variables leak in from the machine running this. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("WANDB_") || k.startsWith("npm_") || k === "INIT_CWD" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Builds the packages (incremental: nothing to do when dist/ is current). */
export function build(): void {
  execFileSync(npm, ["run", "build"], { cwd: REPO, stdio: "pipe", env: cleanEnv() });
}

export interface Packed {
  /** Package name → its tarball. */
  readonly tarballs: Readonly<Record<string, string>>;
  /** Package name → the files in its tarball. */
  readonly files: Readonly<Record<string, readonly string[]>>;
}

/** `npm pack` of every package into `into`. */
export function packAll(into: string): Packed {
  mkdirSync(into, { recursive: true });
  const out = execFileSync(npm, ["pack", "--json", "--pack-destination", into, ...PACKAGES.flatMap((p) => ["-w", `packages/${p}`])], {
    cwd: REPO,
    encoding: "utf8",
    env: cleanEnv(),
  });
  const tarballs: Record<string, string> = {};
  const files: Record<string, string[]> = {};
  for (const p of JSON.parse(out) as { name: string; filename: string; files: { path: string }[] }[]) {
    tarballs[p.name] = join(into, p.filename);
    files[p.name] = p.files.map((f) => f.path).sort();
  }
  return { tarballs, files };
}

/**
 * A new project in the system's temp folder with the tarballs installed (`npm install <tarball…>`; third-party
 * packages come from npm's cache when it has them). Install scripts are skipped and better-sqlite3's native build
 * is copied from this checkout's node_modules: compiling SQLite takes minutes, and it is not what is tested here.
 */
export function installProject(packed: Packed, options: { extra?: readonly string[] } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "tripwire-installed-"));
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "team-automations", private: true, type: "module" }, null, 2)}\n`);
  const r = spawnSync(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--save-dev", ...Object.values(packed.tarballs), ...(options.extra ?? [])], {
    cwd: dir,
    encoding: "utf8",
    env: cleanEnv(),
  });
  if (r.status !== 0) throw new Error(`npm install failed in ${dir}:\n${r.stdout}\n${r.stderr}`);
  const sqlite = join(dir, "node_modules", "better-sqlite3");
  if (existsSync(sqlite)) {
    rmSync(sqlite, { recursive: true, force: true });
    cpSync(join(REPO, "node_modules", "better-sqlite3"), sqlite, { recursive: true, dereference: true });
  }
  return dir;
}

/** Writes `files` (path → text) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}
