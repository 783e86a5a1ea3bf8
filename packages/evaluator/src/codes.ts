import type { IssueCode } from "@tripwire/sdk";

/**
 * The codes of the evaluator's failures (thrown as `TripwireError`): one object literal, so a code written twice
 * does not compile. The block is the SDK's and the reconciler's neighbour, and disjoint from both (checked below and
 * by test/codes.test.ts). TW2030–TW2032 were TW2001–TW2003, which the reconciler's loader also uses (`EVALUATOR_FORMERLY`).
 * @example EVALUATOR_CODES.TW2031 // "an event timestamp is not an ISO 8601 date-time"
 */
export const EVALUATOR_CODES = {
  TW2010: "a JSONL event line is invalid",
  TW2011: "a W&B history CSV export is invalid",
  TW2020: "a test series is written wrong",
  TW2021: "a test stream's option is invalid",
  TW2022: "an evaluate() input is invalid",
  TW2023: "no automation of that name was evaluated",
  TW2030: "two automations have the same id",
  TW2031: "an event timestamp is not an ISO 8601 date-time",
  TW2032: "an engine snapshot of an unsupported version",
  TW2900: "internal error in the evaluator (a Tripwire bug)",
} as const satisfies Record<string, string>;

export type EvaluatorCode = keyof typeof EVALUATOR_CODES;

/**
 * Codes renumbered because they meant two things, with the spelling they had.
 * @example EVALUATOR_FORMERLY.TW2031 // "TW2002"
 */
export const EVALUATOR_FORMERLY = {
  TW2030: "TW2001",
  TW2031: "TW2002",
  TW2032: "TW2003",
} as const satisfies Partial<Record<EvaluatorCode, string>>;

type Overlap = Extract<EvaluatorCode, IssueCode>;
const disjoint: [Overlap] extends [never] ? true : Overlap = true;
void disjoint;
