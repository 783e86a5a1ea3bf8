import { isAbsolute, relative, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { OpResult } from "../model/plan.js";
import type { Reporter } from "../model/reporter.js";
import { formatDiagnostic } from "../model/diagnostics.js";
import type { Diagnostic } from "../model/types.js";

/** The process's streams and terminal facts, injectable for tests. */
export interface Io {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: invokedIn(process.env, process.cwd()) });

/**
 * The folder the user typed the command in. `npx tripwire` inside a workspace folder runs the bin in the workspace
 * root (npm's exec changes directory); npm says where it was started in `INIT_CWD`. Only for `npm exec` / `npx`,
 * and only a folder below the one npm moved to: `npm run` scripts run in their package's folder by design, and a
 * child process that inherited an unrelated INIT_CWD keeps its own working directory.
 */
export function invokedIn(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const initCwd = env.INIT_CWD;
  if (env.npm_command !== "exec" || !initCwd || !isAbsolute(initCwd)) return cwd;
  const rel = relative(cwd, initCwd);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? resolve(initCwd) : cwd;
}

/** Colour unless NO_COLOR is set, --no-color was given, or the stream is not a terminal. */
export function useColor(io: Io, stream: "stdout" | "stderr", flag: boolean | undefined): boolean {
  return flag !== false && io.env.NO_COLOR === undefined && io[stream].isTTY === true;
}

/** Progress and messages on stderr: stdout is reserved for the plan, or the one `--json` document. */
export function stderrReporter(io: Io, quiet = false): Reporter {
  return {
    message: (code, text) => {
      // A wait for an unreachable backend is said even with --json (stderr is for people either way): not silence.
      if (!quiet || code === "TWI005") io.stderr.write(`${text}\n`);
    },
    progress: (r: OpResult) => io.stderr.write(`${progressLine(r)}\n`),
  };
}

const VERBS: Record<OpResult["op"], [string, string]> = {
  prerequisite: ["created", "could not create"],
  create: ["created", "could not create"],
  update: ["updated", "could not update"],
  rename: ["renamed", "could not rename"],
  delete: ["destroyed", "could not destroy"],
};

export function progressLine(r: OpResult): string {
  const [ok, fail] = VERBS[r.op];
  return r.ok ? `${r.address}: ${ok}${r.id ? ` [id=${r.id}]` : ""} (${r.ms} ms)` : `${r.address}: ${fail}: ${r.error}`;
}

export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) io.stderr.write(`\nFound ${errors} error${errors === 1 ? "" : "s"}.\n`);
}

/** Terraform's confirmation: only "yes" approves. */
export async function ask(io: Io, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream, terminal: false });
  try {
    const answer = await rl.question(question);
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}

/** Someone can answer a prompt: stdin and stderr are terminals. */
export const interactive = (io: Io) => io.stdin.isTTY === true && io.stderr.isTTY === true;
