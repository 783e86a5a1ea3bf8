import { Readable } from "node:stream";
import type { Io } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";

/** The CLI's streams in memory, no terminal attached: what a CI job sees, read back as text. */
export function memoryIo(cwd: string, env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stdin: Readable.from([]),
    env: { NO_COLOR: "1", ...env },
    cwd,
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

/** Runs `tripwire <argv>` in-process in `cwd`. */
export async function runMain(argv: readonly string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const m = memoryIo(cwd, env);
  const code = await main(argv, m.io);
  return { code, stdout: m.stdout(), stderr: m.stderr() };
}
