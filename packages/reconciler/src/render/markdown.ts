import type { Plan } from "../model/plan.js";
import type { Diagnostic } from "../model/types.js";
import { formatDiagnostic } from "../model/diagnostics.js";
import type { PlanBacktest } from "../model/backtest.js";
import { planBacktestMarkdown } from "./backtest.js";
import { changeLines, describePrerequisite, escapeHtml, opChanges, opTitle, summaryLine, SYMBOL, UPDATE_REASONS, VERB } from "./format.js";

/** GitHub refuses issue and pull-request comments longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** Longest part, in characters (default: GitHub's limit less room for a marker line the poster adds). */
  readonly maxLength?: number;
  /** A backtest of the plan's changes (`plan --backtest`): a notification-volume table before the changes. */
  readonly backtest?: PlanBacktest | undefined;
}


/**
 * A fenced block whose fence is longer than any backtick run inside, so payload text cannot break out. Lines past
 * `limit` characters are cut with a note pointing at the full output.
 */
function fenced(lang: string, body: string, limit = Number.POSITIVE_INFINITY): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  let text = body;
  if (text.length + 2 * fence.length + 16 > limit) {
    const lines = text.split("\n");
    const kept: string[] = [];
    let size = 0;
    for (const line of lines) {
      if (size + line.length + 1 > limit - 2 * fence.length - 120) break;
      kept.push(line);
      size += line.length + 1;
    }
    text = `${kept.join("\n")}\n… ${lines.length - kept.length} more lines: see the full \`tripwire plan\` output`;
  }
  return `${fence}${lang}\n${text}\n${fence}`;
}

function opBlock(op: Plan["operations"][number], limit: number): string {
  const lines: string[] = [];
  if (op.op === "update" && UPDATE_REASONS[op.reason]) lines.push(`# ${UPDATE_REASONS[op.reason]}`);
  if (op.source) lines.push(`# ${op.source.file}:${op.source.line}`);
  const sign = op.op === "create" ? "+" : op.op === "delete" ? "-" : "!";
  for (const change of opChanges(op)) {
    const { head, diff } = changeLines(change, op.op === "create" || op.op === "delete");
    lines.push(`${sign} ${head}`);
    for (const l of diff ?? []) lines.push(`${l.sign === " " ? " " : l.sign}     ${l.text}`);
  }
  const title = `<code>${SYMBOL[op.op]} ${VERB[op.op]}</code> <b>${escapeHtml(opTitle(op))}</b>`;
  return details(title, fenced("diff", lines.join("\n"), limit - title.length - 64));
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>\n`;
}

/**
 * The plan as Markdown for a pull-request comment: counts, destructive changes flagged at the top, one
 * collapsible block per automation. Split into parts that each fit `maxLength` (GitHub's 65,536 characters);
 * every part repeats the title with its number.
 */
export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string[] {
  const max = options.maxLength ?? GITHUB_COMMENT_LIMIT - 512;
  const head: string[] = [`**${summaryLine(plan.summary, plan.diagnostics.filter((d) => d.severity === "error").length)}**`, ""];
  const deletes = plan.operations.filter((o) => o.op === "delete");
  if (deletes.length > 0) {
    head.push("> [!CAUTION]", `> **${deletes.length} automation${deletes.length === 1 ? "" : "s"} will be destroyed:** ${deletes.map((d) => `\`${d.address}\``).join(", ")}`, "");
  }
  const errors = plan.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) head.push("> [!WARNING]", `> **${errors.length} error${errors.length === 1 ? "" : "s"}: this plan cannot be applied.**`, "");
  if (plan.drift.length > 0) head.push(`> [!NOTE]`, `> ${plan.drift.length} managed automation${plan.drift.length === 1 ? " was" : "s were"} changed outside Tripwire since the last apply.`, "");

  // Each block renders itself within a size limit, so even one huge payload diff fits a comment.
  const blocks: ((limit: number) => string)[] = [];
  if (plan.diagnostics.length > 0) blocks.push((limit) => `#### Diagnostics\n\n${fenced("text", plan.diagnostics.map(formatDiagnostic).join("\n"), limit - 32)}\n`);
  if (plan.prerequisites.length > 0) {
    blocks.push((limit) => `#### Created first by the embedded backend\n\n${fenced("text", plan.prerequisites.map(describePrerequisite).join("\n"), limit - 64)}\n`);
  }
  const backtest = options.backtest;
  if (backtest) blocks.push((limit) => planBacktestMarkdown(plan, backtest, limit));
  for (const op of plan.operations) blocks.push((limit) => opBlock(op, limit));
  if (plan.drift.length > 0) {
    const body = plan.drift
      .map((d) => {
        const lines = d.changes.map((c) => `! ${changeLines({ path: c.path, before: c.after, after: c.before }).head}`);
        return `${d.address}${d.conflict ? " (also changed in code)" : ""}\n${lines.join("\n")}`;
      })
      .join("\n\n");
    blocks.push((limit) => details(`Changed outside Tripwire since the last apply (${plan.drift.length})`, fenced("diff", body, limit - 128)));
  }
  if (plan.unmanaged.length > 0) {
    const list = plan.unmanaged.map((u) => (u.owner ? `${u.address} (owner ${u.owner})` : u.address)).join("\n");
    blocks.push((limit) => details(`Not managed by Tripwire (${plan.unmanaged.length}, never touched)`, fenced("text", list, limit - 128)));
  }

  const title = (i: number, n: number) => `### Tripwire plan${n > 1 ? ` (part ${i} of ${n})` : ""}\n\n`;
  const room = max - title(99, 99).length;
  const parts: string[] = [];
  let current = head.join("\n");
  for (const render of blocks) {
    const block = render(room);
    if (current.length + block.length + 1 > room) {
      parts.push(current);
      current = "";
    }
    current += `${current === "" ? "" : "\n"}${block}`;
  }
  parts.push(current);
  return parts.map((p, i) => `${title(i + 1, parts.length)}${p}`.trimEnd() + "\n");
}

/** When the definitions are invalid there is no plan: the comment shows the diagnostics instead. */
export function renderDiagnosticsMarkdown(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return `### Tripwire plan\n\n> [!CAUTION]\n> **The definitions have ${errors} error${errors === 1 ? "" : "s"}; nothing was planned.**\n\n${fenced("text", diagnostics.map(formatDiagnostic).join("\n"), GITHUB_COMMENT_LIMIT - 1024)}\n`;
}
