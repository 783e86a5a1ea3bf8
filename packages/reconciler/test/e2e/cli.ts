import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { runMain } from "../io.js";
import { REPO } from "../project.js";

export const BIN = join(REPO, "packages", "reconciler", "bin", "tripwire.js");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
}

/** A clean environment: no W&B settings leak in from the machine running the tests. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { WANDB_BASE_URL: _b, WANDB_API_KEY: _k, WANDB_ENTITY: _e, ...rest } = process.env;
  return { ...rest, NO_COLOR: "1", ...extra };
}

/**
 * Runs `tripwire <args>` in this process: the CLI's `main` with its streams in memory, stdin closed and the same clean
 * environment a child process would get, so the commands talk to the backend their environment names (the embedded
 * store under `<cwd>/.tripwire/`, or the W&B / Tripwire server that `WANDB_BASE_URL` points at) exactly as from a
 * shell. What is about the process itself (the bin, signals, `kill -9`, npx) uses `spawnCli` / `startCli`.
 */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return runMain(args, options.cwd, env(options.env));
}

/** Runs `file args…` as a child process in `cwd` with exactly `env`, stdin closed, and collects its output. */
export function runProcess(file: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  return collect(spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] }));
}

/** Runs the built tripwire bin as a child process, as a user or a CI job would. */
export function spawnCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const child = startCli(args, options);
  child.stdin?.end();
  return collect(child);
}

function collect(child: ChildProcess): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c) => (stdout += c));
    child.stderr?.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the built CLI and returns the process, for tests that kill it midway. */
export function startCli(args: readonly string[], options: CliOptions): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: env(options.env), stdio: ["pipe", "pipe", "pipe"] });
}
