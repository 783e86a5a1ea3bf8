import { aggregateOf, changeOf, compileFilter, directionHolds, projectLocation, scopeContains, zscoreOf } from "@tripwire/evaluator";
import { describeScope, isRunMetricEventType, walkFilter, type FilterExpr, type RunMetricEventSpec } from "@tripwire/sdk";
import type { DesiredAutomation, Diagnostic } from "../model/types.js";
import type { Finding } from "./offline.js";

/** One run of the history, with the values of the metrics some automation reads, in step order. */
export interface HistoryRun {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  readonly name: string;
  readonly user: string;
  /** Every metric name the run logged. */
  readonly logged: ReadonlySet<string>;
  /** Values (finite numbers) of the metrics asked for. */
  readonly values: ReadonlyMap<string, readonly number[]>;
  /** Steps at which each asked metric was logged (first and last), for messages. */
  readonly steps: ReadonlyMap<string, { first: number; last: number }>;
}

/** What the history-aware checks read: the runs of a period, wherever they came from. */
export interface LintHistory {
  readonly runs: readonly HistoryRun[];
  /** Where it came from, for messages (`history/week-47.jsonl`, a live backend's URL). */
  readonly from: string;
}

/**
 * A source of history. `--history` files today; the live history of a backend can implement the same interface.
 * `metrics` are the names whose values the checks need (the rest are only listed as logged).
 */
export interface HistorySource {
  read(metrics: ReadonlySet<string>): Promise<{ history?: LintHistory; diagnostics: Diagnostic[] }>;
}


/** The metric names the history-aware checks read. */
export function metricsRead(automations: readonly DesiredAutomation[]): Set<string> {
  return new Set(automations.flatMap((a) => ("metric" in a.spec.event ? [a.spec.event.metric] : [])));
}

const fmt = (x: number) => String(Number(x.toPrecision(6)));
const list = (xs: readonly string[], n = 5) => (xs.length <= n ? xs.join(", ") : `${xs.slice(0, n).join(", ")} and ${xs.length - n} more`);

/**
 * The history-aware checks (TWL060–TWL067) over run events. `history` undefined means none was available: each run
 * automation gets a TWL060 saying so, rather than passing silently.
 */
export function historyFindings(automations: readonly DesiredAutomation[], history: LintHistory | undefined): Finding[] {
  const out: Finding[] = [];
  for (const a of automations) {
    const { event, scope } = a.spec;
    if (event.type !== "runState" && !isRunMetricEventType(event.type)) continue;
    if (history === undefined) {
      out.push({ code: "TWL060", subject: a, message: "no history was given (--history): the history-aware checks did not run" });
      continue;
    }
    const inScope = history.runs.filter((r) => scopeContains(scope, projectLocation(r.entity, r.project, undefined), undefined));
    if (inScope.length === 0) {
      out.push({ code: "TWL060", subject: a, message: `the history (${history.from}) holds no run of ${describeScope(scope)}: the history-aware checks did not run` });
      continue;
    }
    const runFilter = (event as { runFilter?: FilterExpr }).runFilter;
    out.push(...filterFindings(a, runFilter, inScope));
    if (event.type === "runState") continue;
    const matching = runFilter ? inScope.filter((r) => compileFilter(runFilter)({ runName: [r.name], runUser: [r.user] })) : inScope;
    out.push(...metricFindings(a, event as RunMetricEventSpec, inScope, matching.length > 0 ? matching : inScope));
  }
  return out;
}

/** TWL066, TWL067: positive run-name and user conditions that no run of the scope satisfies. */
function filterFindings(a: DesiredAutomation, filter: FilterExpr | undefined, runs: readonly HistoryRun[]): Finding[] {
  if (filter === undefined) return [];
  const out: Finding[] = [];
  const negated = new Set<FilterExpr>();
  walkFilter(filter, (node) => {
    if (node.op === "not") walkFilter(node.arg, (inner) => void negated.add(inner));
  });
  const names = [...new Set(runs.map((r) => r.name))].sort();
  const users = [...new Set(runs.map((r) => r.user))].sort();
  walkFilter(filter, (node) => {
    if (negated.has(node) || !("field" in node)) return;
    const test = compileFilter(node);
    if (node.field === "runName" && !runs.some((r) => test({ runName: [r.name] }))) {
      const what = node.op === "in" ? `runName in [${node.values.join(", ")}]` : `runName ${node.op} ${node.op === "regex" ? `/${node.value}/` : JSON.stringify(node.value)}`;
      out.push({ code: "TWL066", subject: a, message: `${what} matches none of the ${names.length} run names in the history (${list(names)})` });
    }
    if (node.field === "runUser" && (node.op === "eq" || node.op === "in")) {
      const named: readonly string[] = node.op === "in" ? node.values : [node.value];
      const unseen = named.filter((u) => !users.includes(u));
      if (unseen.length > 0) out.push({ code: "TWL067", subject: a, message: `no run in the history belongs to ${unseen.map((u) => JSON.stringify(u)).join(", ")} (users seen: ${list(users)})` });
    }
  });
  return out;
}

function similarNames(metric: string, runs: readonly HistoryRun[]): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  const target = norm(metric);
  const logged = [...new Set(runs.flatMap((r) => [...r.logged]))].filter((n) => !n.startsWith("_"));
  return logged.filter((n) => norm(n) === target || norm(n).includes(target) || target.includes(norm(n))).sort().slice(0, 5);
}

/** TWL061–TWL065 for one metric automation. */
function metricFindings(a: DesiredAutomation, event: RunMetricEventSpec, inScope: readonly HistoryRun[], runs: readonly HistoryRun[]): Finding[] {
  const metric = event.metric;
  if (!inScope.some((r) => r.logged.has(metric))) {
    const like = similarNames(metric, inScope);
    return [{ code: "TWL061", subject: a, message: `no run of ${describeScope(a.spec.scope)} logged "${metric}" in the history (${inScope.length} runs)${like.length > 0 ? `; logged: ${like.join(", ")}` : ""}` }];
  }
  const series = runs.map((r) => ({ run: r, values: r.values.get(metric) ?? [] })).filter((s) => s.values.length > 0);
  if (series.length === 0) return [];
  const longest = series.reduce((best, s) => (s.values.length > best.values.length ? s : best));
  const most = longest.values.length;
  const span = longest.run.steps.get(metric);
  const spread = span && most > 1 ? `, over steps ${span.first}–${span.last} (about every ${Math.round((span.last - span.first) / (most - 1))} steps)` : "";
  const mostText = `the most any run logged it is ${most} time${most === 1 ? "" : "s"} ("${longest.run.name}"${spread})`;

  if (event.type === "runMetricThreshold") {
    const needed = event.agg === null ? 1 : event.window;
    if (most < needed) return [{ code: "TWL062", subject: a, message: `"${metric}" is logged too rarely for a window of ${needed}: ${mostText}` }];
    return thresholdFindings(a, event, series.flatMap((s) => s.values));
  }
  if (event.type === "runMetricZScore") {
    if (most < event.window) return [{ code: "TWL063", subject: a, message: `no run reached the z-score window of ${event.window} values of "${metric}": ${mostText}` }];
    return zscoreFindings(a, event, series.filter((s) => s.values.length >= event.window).map((s) => s.values));
  }
  const needed = event.window + event.priorWindow;
  if (most < needed) {
    return [{ code: "TWL063", subject: a, message: `no run reached the window of ${event.window} plus the prior window of ${event.priorWindow} values of "${metric}" (${needed}): ${mostText}` }];
  }
  return changeFindings(a, event, series.filter((s) => s.values.length >= needed).map((s) => s.values));
}

const CMP = { gt: ">", gte: ">=", lt: "<", lte: "<=", eq: "==", ne: "!=" } as const;

/** TWL064 / TWL065: a threshold outside, or below / above, every value logged (aggregates lie within the values). */
function thresholdFindings(a: DesiredAutomation, event: Extract<RunMetricEventSpec, { type: "runMetricThreshold" }>, values: readonly number[]): Finding[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const t = event.threshold;
  const never = { gt: max <= t, gte: max < t, lt: min >= t, lte: min > t, eq: false, ne: false }[event.cmp];
  const always = { gt: min > t, gte: min >= t, lt: max < t, lte: max <= t, eq: false, ne: false }[event.cmp];
  const range = `"${event.metric}" ranged from ${fmt(min)} to ${fmt(max)} over ${values.length} logged values`;
  if (never) return [{ code: "TWL064", subject: a, message: `${event.metric} ${CMP[event.cmp]} ${t} never held in the history: ${range}` }];
  if (always) return [{ code: "TWL065", subject: a, message: `${event.metric} ${CMP[event.cmp]} ${t} held for every value in the history: ${range}` }];
  return [];
}

/**
 * How many runs a windowed condition fires in, and the value nearest to firing: `measure(values, end)` is the
 * condition's value for the window ending before `end` (NaN when it has none), `holds` whether that value fires, and
 * `larger` which of two values is nearer to firing. Each run counts once, however often it would fire.
 */
function firingRuns(
  runs: readonly (readonly number[])[],
  first: number,
  measure: (values: readonly number[], end: number) => number,
  holds: (value: number) => boolean,
  larger: (x: number, than: number) => boolean,
): { firing: number; largest: number } {
  let firing = 0;
  let largest = 0;
  for (const values of runs) {
    let fired = false;
    for (let end = first; end <= values.length; end++) {
      const value = measure(values, end);
      if (!Number.isFinite(value)) continue;
      if (larger(value, largest)) largest = value;
      if (holds(value)) fired = true;
    }
    if (fired) firing++;
  }
  return { firing, largest };
}

/** TWL064 when a windowed condition fired in no run that filled its windows, TWL065 when in every one (of two or more). */
function windowedFindings(a: DesiredAutomation, runs: number, firing: number, asked: string, filled: string, largest: string): Finding[] {
  const metric = (a.spec.event as RunMetricEventSpec).metric;
  if (firing === 0) return [{ code: "TWL064", subject: a, message: `${asked} in "${metric}" never happened in the ${runs} runs that filled ${filled}: ${largest}` }];
  if (firing === runs && runs > 1) return [{ code: "TWL065", subject: a, message: `${asked} in "${metric}" happened in every one of the ${runs} runs that filled ${filled}: it fires on every run` }];
  return [];
}

/** TWL064 / TWL065 for a change: whether it held in no run, or in every run, that filled both windows. */
function changeFindings(a: DesiredAutomation, event: Extract<RunMetricEventSpec, { type: "runMetricChange" }>, runs: readonly (readonly number[])[]): Finding[] {
  if (runs.length === 0) return [];
  const { firing, largest } = firingRuns(
    runs,
    event.window + event.priorWindow,
    (values, end) => {
      const current = aggregateOf(event.agg, values, end - event.window, end);
      const prior = aggregateOf(event.agg, values, end - event.window - event.priorWindow, end - event.window);
      return changeOf(current, prior, event.change);
    },
    (delta) => directionHolds(delta, event.direction, event.amount),
    (x, than) => Math.abs(x) > Math.abs(than),
  );
  const unit = event.change === "relative" ? (x: number) => `${fmt(x * 100)}%` : fmt;
  const asked = `${{ any: "a change", increase: "an increase", decrease: "a decrease" }[event.direction]} of ${unit(event.amount)}`;
  return windowedFindings(a, runs.length, firing, asked, "both windows", `the largest change was ${unit(largest)}`);
}

/**
 * TWL064 / TWL065 for a z-score: whether |z| reached the threshold (in its direction) in no run, or in every run, that
 * filled the window. The z-score is the evaluator's default (the window includes the latest value, population
 * deviation); a window of equal values has no z-score (NaN), as in the evaluator, and never fires.
 */
function zscoreFindings(a: DesiredAutomation, event: Extract<RunMetricEventSpec, { type: "runMetricZScore" }>, runs: readonly (readonly number[])[]): Finding[] {
  if (runs.length === 0) return [];
  const sign = { any: Math.abs, increase: (z: number) => z, decrease: (z: number) => -z }[event.direction];
  const { firing, largest } = firingRuns(
    runs,
    event.window,
    (values, end) => sign(zscoreOf(values, values[end - 1] as number, "population", end - event.window, end).z),
    (signed) => signed >= event.threshold,
    (x, than) => x > than,
  );
  const asked = `a z-score ${{ any: "of ±", increase: "of +", decrease: "of −" }[event.direction]}${fmt(event.threshold)} over ${event.window} values`;
  const reached = { any: "|z|", increase: "z", decrease: "−z" }[event.direction];
  return windowedFindings(a, runs.length, firing, asked, "the window", `the largest ${reached} was ${fmt(largest)}`);
}

/** The history-aware findings over a source (none when there is no source), or the source's read errors. */
export async function historyAware(
  automations: readonly DesiredAutomation[],
  source: HistorySource | undefined,
): Promise<{ failed: boolean; findings: Finding[]; diagnostics: Diagnostic[] }> {
  if (source === undefined) return { failed: false, findings: [], diagnostics: [] };
  const read = await source.read(metricsRead(automations));
  if (read.history === undefined) return { failed: true, findings: [], diagnostics: read.diagnostics };
  return { failed: false, findings: historyFindings(automations, read.history), diagnostics: read.diagnostics };
}
