import { CHECKS } from "../model/checks.js";
import type { Diagnostic } from "../model/types.js";


/**
 * A SARIF 2.1.0 log of the diagnostics for GitHub code scanning (`github/codeql-action/upload-sarif`): one run of the
 * tool `tripwire`, its rules the lint checks, each result at the definition's `file:line:col` relative to the
 * working directory (`%SRCROOT%`).
 */
export function renderSarif(diagnostics: readonly Diagnostic[], version: string): string {
  const rules = Object.entries(CHECKS).map(([code, c]) => ({
    id: code,
    name: code,
    shortDescription: { text: c.title },
    help: { text: `${c.title}: what it finds, why, how to fix and how to disable it are in @tripwire/reconciler's docs/lint.md, section ${code}` },
    defaultConfiguration: { level: c.severity },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = diagnostics.map((d) => ({
    ruleId: d.code,
    ...(index.has(d.code) ? { ruleIndex: index.get(d.code) } : {}),
    level: d.severity,
    message: { text: d.message },
    ...(d.source
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: d.source.file.split("\\").join("/"), uriBaseId: "%SRCROOT%" },
                region: { startLine: d.source.line, startColumn: d.source.column },
              },
            },
          ],
        }
      : {}),
  }));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "tripwire", version, rules } },
        originalUriBaseIds: { "%SRCROOT%": { uri: "./" } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
