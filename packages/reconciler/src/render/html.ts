/**
 * `tripwire backtest --html FILE`: one self-contained page (uPlot and its CSS inlined, no network at view time).
 * Per metric automation, a chart per run it fired for (at most `RUNS_SHOWN`) and one it did not: the metric over
 * steps, the window's aggregate (when the series is whole), the threshold, a mark at each firing and the 24 hours
 * after it shaded (W&B fires at most once per automation and run in that time); a table of firings below.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AutomationSpec } from "@tripwire/sdk";
import type { BacktestReport, BacktestSeries, RunSeries } from "../model/backtest.js";

const RUNS_SHOWN = 5;
const TABLE_ROWS = 200;
const DAY_MS = 86_400_000;

interface ChartRun {
  label: string;
  fired: boolean;
  /** Every row kept (the aggregate is drawn only then). */
  whole: boolean;
  steps: number[];
  values: (number | null)[];
  /** Index into `steps` of each firing (the nearest kept row). */
  firings: number[];
  /** [from, to) step ranges of the 24 h after each firing. */
  suppressed: [number, number][];
}

interface Section {
  address: string;
  name: string;
  what: string;
  metric?: string;
  agg?: { fn: string; window: number };
  threshold?: number;
  unsupported?: string;
  firings: number;
  charts: ChartRun[];
  table: { subject: string; at: string; step: number | null }[];
}

function nearest(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((steps[mid] as number) < step) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs((steps[lo - 1] as number) - step) <= Math.abs((steps[lo] as number) - step)) return lo - 1;
  return lo;
}

function chartOf(s: RunSeries, metricIndex: number, label: string, fired: { steps: readonly number[]; at: readonly string[] } | undefined): ChartRun {
  const values = (s.values[metricIndex] as number[]).map((v) => (Number.isFinite(v) ? v : null));
  const firings = (fired?.steps ?? []).map((step) => nearest(s.steps, step));
  const suppressed = (fired?.at ?? []).map((at, k): [number, number] => {
    const from = (fired?.steps ?? [])[k] as number;
    const until = Date.parse(at) + DAY_MS;
    const j = s.times.findIndex((t) => t >= until);
    return [from, j < 0 ? (s.steps.at(-1) ?? from) : (s.steps[j] as number)];
  });
  return { label, fired: fired !== undefined, whole: s.stride === 1, steps: s.steps, values, firings, suppressed };
}

function sectionOf(a: BacktestReport["automations"][number], spec: AutomationSpec, series: BacktestSeries | undefined): Section {
  const e = spec.event;
  const table = a.subjects.flatMap((s) => {
    const label = s.subject.kind === "run" ? `${s.subject.name} (${s.subject.id})` : `${s.subject.collection}${s.subject.version === undefined ? "" : `:v${s.subject.version}`}`;
    return s.at.map((at, k) => ({ subject: label, at, step: s.steps ? (s.steps[k] ?? null) : null }));
  });
  const base: Section = { address: a.address, name: a.name, what: e.type, firings: a.firings, charts: [], table: table.slice(0, TABLE_ROWS), ...(a.unsupported !== undefined ? { unsupported: a.unsupported } : {}) };
  if (e.type !== "runMetricThreshold" && e.type !== "runMetricChange" && e.type !== "runMetricZScore") return base;
  const m = series?.metrics.indexOf(e.metric) ?? -1;
  const section: Section = {
    ...base,
    metric: e.metric,
    ...(e.type !== "runMetricZScore" && e.agg !== null && e.window > 1 ? { agg: { fn: e.agg, window: e.window } } : {}),
    ...(e.type === "runMetricThreshold" ? { threshold: e.threshold } : {}),
  };
  if (!series || m < 0) return section;
  const fired = a.subjects.filter((s) => s.subject.kind === "run").slice(0, RUNS_SHOWN);
  for (const s of fired) {
    if (s.subject.kind !== "run") continue;
    const run = series.runs.get(`${s.subject.entity}/${s.subject.project}/${s.subject.id}`);
    if (run) section.charts.push(chartOf(run, m, `${s.subject.name} (${s.subject.id}): ${s.firings} firing${s.firings === 1 ? "" : "s"}`, { steps: s.steps ?? [], at: s.at }));
  }
  const firedKeys = new Set(a.subjects.map((s) => (s.subject.kind === "run" ? `${s.subject.entity}/${s.subject.project}/${s.subject.id}` : "")));
  const scope = spec.scope.type === "project" ? `${spec.scope.entity}/${spec.scope.project}/` : "";
  for (const [key, run] of series.runs) {
    if (firedKeys.has(key) || !key.startsWith(scope) || !(run.values[m] as number[]).some(Number.isFinite)) continue;
    section.charts.push(chartOf(run, m, `${run.name} (${run.id}): did not fire`, undefined));
    break;
  }
  return section;
}

const json = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The page's own script: draws each chart with uPlot from the embedded data. */
const PAGE_SCRIPT = `
const data = JSON.parse(document.getElementById("tripwire-data").textContent);
function rolling(values, n, fn) {
  const out = new Array(values.length).fill(null);
  const win = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) continue;
    win.push(values[i]);
    if (win.length > n) win.shift();
    if (win.length === n) out[i] = fn === "mean" ? win.reduce((a, b) => a + b, 0) / n : fn === "min" ? Math.min(...win) : Math.max(...win);
  }
  return out;
}
for (const [s, section] of data.sections.entries()) {
  const host = document.getElementById("charts-" + s);
  for (const run of section.charts) {
    const box = document.createElement("figure");
    box.className = "chart";
    box.dataset.expected = String(run.firings.length);
    const caption = document.createElement("figcaption");
    caption.textContent = run.label;
    box.appendChild(caption);
    host.appendChild(box);
    const series = [{ label: "step" }, { label: section.metric, stroke: "#4269d0", width: 1.5 }];
    const columns = [run.steps, run.values];
    if (section.agg && run.whole) {
      series.push({ label: section.agg.fn + "(" + section.agg.window + ")", stroke: "#efb118", width: 1.5 });
      columns.push(rolling(run.values, section.agg.window, section.agg.fn));
    }
    if (section.threshold !== undefined) {
      series.push({ label: "threshold " + section.threshold, stroke: "#ff725c", dash: [6, 4], width: 1 });
      columns.push(run.steps.map(() => section.threshold));
    }
    const marks = run.firings;
    const opts = {
      width: Math.min(960, window.innerWidth - 48),
      height: 240,
      scales: { x: { time: false } },
      series,
      hooks: {
        drawClear: [(u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = "rgba(255, 114, 92, 0.12)";
          for (const [a, b] of run.suppressed) {
            const x0 = u.valToPos(a, "x", true);
            const x1 = u.valToPos(b, "x", true);
            ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
          }
          ctx.restore();
        }],
        draw: [(u) => {
          const ctx = u.ctx;
          let drawn = 0;
          ctx.save();
          ctx.fillStyle = "#d62728";
          for (const i of marks) {
            const v = run.values[i];
            if (v === null || v === undefined) continue;
            const x = u.valToPos(run.steps[i], "x", true);
            const y = u.valToPos(v, "y", true);
            ctx.beginPath();
            ctx.arc(x, y, 5 * devicePixelRatio, 0, 2 * Math.PI);
            ctx.fill();
            drawn++;
          }
          ctx.restore();
          box.dataset.marks = String(drawn);
        }],
      },
    };
    new uPlot(opts, columns, box);
  }
}
document.body.dataset.ready = "true";
`;

/**
 * The page, as one string.
 * @example writeFileSync("report.html", renderBacktestHtml(report, specs, series));
 */
export function renderBacktestHtml(report: BacktestReport, specs: ReadonlyMap<string, AutomationSpec>, series: BacktestSeries | undefined): string {
  const require = createRequire(import.meta.url);
  const uplotJs = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
  const uplotCss = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  const sections = report.automations.flatMap((a) => {
    const spec = specs.get(a.address);
    return spec ? [sectionOf(a, spec, series)] : [];
  });
  const h = report.history;
  const period = h.from !== null && h.to !== null ? `${h.from.slice(0, 16).replace("T", " ")} → ${h.to.slice(0, 16).replace("T", " ")} UTC` : "no events";
  const source = h.live ? `the live run history of ${h.live.projects.join(", ")} (${h.live.backend})` : `${h.files.length} file${h.files.length === 1 ? "" : "s"}`;
  const body = sections
    .map((s, i) => {
      const rows = s.table.map((r) => `<tr class="firing"><td>${esc(r.subject)}</td><td>${esc(r.at.slice(0, 19).replace("T", " "))}</td><td>${r.step ?? ""}</td></tr>`).join("");
      const note = s.unsupported !== undefined ? `<p class="note">Not backtested: ${esc(s.unsupported)}</p>` : "";
      const what = s.metric ? `${esc(s.what)} on <code>${esc(s.metric)}</code>${s.threshold !== undefined ? `, threshold ${s.threshold}` : ""}` : esc(s.what);
      const more = s.firings > s.table.length ? `<p class="note">${s.firings - s.table.length} more firings: see <code>tripwire backtest --json</code>.</p>` : "";
      return `<section id="automation-${i}"><h2>${esc(s.address)}</h2><p>${what}: <b>${s.firings}</b> firing${s.firings === 1 ? "" : "s"}.</p>${note}
<div id="charts-${i}"></div>
<table><thead><tr><th>run or artifact</th><th>fired at (UTC)</th><th>step</th></tr></thead><tbody>${rows}</tbody></table>${more}</section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tripwire backtest</title>
<style>${uplotCss}
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1b1e23; }
h2 { font-size: 16px; margin-top: 32px; } figure.chart { margin: 12px 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
table { border-collapse: collapse; margin-top: 8px; } td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: left; } .note { color: #6b6f76; }
</style>
<script>${uplotJs}</script>
</head><body>
<h1>Backtest of ${sections.length} automation${sections.length === 1 ? "" : "s"}</h1>
<p>${h.events.toLocaleString("en-US")} events of ${h.runs.toLocaleString("en-US")} runs, ${esc(period)}, ${esc(source)}. Shaded: the 24 hours after a firing, when W&amp;B does not fire the automation for the run again.</p>
${body}
<script type="application/json" id="tripwire-data">${json({ sections })}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
