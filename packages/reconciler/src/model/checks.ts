import { pick } from "./codes.js";

/**
 * The `tripwire lint` checks: one typed registry. A check's code is its identity (configuration, `.lintIgnore()`,
 * docs anchors, SARIF rule ids); what it needs (only the definitions, or the history too) is a field, never read
 * from the code's spelling.
 */
export type CheckNeeds = "definitions" | "history";
export type LintSeverity = "error" | "warning";

interface CheckInfo {
  /** One line: what the check finds. */
  readonly title: string;
  readonly severity: LintSeverity;
  readonly needs: CheckNeeds;
}

export const CHECKS = {
  TWL001: { title: "template variable the event never fills", severity: "warning", needs: "definitions" },
  TWL002: { title: "unknown template variable", severity: "warning", needs: "definitions" },
  TWL010: { title: "regular expression W&B cannot run", severity: "error", needs: "definitions" },
  TWL011: { title: "catastrophic regular expression", severity: "warning", needs: "definitions" },
  TWL020: { title: "overlapping automations notify the same integration", severity: "warning", needs: "definitions" },
  TWL030: { title: "automation triggers itself through its webhook", severity: "error", needs: "definitions" },
  TWL031: { title: "automations trigger each other in a cycle", severity: "error", needs: "definitions" },
  TWL040: { title: "team or organisation Slack automation without a filter", severity: "warning", needs: "definitions" },
  TWL050: { title: "unknown system metric", severity: "warning", needs: "definitions" },
  TWL060: { title: "no history to check against", severity: "warning", needs: "history" },
  TWL061: { title: "metric never logged", severity: "warning", needs: "history" },
  TWL062: { title: "metric logged too rarely for the window", severity: "warning", needs: "history" },
  TWL063: { title: "window no run reached", severity: "warning", needs: "history" },
  TWL064: { title: "threshold that can never hold", severity: "warning", needs: "history" },
  TWL065: { title: "threshold that always holds", severity: "warning", needs: "history" },
  TWL066: { title: "regular expression matching no run", severity: "warning", needs: "history" },
  TWL067: { title: "user filter naming no user seen", severity: "warning", needs: "history" },
} as const satisfies Record<string, CheckInfo>;

export type CheckCode = keyof typeof CHECKS;

/** Every check code, in registry order. */
export const CHECK_CODES = Object.keys(CHECKS) as [CheckCode, ...CheckCode[]];

export function isCheckCode(code: string): code is CheckCode {
  return Object.hasOwn(CHECKS, code);
}

/** A severity in `tripwire.config.ts` (`lint: { TWL020: "off" }`). */
export const LINT_LEVELS = ["off", "warning", "error"] as const;
export type LintLevel = (typeof LINT_LEVELS)[number];

/** Diagnostic codes of the lint and policy machinery itself (not checks): TW6700–TW6799. */
export const LINT_CODES = pick("TW6700");
export type LintCode = keyof typeof LINT_CODES;
