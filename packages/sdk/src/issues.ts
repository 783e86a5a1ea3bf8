import type { SourceLocation } from "./model/automation.js";

/**
 * Diagnostic codes. Messages say what is wrong and how to fix it; the code is stable for scripts.
 * @example ISSUE_CODES.TW1003 // "invalid window"
 */
export const ISSUE_CODES = {
  TW1000: "value has the wrong shape",
  TW1001: "invalid automation name",
  TW1002: "event not allowed in this scope",
  TW1003: "invalid window",
  TW1004: "invalid change amount",
  TW1005: "invalid z-score threshold",
  TW1007: "invalid regular expression",
  TW1008: "filter field not available for this event",
  TW1009: "invalid run states",
  TW1010: "invalid webhook payload",
  TW1011: "invalid integration reference",
  TW1012: "invalid scope name",
  TW1013: "invalid metric name",
  TW1014: "duplicate automation name in scope",
  TW1015: "filter kept verbatim",
  TW1016: "cannot be written through W&B's API",
  TW1017: "invalid rename",
  TW1018: "empty list",
  TW1019: "unknown template variable",
  TW1021: "the automation's scope no longer exists",
  TW1030: "window larger than the maximum",
  TW1031: "text longer than the maximum",
  TW1040: "payload text does not render to JSON",
  TW1050: "an action cannot be encoded without its integration's ID",
} as const;
export type IssueCode = keyof typeof ISSUE_CODES;

/**
 * Codes renumbered because they meant two things, with the spelling they had: the server said TW1012 (invalid scope
 * name) for a scope that no longer exists, and the wire encoder threw the loader's TW2001.
 * @example ISSUE_FORMERLY.TW1021 // "TW1012"
 */
export const ISSUE_FORMERLY = {
  TW1021: "TW1012",
  TW1050: "TW2001",
} as const satisfies Partial<Record<IssueCode, string>>;

export type IssueSeverity = "error" | "warning";

/** One problem found in a definition, with the path to the offending value inside the spec. */
export interface Issue {
  readonly code: IssueCode;
  readonly severity: IssueSeverity;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

export interface ValidationResult<T> {
  readonly ok: boolean;
  /** Every issue found, errors and warnings; `ok` is false when any is an error. */
  readonly issues: readonly Issue[];
  /** The parsed value when its shape is right (even if it has semantic errors). */
  readonly value?: T;
}

/**
 * Formats an issue the way tsc does: `automations/alerts.ts:12:7 - error TW1003: window must be at least 1`.
 * @example formatIssue(issue, { file: "automations/alerts.ts", line: 12, column: 7 })
 */
export function formatIssue(issue: Issue, source?: SourceLocation, subject?: string): string {
  const where = source ? `${source.file}:${source.line}:${source.column} - ` : "";
  const about = subject ? `${subject}: ` : "";
  const at = issue.path.length > 0 ? ` (at ${formatPath(issue.path)})` : "";
  return `${where}${issue.severity} ${issue.code}: ${about}${issue.message}${at}`;
}

/**
 * Renders an issue path: `event.runFilter.args[0]`.
 * @example formatPath(["event", "runFilter", "args", 0]) // "event.runFilter.args[0]"
 */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/**
 * A failure (as opposed to a diagnostic): thrown, coded, with a cause. Builders throw it for misuse that
 * cannot produce a definition at all (`.do()` before `.on()`, a run event on a collection scope).
 * @example try { automation("x").do(doNothing() as never); } catch (e) { if (isTripwireError(e)) console.error(e.code); }
 */
export class TripwireError extends Error {
  override readonly name = "TripwireError";
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
    Object.defineProperty(this, Symbol.for("tripwire/error"), { value: true, enumerable: false });
  }
}

/**
 * Recognises Tripwire failures across SDK copies.
 * @example if (isTripwireError(err)) process.exitCode = 1;
 */
export function isTripwireError(value: unknown): value is TripwireError {
  return value instanceof Error && (value as unknown as Record<symbol, unknown>)[Symbol.for("tripwire/error")] === true;
}
