/** How long one definition or config file may take to load (`TRIPWIRE_LOAD_TIMEOUT_MS` overrides it). */
export const DEFAULT_LOAD_TIMEOUT_MS = 30_000;

export function loadTimeoutMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const n = Number(env.TRIPWIRE_LOAD_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_LOAD_TIMEOUT_MS;
}

/** A definition file called `process.exit` while it was loaded. */
export class ExitDuringLoad extends Error {
  override readonly name = "ExitDuringLoad";
  constructor(readonly exitCode: unknown) {
    super(`called process.exit(${exitCode === undefined ? "" : String(exitCode)}) while it was loaded`);
  }
}

/** Loading a file did not settle within the time allowed. */
export class LoadTimeout extends Error {
  override readonly name = "LoadTimeout";
  constructor(readonly ms: number) {
    super(`did not finish loading within ${ms / 1000} s`);
  }
}

/** The loads in progress in this process, and the `process.exit` they replaced. */
const guard: { loads: number; exit: typeof process.exit | undefined } = { loads: 0, exit: undefined };

/**
 * Runs `load` with `process.exit` turned into an error (a definition that exits would otherwise end the CLI with no
 * word, and exit 0), and with a deadline: a top-level await that never settles leaves nothing for Node to wait on,
 * and the process would just stop. A synchronous endless loop cannot be stopped from the same thread.
 */
export async function guardedLoad<T>(load: () => Promise<T>, timeoutMs: number): Promise<T> {
  // process.exit is one per process: loads that overlap (the API called concurrently) share one guard, put in place
  // by the first and removed by the last, so none is left unguarded and the original always comes back.
  if (guard.loads++ === 0) {
    guard.exit = process.exit;
    process.exit = ((code?: unknown) => {
      throw new ExitDuringLoad(code);
    }) as typeof process.exit;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      load(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LoadTimeout(timeoutMs)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (--guard.loads === 0 && guard.exit) process.exit = guard.exit;
  }
}

/** The names of a module's exports that are Promises (or other thenables): automations cannot be awaited. */
export function promiseExports(moduleExports: Record<string, unknown>): string[] {
  return Object.keys(moduleExports).filter((name) => {
    const v = moduleExports[name];
    return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
  });
}
