/**
 * Failures (as opposed to diagnostics): thrown, coded, with a cause. `internal` marks a Tripwire bug, which the
 * CLI says plainly.
 */
export class ReconcilerError extends Error {
  override readonly name = "ReconcilerError";
  constructor(
    readonly code: string,
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
export const FAILURES = {
  TWE001: "the backend could not be reached",
  TWE002: "the backend refused the request",
  TWE003: "the backend answered with GraphQL errors",
  TWE004: "the saved plan is stale",
  TWE005: "the saved plan cannot be read",
  TWE006: "refused without confirmation",
  TWE007: "tripwire import: an --out or --name-filter it cannot use",
  TWE008: "tripwire import: the entity, project or registry does not exist or is not visible",
  TWE099: "internal error (a Tripwire bug: please report it)",
} as const;
