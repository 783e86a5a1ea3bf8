import type { TripwireConfig } from "../model/config.js";
import { sourceOf, type DesiredAutomation, type Diagnostic } from "../model/types.js";
import { CHECKS, isCheckCode, type CheckCode, type LintLevel } from "../model/checks.js";
import { offlineFindings, type Finding } from "./offline.js";

export interface LintInput {
  readonly automations: readonly DesiredAutomation[];
  readonly config: TripwireConfig;
  /** Findings of the history-aware checks (see lint/history.ts), when they ran. */
  readonly historyFindings?: readonly Finding[];
}

/** The severity a check reports at: the config's, else the registry's default. */
export function levelOf(code: CheckCode, config: TripwireConfig): LintLevel {
  return config.lint?.[code] ?? CHECKS[code].severity;
}

/**
 * Runs the offline checks (and takes the history-aware findings given) and turns findings into diagnostics: the
 * config's severities applied, `off` checks and `.lintIgnore()`d ones dropped, the same finding on the automations a
 * `collections(filter)` definition expands into reported once.
 */
export function lintDiagnostics(input: LintInput): Diagnostic[] {
  const findings = [...offlineFindings(input.automations, input.config), ...(input.historyFindings ?? [])];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const level = levelOf(f.code, input.config);
    if (level === "off") continue;
    if (f.subject.spec.lintIgnore?.some((i) => i.code === f.code)) continue;
    const source = sourceOf(f.subject);
    const key = `${f.code}\0${source ? `${source.file}:${source.line}:${source.column}` : f.subject.address}\0${f.subject.spec.name}\0${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ code: f.code, severity: level, message: `${f.subject.spec.name}: ${f.message}`, source, subject: f.subject.spec.name });
  }
  for (const a of input.automations) {
    for (const ignore of a.spec.lintIgnore ?? []) {
      if (isCheckCode(ignore.code)) continue;
      const source = sourceOf(a);
      const key = `TW6700\0${a.spec.name}\0${ignore.code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ code: "TW6700", severity: "warning", message: `${a.spec.name}: .lintIgnore("${ignore.code}") names no lint check (see tripwire lint --list)`, source, subject: a.spec.name });
    }
  }
  return out;
}
