import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../project.js";

export const BIN = join(REPO, "packages", "reconciler", "bin", "tripwire.js");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A clean environment: no W&B settings leak in from the machine running the tests. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { WANDB_BASE_URL: _b, WANDB_API_KEY: _k, WANDB_ENTITY: _e, ...rest } = process.env;
  return { ...rest, NO_COLOR: "1", ...extra };
}

/** Runs the tripwire CLI as a child process, as a user or a CI job would. */
export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: env(options.env), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.stdin.end();
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the CLI and returns the process, for tests that kill it midway. */
export function startCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: env(options.env), stdio: ["pipe", "pipe", "pipe"] });
}
