import type { Diagnostic } from "../model/types.js";

// GitHub Actions workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
// The message is data (escape %, CR, LF); property values also escape ":" and ",".
const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const property = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/**
 * One `::error` / `::warning` annotation per diagnostic, so findings show on the pull request's diff:
 * `::warning file=automations/alerts.ts,line=12,col=7,title=TWL020::loss-spike: …`.
 */
export function renderGithubAnnotations(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const props = [
        ...(d.source ? [`file=${property(d.source.file)}`, `line=${d.source.line}`, `col=${d.source.column}`] : []),
        `title=${property(d.code)}`,
      ];
      return `::${d.severity} ${props.join(",")}::${data(d.message)}\n`;
    })
    .join("");
}
