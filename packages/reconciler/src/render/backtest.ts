/**
 * Backtests rendered: the report of `tripwire backtest`, and the notification-volume section of a plan made with
 * `--backtest` (text and Markdown; JSON is the data itself).
 */
import { isRunEventType } from "@tripwire/sdk";
import { subjectLabel, type AutomationBacktest, type BacktestChange, type BacktestReport, type BacktestSide, type HistoryStats, type PlanBacktest, type SubjectFirings } from "../model/backtest.js";
import type { Plan } from "../model/plan.js";
import { COLOR, escapeHtml, PLAIN, SYMBOL, type Style } from "./format.js";

/** Runs or artifacts listed per automation in text; `--json` has them all. */
const LISTED = 10;

const num = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;
/** `2026-11-26 10:00` (UTC). */
const minute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

/**
 * What a backtest replayed, in one phrase.
 * @example historyLine(report.history) // "1,001,000 events of 1,000 runs, 2026-11-20 00:00 → 2026-11-24 04:26 UTC, 2 files"
 */
export function historyLine(h: HistoryStats): string {
  const span = h.from !== null && h.to !== null ? `, ${minute(h.from)} → ${minute(h.to)} UTC` : "";
  if (h.live) {
    const l = h.live;
    const where = `the live ${l.artifactVersions > 0 ? "run and artifact" : "run"} history of ${l.projects.length > 0 ? l.projects.join(", ") : "no projects"} (${l.backend}; ${num(l.cachedRuns)} of ${plural(l.runs, "run")} from the cache, ${l.artifactVersions > 0 ? `${plural(l.artifactVersions, "artifact version")}, ` : ""}${plural(l.requests, "request")})`;
    return `${plural(h.events, "event")} of ${plural(h.runs, "run")}${span}, ${where}`;
  }
  return `${plural(h.events, "event")} of ${plural(h.runs, "run")}${span}, ${plural(h.files.length, "file")}`;
}

function firingsOf(s: SubjectFirings): string {
  const where = s.steps ? `${s.steps.length === 1 ? "step" : "steps"} ${s.steps.map(num).join(", ")}` : s.at.map(minute).join(", ");
  return `${plural(s.firings, "firing")} at ${where}`;
}

function automationLines(a: AutomationBacktest, st: Style): string[] {
  if (a.unsupported !== undefined) return [`${st.bold(a.address)}: ${st.change(`cannot be evaluated (${a.unsupported}); it never fires here`)}`];
  if (a.firings === 0) return [`${st.bold(a.address)}: ${st.dim("never fired")}`];
  const noun = a.subjects[0]?.subject.kind === "run" ? "run" : "artifact";
  const busiest = a.busiestDay ? `; busiest day ${a.busiestDay.day} (${num(a.busiestDay.firings)})` : "";
  const out = [`${st.bold(a.address)}: ${plural(a.firings, "firing")} on ${plural(a.subjects.length, noun)}${busiest}`];
  const width = Math.max(...a.subjects.slice(0, LISTED).map((s) => subjectLabel(s.subject).length));
  for (const s of a.subjects.slice(0, LISTED)) out.push(`    ${subjectLabel(s.subject).padEnd(width)}  ${firingsOf(s)}`);
  if (a.subjects.length > LISTED) out.push(st.dim(`    … ${plural(a.subjects.length - LISTED, `more ${noun}`)} (--json lists all)`));
  return out;
}

/**
 * The report of `tripwire backtest` for a terminal: what was replayed, then per automation its firings, the runs
 * (with steps) or artifacts it fired for, and its busiest day.
 * @example if (outcome.ok) io.stdout.write(renderBacktestText(outcome.report, { color: false }));
 */
export function renderBacktestText(report: BacktestReport, options: { color?: boolean } = {}): string {
  const style = options.color ? COLOR : PLAIN;
  const out = [`Backtest of ${plural(report.automations.length, "automation")} over ${historyLine(report.history)}.`];
  for (const note of report.history.live?.notes ?? []) out.push(style.dim(`note: ${note}`));
  for (const a of report.automations) out.push("", ...automationLines(a, style));
  return `${out.join("\n")}\n`;
}

/**
 * The document of `tripwire backtest --json` (JSON_CONTRACT.md).
 * @example if (outcome.ok) io.stdout.write(renderBacktestJson(outcome.report));
 */
export function renderBacktestJson(report: BacktestReport): string {
  return `${JSON.stringify({ format_version: "1.0", ...report }, null, 2)}\n`;
}

// ---- plans

function nounOf(plan: Plan, c: BacktestChange): string {
  const op = plan.operations.find((o) => o.address === c.address && o.op === c.op);
  const spec = op === undefined ? undefined : op.op === "delete" ? op.before : op.after;
  return spec === undefined || isRunEventType(spec.event.type) ? "run" : "artifact";
}

const signed = (n: number) => (n > 0 ? `+${num(n)}` : n < 0 ? `−${num(-n)}` : "±0");
const dayOf = (d: { day: string; firings: number } | null | undefined) => (d ? `${d.day} (${num(d.firings)})` : "none");

/** One line: `12 → 41 firings (+29); runs 8 → 30 (22 newly firing, 1 no longer); busiest day …`. */
export function changeSummary(c: BacktestChange, noun: string): string {
  const unsupported = c.after?.unsupported ?? c.before?.unsupported;
  if (unsupported !== undefined) return `cannot be evaluated (${unsupported})`;
  const b = c.before;
  const a = c.after;
  const of = (x: BacktestSide) => (x.firings === 0 ? "never fires" : `${plural(x.firings, "firing")} on ${plural(x.subjects, noun)}; busiest day ${dayOf(x.busiestDay)}`);
  if (b === null && a !== null) return `new: ${of(a)}`;
  if (a === null && b !== null) return `${of(b)} → none (destroyed)`;
  const before = b as NonNullable<typeof b>;
  const after = a as NonNullable<typeof a>;
  return [
    `${num(before.firings)} → ${num(after.firings)} firings (${signed(after.firings - before.firings)})`,
    `${noun}s ${num(before.subjects)} → ${num(after.subjects)} (${num(c.newlyFiring.length)} newly firing, ${num(c.noLongerFiring.length)} no longer)`,
    `busiest day ${dayOf(before.busiestDay)} → ${dayOf(after.busiestDay)}`,
  ].join("; ");
}

const WHAT: Record<BacktestChange["action"], string> = { slack: "Slack messages", webhook: "webhook calls", none: "" };
const rate = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });

/** `Slack messages a day: 0.29 → 0.57`; nothing for automations that send nothing, or cannot be evaluated. */
export function volumeOf(c: BacktestChange): string | undefined {
  if (c.action === "none" || (c.after?.unsupported ?? c.before?.unsupported) !== undefined) return undefined;
  const b = c.before;
  const a = c.after;
  return `${WHAT[c.action]} a day: ${b && a ? `${rate(b.perDay)} → ${rate(a.perDay)}` : a ? `${rate(a.perDay)} (new)` : `${rate(b?.perDay ?? 0)} → 0`}`;
}

const listOf = (subjects: BacktestChange["newlyFiring"], limit: number) =>
  `${subjects.slice(0, limit).map(subjectLabel).join(", ")}${subjects.length > limit ? `, … ${num(subjects.length - limit)} more` : ""}`;

/** The backtest section of the text plan. */
export function planBacktestText(plan: Plan, backtest: PlanBacktest, st: Style): string[] {
  const out = ["", st.bold(`Backtest over ${historyLine(backtest.history)}:`)];
  for (const note of backtest.history.live?.notes ?? []) out.push(st.dim(`  note: ${note}`));
  if (backtest.changes.length === 0) out.push(st.dim("  no created or changed automations to backtest"));
  for (const c of backtest.changes) {
    out.push(`  ${SYMBOL[c.op]} ${c.address}: ${changeSummary(c, nounOf(plan, c))}`);
    const volume = volumeOf(c);
    if (volume !== undefined) out.push(`      ${volume}`);
    if (c.before !== null && c.after !== null) {
      if (c.newlyFiring.length > 0) out.push(`      ${st.add("newly firing:")} ${listOf(c.newlyFiring, LISTED)}`);
      if (c.noLongerFiring.length > 0) out.push(`      ${st.remove("no longer firing:")} ${listOf(c.noLongerFiring, LISTED)}`);
    }
  }
  return out;
}

const cell = (s: string) => escapeHtml(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
/** A fence longer than any backtick run inside, so run names cannot break out of the block. */
const fence = (body: string) => "`".repeat(Math.max(3, ...[...body.matchAll(/`+/g)].map((m) => m[0].length + 1)));

/** The backtest section of the Markdown plan: a table of the volume change, and who newly / no longer fires. */
export function planBacktestMarkdown(plan: Plan, backtest: PlanBacktest, limit: number): string {
  const lines = [`#### Notification volume (backtest)`, "", `Replayed ${historyLine(backtest.history)}.`, ""];
  for (const note of backtest.history.live?.notes ?? []) lines.push(`> note: ${cell(note)}`, "");
  if (backtest.changes.length === 0) return `${lines.join("\n")}No created or changed automations to backtest.\n`;
  lines.push("| | automation | firings | runs or artifacts | a day | busiest day |", "|---|---|---|---|---|---|");
  const details: string[] = [];
  for (const c of backtest.changes) {
    const noun = nounOf(plan, c);
    const unsupported = c.after?.unsupported ?? c.before?.unsupported;
    const b = c.before;
    const a = c.after;
    const firings = unsupported !== undefined ? `cannot be evaluated: ${cell(unsupported)}` : b && a ? `${num(b.firings)} → **${num(a.firings)}** (${signed(a.firings - b.firings)})` : a ? `**${num(a.firings)}** (new)` : `${num(b?.firings ?? 0)} → **0**`;
    const subjects = b && a ? `${num(b.subjects)} → ${num(a.subjects)} (${num(c.newlyFiring.length)} newly, ${num(c.noLongerFiring.length)} no longer)` : plural((a ?? b)?.subjects ?? 0, noun);
    const busiest = b && a ? `${dayOf(b.busiestDay)} → ${dayOf(a.busiestDay)}` : dayOf((a ?? b)?.busiestDay);
    const perDay = unsupported !== undefined ? "" : `${b && a ? `${rate(b.perDay)} → **${rate(a.perDay)}**` : a ? `**${rate(a.perDay)}**` : `${rate(b?.perDay ?? 0)} → **0**`}${c.action === "none" ? "" : ` ${WHAT[c.action]}`}`;
    lines.push(`| \`${SYMBOL[c.op]}\` | \`${c.address.replace(/\|/g, "\\|")}\` | ${firings} | ${subjects} | ${perDay} | ${busiest} |`);
    if (b && a && (c.newlyFiring.length > 0 || c.noLongerFiring.length > 0)) {
      const body = [
        ...(c.newlyFiring.length > 0 ? [`newly firing (${num(c.newlyFiring.length)}):`, ...c.newlyFiring.map((s) => `+ ${subjectLabel(s)}`)] : []),
        ...(c.noLongerFiring.length > 0 ? [`no longer firing (${num(c.noLongerFiring.length)}):`, ...c.noLongerFiring.map((s) => `- ${subjectLabel(s)}`)] : []),
      ];
      // Long lists are cut so the section fits its comment; the JSON plan has them all.
      const cut = cutLines(body, Math.max(400, Math.floor(limit / Math.max(1, backtest.changes.length)) - 200));
      const f = fence(cut);
      details.push(`<details><summary>${cell(c.address)}: ${plural(c.newlyFiring.length, noun)} newly firing, ${num(c.noLongerFiring.length)} no longer</summary>\n\n${f}diff\n${cut}\n${f}\n\n</details>\n`);
    }
  }
  const charts = backtest.changes.map((c) => firingsChart(c, backtest)).filter((c): c is string => c !== undefined).slice(0, MAX_CHARTS);
  return `${lines.join("\n")}\n\n${[...charts, ...details].join("\n")}`;
}

/** Charts per comment: one per changed automation that fires, the first few. */
const MAX_CHARTS = 4;
/** Days a chart shows at most (the last ones of the history). */
const CHART_DAYS = 31;

/** The UTC days from `from` to `to` (ISO times), at most the last `CHART_DAYS`. */
function daysOf(from: string, to: string): string[] {
  const first = Math.floor(Date.parse(from) / 86_400_000);
  const last = Math.floor(Date.parse(to) / 86_400_000);
  const out: string[] = [];
  for (let d = Math.max(first, last - CHART_DAYS + 1); d <= last; d++) out.push(new Date(d * 86_400_000).toISOString().slice(0, 10));
  return out;
}

/**
 * A Mermaid `xychart-beta` (GitHub renders it in comments) of one change's firings per day: bars for the code's
 * definition, a line for the live one.
 */
export function firingsChart(c: BacktestChange, backtest: PlanBacktest): string | undefined {
  const h = backtest.history;
  if (h.from === null || h.to === null) return undefined;
  if ((c.after?.unsupported ?? c.before?.unsupported) !== undefined) return undefined;
  if ((c.before?.firings ?? 0) === 0 && (c.after?.firings ?? 0) === 0) return undefined;
  const days = daysOf(h.from, h.to);
  const series = (s: BacktestSide | null) => {
    const by = new Map((s?.daily ?? []).map((d) => [d.day, d.firings]));
    return days.map((d) => by.get(d) ?? 0);
  };
  const after = series(c.after);
  const before = series(c.before);
  const top = Math.max(1, ...after, ...before);
  const title = `${c.address.replace(/["\n]/g, "")}: firings per day`;
  const lines = [
    "```mermaid",
    "xychart-beta",
    `    title "${title}"`,
    `    x-axis [${days.map((d) => `"${d.slice(5)}"`).join(", ")}]`,
    `    y-axis "firings" 0 --> ${top}`,
    ...(c.after ? [`    bar [${after.join(", ")}]`] : []),
    ...(c.before ? [`    line [${before.join(", ")}]`] : []),
    "```",
  ];
  const legend = c.before && c.after ? "bars: this change; line: the live definition" : c.after ? "bars: the new automation" : "line: the destroyed automation";
  return `${lines.join("\n")}\n\n<sub>${cell(c.address)}: ${legend}.</sub>\n`;
}

function cutLines(lines: readonly string[], max: number): string {
  const kept: string[] = [];
  let size = 0;
  for (const [i, line] of lines.entries()) {
    if (size + line.length + 1 > max) return `${kept.join("\n")}\n… ${num(lines.length - i)} more lines: see \`tripwire plan --backtest … --json\``;
    kept.push(line);
    size += line.length + 1;
  }
  return kept.join("\n");
}
