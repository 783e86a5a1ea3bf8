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

/**
 * Runs `load` with `process.exit` turned into an error (a definition that exits would otherwise end the CLI with no
 * word, and exit 0), and with a deadline: a top-level await that never settles leaves nothing for Node to wait on,
 * and the process would just stop. A synchronous endless loop cannot be stopped from the same thread.
 */
export async function guardedLoad<T>(load: () => Promise<T>, timeoutMs: number): Promise<T> {
  const exit = process.exit;
  process.exit = ((code?: unknown) => {
    throw new ExitDuringLoad(code);
  }) as typeof process.exit;
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
    process.exit = exit;
  }
}

/** The names of a module's exports that are Promises (or other thenables): automations cannot be awaited. */
export function promiseExports(moduleExports: Record<string, unknown>): string[] {
  return Object.keys(moduleExports).filter((name) => {
    const v = moduleExports[name];
    return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
  });
}
