import type { IssueCode } from "@tripwire/sdk";
import type { EvaluatorCode } from "@tripwire/evaluator";
import type { CheckCode } from "./checks.js";

/**
 * Every code the reconciler reports: one object literal, so a code written twice does not compile (TS1117), and
 * one meaning per code. Blocks: `TW2xxx` loading and resolving, `TW3xxx` planning, `TW4xxx` history input,
 * `TW5xxx` import, `TW6xxx` the CLI and its commands, `TW7xxx` test files, `TWExxx` failures, `TWIxxx`
 * informational messages. The SDK's definition codes (`TW1xxx`, `ISSUE_CODES`), the evaluator's
 * (`EVALUATOR_CODES`), lint's checks (`TWLxxx`, `CHECKS`) and the server's (`SERVER_CODES`) have registries of
 * their own, which the check at the bottom of this file (and test/codes.test.ts) keep disjoint from this one.
 *
 * Nothing decides by a code's spelling: a family is a view picked from here (`TEST_FILE_CODES`, …), and a
 * decision asks whether a code is in one.
 */
export const CODES = {
  // load/
  TW2000: "the config file does not exist",
  TW2001: "the config file does not follow the format",
  TW2002: "the config file cannot be loaded",
  TW2003: "a definition path does not exist, or holds no definition files",
  TW2004: "a definition file cannot be loaded",
  // resolve/
  TW2101: "an entity, project, registry or collection does not exist or is not visible",
  TW2102: "an entity is of the other kind (team or user)",
  TW2103: "an integration does not exist",
  TW2104: "the backend does not support an automation's raw event or action",
  TW2105: "a collection filter matches no collection",
  TW2106: "a collection filter cannot be evaluated",
  // plan/
  TW3001: "an automation of that name exists and is not managed by Tripwire",
  TW3002: "a live automation cannot be read",
  TW3003: "a protected automation would be deleted",
  TW3004: "renames that cannot be ordered (a swap or a cycle)",
  TW3005: "an automation of that name is managed by another Tripwire configuration",
  // backtest/ history input
  TW4001: "a history path does not exist or holds no history files",
  TW4002: "a JSONL line is not valid JSON",
  TW4003: "a JSONL line is not a valid event",
  TW4004: "a CSV export is invalid",
  TW4005: "a CSV export has no or invalid run metadata",
  // backtest/ over the live history
  TW4010: "the backend refused a run or history query",
  TW4012: "a change raises an automation's notifications past the config's noise.maxPerDay",
  TW4013: "an invalid backtest period (--since, --from, --to)",
  // import/
  TW5001: "import skipped an automation that cannot be managed",
  TW5002: "import skipped an automation defined differently in code",
  TW5003: "import did not mark: the definitions do not plan to nothing",
  TW5004: "import did not mark: the update failed",
  TW5005: "an automation managed by this configuration is not in code",
  // an installation that lacks a part
  TW6100: "@tripwire/server (the embedded default, `tripwire server`) is not installed or cannot be loaded",
  TW6101: "the TypeScript compiler that type-checks the definitions cannot run",
  // cli/
  TW6200: "a mistake on the command line (unknown command or option, a bad value)",
  TW6201: "a file named on the command line does not exist or cannot be read",
  TW6202: "WANDB_BASE_URL is not a usable base URL",
  TW6203: "the backend needs an API key and WANDB_API_KEY is not set",
  TW6204: "the backend rejected the API key in WANDB_API_KEY",
  TW6205: "the server's seed file is missing, unreadable or invalid",
  TW6206: "the server cannot listen on the port or host it was given",
  TW6207: "GitHub answered with something that is not JSON",
  TW6208: "a definition file exports a Promise",
  TW6209: "a definition file called process.exit while it was loaded",
  TW6210: "loading a definition file did not finish in time",
  TW6211: "tripwire init could not write a file",
  // what a W&B server supports
  TW6501: "this W&B server does not have a feature the automation needs",
  TW6520: "a threshold compared with == or != is read by W&B's Python SDK as no threshold",
  TW6521: "a webhook payloadText that is not a JSON object breaks W&B's Python SDK listing",
  TW6550: "waiting for the backend's rate-limit window to reset",
  // tripwire history
  TW6601: "the backend has no execution-history API (W&B)",
  TW6602: "the backend refused the API key",
  TW6603: "the backend could not be reached or answered something else",
  TW6604: "the backend refused the history query",
  // lint and policy machinery (not checks)
  TW6700: ".lintIgnore() names no lint check",
  TW6710: "a policy refuses the plan",
  TW6711: "a policy threw",
  // testing/ (tripwire test); formerly TW5001–TW5002, which import also uses
  TW7001: "a test file cannot be read or parsed",
  TW7002: "a test file does not follow the format",
  // failures (thrown, not diagnostics)
  TWE001: "the backend could not be reached",
  TWE002: "the backend refused the request",
  TWE003: "the backend answered with GraphQL errors",
  TWE004: "the saved plan is stale",
  TWE005: "the saved plan cannot be read",
  TWE007: "tripwire import: an --out, --name-filter or Prettier configuration it cannot use",
  TWE008: "tripwire import: the entity, project or registry does not exist or is not visible",
  TWE099: "internal error (a Tripwire bug: please report it)",
  // informational messages
  TWI001: "reading the live state",
  TWI002: "applying",
  TWI004: "verifying",
  TWI005: "retrying a request",
  TWI006: "backtesting over a history file",
  TWI007: "reading run history from the live backend (a progress line per project)",
  TWI010: "import: reading the live automations",
  TWI011: "import: wrote the definitions",
  TWI012: "import: checking the definitions before marking",
  TWI013: "import: marked an automation managed",
} as const satisfies Record<string, string>;

export type Code = keyof typeof CODES;

/**
 * Codes that were renumbered because they meant two things, with the spelling they had. Output that carries a
 * renumbered code names the old one too (`error TW7002 (formerly TW5002): …`, `"formerly": "TW5002"` in JSON), so
 * a CI script matching the old spelling still matches.
 */
export const FORMERLY = {
  TW7001: "TW5001",
  TW7002: "TW5002",
} as const satisfies Partial<Record<Code, string>>;

/** The old spelling of a renumbered code, if it has one. */
export function formerlyOf(code: string): string | undefined {
  return Object.hasOwn(FORMERLY, code) ? FORMERLY[code as keyof typeof FORMERLY] : undefined;
}

/** `{ code }`, with `formerly` when the code was renumbered: spread into a diagnostic. */
export function coded(code: Code): { readonly code: Code; readonly formerly?: string } {
  const old = formerlyOf(code);
  return old === undefined ? { code } : { code, formerly: old };
}

/** Every code a diagnostic may carry: the reconciler's, the SDK's definition codes, lint's checks, TypeScript's. */
export type DiagnosticCode = Code | IssueCode | EvaluatorCode | CheckCode | `TS${string}`;

/** A family of codes, picked from the registry (its entries are the registry's). */
export function pick<const K extends Code>(...keys: K[]): { readonly [P in K]: (typeof CODES)[P] } {
  return Object.fromEntries(keys.map((k) => [k, CODES[k]])) as { readonly [P in K]: (typeof CODES)[P] };
}

/** Diagnostic codes of test files (TW5001–TW5002 before they were renumbered: import uses those). */
export const TEST_FILE_CODES = pick("TW7001", "TW7002");

/** Whether a code belongs to a family. */
export function inFamily(family: object, code: string): boolean {
  return Object.hasOwn(family, code);
}

// A code of this registry that the SDK, the evaluator or lint also defines makes `Overlap` non-never, and these
// lines stop compiling.
type Overlap = Extract<Code, IssueCode | EvaluatorCode | CheckCode>;
const disjoint: [Overlap] extends [never] ? true : Overlap = true;
void disjoint;

/** Codes of a Tripwire installation that lacks a part a command needs. */
export const INSTALL_CODES = pick("TW6100", "TW6101");

export type InstallCode = keyof typeof INSTALL_CODES;
