/**
 * JSON Lines of events (the format of issue 3, one event per line; blank lines ignored). A bad line fails with
 * its line number and the field at fault.
 */
import { formatPath, TripwireError } from "@tripwire/sdk";
import { FastRunMetric, parseEvent, type RunMetricEvent, type TripwireEvent } from "../events/index.js";
import { linesOf } from "./lines.js";

/**
 * What {@link JsonlDecoder.decode} found on a line.
 * @example if (decoder.decode(line) === JSONL_LINE.badJson) report(decoder.problem);
 */
export const JSONL_LINE = { blank: 0, metric: 1, event: 2, badJson: 3, badEvent: 4 } as const;
export type JsonlLineKind = (typeof JSONL_LINE)[keyof typeof JSONL_LINE];

/**
 * The one reading of a JSONL event line, shared by `readJsonlEvents` and the reconciler's backtest: `JSON.parse`,
 * then the fast validator for plain `run.metric` events, then `parseEvent` for everything else. A decoder reads one
 * stream (its fast validator keeps the last date read); `decode` allocates nothing of its own: what it found is in
 * its fields until the next call.
 * @example
 * const d = new JsonlDecoder();
 * if (d.decode(line) === JSONL_LINE.metric) engine.push(d.metric); // d.time: its timestamp in epoch ms
 */
export class JsonlDecoder {
  readonly #fast = new FastRunMetric();
  /** The line's event, after `metric` (the parsed JSON itself) or `event` (what `parseEvent` returned). */
  metric: RunMetricEvent | undefined;
  event: TripwireEvent | undefined;
  /** Epoch milliseconds of the timestamp, after `metric`. */
  time = Number.NaN;
  /** What is wrong, after `badJson` (JSON.parse's message) or `badEvent` (`field: message; …`). */
  problem = "";
  /** The JSON.parse error, after `badJson`. */
  cause: unknown;

  decode(line: string): JsonlLineKind {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      if (line.trim() === "") return JSONL_LINE.blank;
      this.problem = (error as Error).message;
      this.cause = error;
      return JSONL_LINE.badJson;
    }
    if (this.#fast.accepts(json)) {
      this.metric = json;
      this.time = this.#fast.time;
      return JSONL_LINE.metric;
    }
    const r = parseEvent(json);
    if (r.ok) {
      this.event = r.event;
      return JSONL_LINE.event;
    }
    this.problem = r.issues.map((i) => `${i.path.length > 0 ? formatPath(i.path) : "(event)"}: ${i.message}`).join("; ");
    return JSONL_LINE.badEvent;
  }
}

/**
 * Reads events from JSONL, given as lines (e.g. `node:readline` over a file) or as whole texts.
 * Throws `TW2010` naming the line and the field: `line 3: run.name: Invalid input: expected string, received number`.
 * @example
 * import { createReadStream } from "node:fs";
 * import { createInterface } from "node:readline";
 * const lines = createInterface({ input: createReadStream("history.jsonl"), crlfDelay: Infinity });
 * for await (const event of readJsonlEvents(lines)) engine.push(event);
 */
export function readJsonlEvents(lines: AsyncIterable<string> | Iterable<string>): AsyncIterable<TripwireEvent> {
  return jsonl(lines);
}

async function* jsonl(lines: AsyncIterable<string> | Iterable<string>): AsyncIterable<TripwireEvent> {
  const d = new JsonlDecoder();
  let n = 0;
  for await (const line of linesOf(lines)) {
    n++;
    switch (d.decode(line)) {
      case JSONL_LINE.blank:
        continue;
      case JSONL_LINE.metric:
        yield d.metric as RunMetricEvent;
        continue;
      case JSONL_LINE.event:
        yield d.event as TripwireEvent;
        continue;
      case JSONL_LINE.badJson:
        throw new TripwireError("TW2010", `line ${n}: not valid JSON: ${d.problem}`, { cause: d.cause });
      case JSONL_LINE.badEvent:
        throw new TripwireError("TW2010", `line ${n}: ${d.problem}`);
    }
  }
}
