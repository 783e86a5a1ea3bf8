import { pick, type Code } from "./codes.js";

/**
 * Failures (as opposed to diagnostics): thrown, coded, with a cause. `internal` marks a Tripwire bug, which the
 * CLI says plainly.
 */
export class ReconcilerError extends Error {
  override readonly name = "ReconcilerError";
  constructor(
    readonly code: Code,
    message: string,
    options: { cause?: unknown; readonly status?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    Object.defineProperty(this, Symbol.for("tripwire/reconciler-error"), { value: true, enumerable: false });
  }
  readonly status: number | undefined;
}

export function isReconcilerError(value: unknown): value is ReconcilerError {
  return value instanceof Error && (value as unknown as Record<symbol, unknown>)[Symbol.for("tripwire/reconciler-error")] === true;
}

/** Failure codes (diagnostics use TWxxxx; failures use TWExxx). */
export const FAILURES = pick("TWE001", "TWE002", "TWE003", "TWE004", "TWE005", "TWE007", "TWE008", "TWE099");
