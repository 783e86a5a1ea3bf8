/**
 * A W&B run-history CSV export (`run.history()` / the UI's "Export CSV"): a header row with `_step`,
 * `_timestamp` (seconds since the epoch) and one column per metric, then one row per logged step. An empty cell
 * means the metric was not logged at that step. Other `_`-prefixed columns (`_runtime`, `_wandb`) are W&B
 * bookkeeping and are not metrics.
 */
import { TripwireError } from "@tripwire/sdk";
import type { EventRunState, RunMetricEvent, RunStateEvent, TripwireEvent } from "../events/index.js";
import { formatTimestamp } from "../time.js";

/** Run metadata the export does not hold. `state`, when given, adds a final `run.state` event. */
export interface CsvRun {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  readonly name: string;
  readonly user: string;
  readonly state?: string;
}

/** RFC 4180 records from text chunks: quoted fields may hold commas, quotes (`""`) and newlines. */
async function* records(input: AsyncIterable<string> | Iterable<string>): AsyncIterable<{ fields: string[]; line: number }> {
  let field = "";
  let fields: string[] = [];
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let start = 1;
  let any = false;
  for await (const chunk of input) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      any = true;
      if (quoted) {
        if (c === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (c === "\n") line++;
          field += c;
        }
        continue;
      }
      if (c === '"') {
        if (afterQuote) field += '"'; // "" inside a quoted field
        quoted = true;
        afterQuote = false;
      } else if (c === ",") {
        fields.push(field);
        field = "";
        afterQuote = false;
      } else if (c === "\n") {
        fields.push(field.endsWith("\r") && !afterQuote ? field.slice(0, -1) : field);
        yield { fields, line: start };
        fields = [];
        field = "";
        afterQuote = false;
        any = false;
        line++;
        start = line;
      } else if (c === "\r" && afterQuote) {
        // CR after a closing quote: the line ending follows
      } else {
        field += c;
        afterQuote = false;
      }
    }
  }
  if (quoted) throw new TripwireError("TW2011", `line ${start}: unterminated quoted field`);
  if (any) {
    fields.push(field.endsWith("\r") ? field.slice(0, -1) : field);
    yield { fields, line: start };
  }
}

/** Items of an iterable are lines: a newline ends each (a quoted field may continue on the next line). */
async function* asLines(lines: AsyncIterable<string> | Iterable<string>): AsyncIterable<string> {
  for await (const line of lines) yield line.endsWith("\n") ? line : `${line}\n`;
}

const STATES: readonly EventRunState[] = ["running", "finished", "failed", "crashed", "killed"];

/**
 * Reads a W&B run-history CSV export into `run.metric` events (one per row; cells that are not numbers are kept
 * as text and skipped by the engine), plus a final `run.state` event when `run.state` is given.
 * Throws `TW2011` naming the line and the column for a missing `_step`/`_timestamp` or a bad value.
 * @example
 * const csv = readFileSync("sweep-1.csv", "utf8");
 * const events = readWandbHistoryCsv(csv, { entity: "acme", project: "llm", id: "r1", name: "sweep-1", user: "alice", state: "finished" });
 * const firings = await replayAsync(automations, events);
 */
export function readWandbHistoryCsv(csv: AsyncIterable<string> | Iterable<string> | string, run: CsvRun): AsyncIterable<TripwireEvent> {
  return history(csv, run);
}

async function* history(csv: AsyncIterable<string> | Iterable<string> | string, run: CsvRun): AsyncIterable<TripwireEvent> {
  const input = typeof csv === "string" ? [csv] : asLines(csv);
  let header: string[] | undefined;
  let stepCol = -1;
  let timeCol = -1;
  let metricCols: { index: number; name: string }[] = [];
  const ref = { id: run.id, name: run.name, user: run.user };
  let lastTimestamp: string | undefined;
  if (run.state !== undefined && !STATES.includes(run.state as EventRunState)) {
    throw new TripwireError("TW2011", `run state "${run.state}" is not one of ${STATES.join(", ")}`);
  }
  for await (const { fields, line } of records(input)) {
    if (header === undefined) {
      header = fields.map((h) => h.trim());
      stepCol = header.indexOf("_step");
      timeCol = header.indexOf("_timestamp");
      if (stepCol < 0) throw new TripwireError("TW2011", `line ${line}: the header has no _step column`);
      if (timeCol < 0) throw new TripwireError("TW2011", `line ${line}: the header has no _timestamp column`);
      metricCols = header.map((name, index) => ({ index, name })).filter((c) => c.name !== "" && !c.name.startsWith("_"));
      continue;
    }
    if (fields.length === 1 && fields[0] === "") continue; // blank line
    const stepText = (fields[stepCol] ?? "").trim();
    const step = Number(stepText);
    if (stepText === "" || !Number.isInteger(step) || step < 0) {
      throw new TripwireError("TW2011", `line ${line}, column _step: "${stepText}" is not a step number`);
    }
    const timeText = (fields[timeCol] ?? "").trim();
    const seconds = Number(timeText);
    if (timeText === "" || !Number.isFinite(seconds)) {
      throw new TripwireError("TW2011", `line ${line}, column _timestamp: "${timeText}" is not a time in seconds since the epoch`);
    }
    const metrics: Record<string, number | string> = {};
    for (const { index, name } of metricCols) {
      const cell = (fields[index] ?? "").trim();
      if (cell === "") continue;
      const v = Number(cell);
      metrics[name] = Number.isNaN(v) && cell !== "NaN" ? cell : v;
    }
    lastTimestamp = formatTimestamp(Math.round(seconds * 1000));
    const event: RunMetricEvent = { type: "run.metric", entity: run.entity, project: run.project, run: ref, step, timestamp: lastTimestamp, metrics };
    yield event;
  }
  if (run.state !== undefined && lastTimestamp !== undefined) {
    const event: RunStateEvent = { type: "run.state", entity: run.entity, project: run.project, run: ref, state: run.state as EventRunState, timestamp: lastTimestamp };
    yield event;
  }
}
