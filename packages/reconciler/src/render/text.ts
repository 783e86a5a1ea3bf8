import type { Diagnostic } from "../model/types.js";
import type { FieldChange } from "../model/fields.js";
import type { Plan } from "../model/plan.js";
import { changeLines, COLOR, describePrerequisite, opChanges, opTitle, PLAIN, summaryLine, SYMBOL, UPDATE_REASONS, VERB, type Style } from "./format.js";
import { formatDiagnostic } from "../model/diagnostics.js";
import type { PlanBacktest } from "../model/backtest.js";
import { planBacktestText } from "./backtest.js";

export interface TextOptions {
  /** ANSI colour (the CLI turns it off for `NO_COLOR` and when stderr/stdout is not a TTY). */
  readonly color?: boolean;
  /** A backtest of the plan's changes (`plan --backtest`), shown after the operations. */
  readonly backtest?: PlanBacktest | undefined;
}

/**
 * The plan for a terminal: counts first, then each change with its fields, payload diffs, drift, and
 * unmanaged automations. Secrets never appear: definitions hold secret names only.
 */
export function renderText(plan: Plan, options: TextOptions = {}): string {
  const st: Style = options.color ? COLOR : PLAIN;
  const out: string[] = [];
  const errors = plan.diagnostics.filter((d) => d.severity === "error");
  out.push(st.bold(summaryLine(plan.summary, errors.length)));
  if (errors.length > 0) out.push(st.remove(`${errors.length} error${errors.length === 1 ? "" : "s"}: this plan cannot be applied.`));

  if (plan.prerequisites.length > 0) {
    out.push("", `The embedded backend will first create:`);
    for (const p of plan.prerequisites) out.push(`  ${st.add("+")} ${describePrerequisite(p)}`);
  }

  if (plan.operations.length > 0) out.push("", "Tripwire will perform the following actions:");
  for (const op of plan.operations) {
    const color = op.op === "create" ? st.add : op.op === "delete" ? st.remove : op.op === "rename" ? st.rename : st.change;
    out.push("", `  ${color(`${SYMBOL[op.op]} ${VERB[op.op].padEnd(7)}`)} ${st.bold(opTitle(op))}`);
    if (op.op === "update" && UPDATE_REASONS[op.reason]) out.push(`      ${st.dim(`# ${UPDATE_REASONS[op.reason]}`)}`);
    if (op.source) out.push(`      ${st.dim(`# ${op.source.file}:${op.source.line}`)}`);
    const sign = op.op === "create" ? st.add("+") : op.op === "delete" ? st.remove("-") : st.change("~");
    for (const change of opChanges(op)) out.push(...changeBlock(change, sign, st, op.op === "create" || op.op === "delete"));
  }

  if (options.backtest) out.push(...planBacktestText(plan, options.backtest, st));

  if (plan.drift.length > 0) {
    out.push("", st.bold("Changed outside Tripwire since the last apply:"));
    for (const d of plan.drift) {
      out.push(`  ${st.change("~")} ${d.address}${d.conflict ? st.dim(" (also changed in code)") : ""}`);
      // What changed by hand: from the code's definition to what W&B holds now.
      for (const change of d.changes) out.push(...changeBlock({ path: change.path, before: change.after, after: change.before }, st.change("~"), st));
    }
  }

  const untouched = plan.unmanaged.filter((u) => u.owner === undefined);
  if (untouched.length > 0) {
    out.push("", st.dim(`Not managed by Tripwire (never touched; adopt with \`tripwire import\`):`));
    for (const u of untouched) out.push(st.dim(`  · ${u.address}`));
  }
  const elsewhere = plan.unmanaged.filter((u) => u.owner !== undefined);
  if (elsewhere.length > 0) {
    out.push("", st.dim(`Managed by other Tripwire configurations (never touched):`));
    for (const u of elsewhere) out.push(st.dim(`  · ${u.address} (owner ${u.owner})`));
  }

  if (plan.diagnostics.length > 0) {
    out.push("");
    for (const d of plan.diagnostics) out.push(renderDiagnosticLine(d, st));
  }
  return `${out.join("\n")}\n`;
}

function changeBlock(change: FieldChange, sign: string, st: Style, whole = false): string[] {
  const { head, diff } = changeLines(change, whole);
  const lines = [`      ${sign} ${head}`];
  for (const line of diff ?? []) {
    const paint = line.sign === "+" ? st.add : line.sign === "-" ? st.remove : st.dim;
    lines.push(`          ${paint(`${line.sign} ${line.text}`)}`);
  }
  return lines;
}

function renderDiagnosticLine(d: Diagnostic, st: Style): string {
  const text = formatDiagnostic(d);
  return d.severity === "error" ? st.remove(text) : st.change(text);
}
