import type { Diagnostic } from "../model/types.js";

/** `automations/alerts.ts:12:7 - error TW1003: window must be at least 1 …`, as tsc prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${d.source.file}:${d.source.line}:${d.source.column} - ` : "";
  return `${where}${d.severity} ${d.code}${d.formerly ? ` (formerly ${d.formerly})` : ""}: ${d.message}`;
}
