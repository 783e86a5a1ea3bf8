import type { Diagnostic } from "./types.js";

/** `automations/alerts.ts:12:7 - error TW1003: window must be at least 1 …`, as tsc prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${d.source.file}:${d.source.line}:${d.source.column} - ` : "";
  return `${where}${d.severity} ${d.code}${d.formerly ? ` (formerly ${d.formerly})` : ""}: ${d.message}`;
}

/** As tsc orders them: diagnostics without a location first, then by file, line and column. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => (d.source ? [1, d.source.file, d.source.line, d.source.column] : [0, "", 0, 0]) as [number, string, number, number];
  return [...diagnostics].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1].localeCompare(y[1]) || x[2] - y[2] || x[3] - y[3];
  });
}
