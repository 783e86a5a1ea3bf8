/**
 * JSON Lines of events (the format of issue 3, one event per line; blank lines ignored). A bad line fails with
 * its line number and the field at fault.
 */
import { formatPath, TripwireError } from "@tripwire/sdk";
import { parseEvent, type TripwireEvent } from "../events/index.js";
import { linesOf } from "./lines.js";

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
  let n = 0;
  for await (const line of linesOf(lines)) {
    n++;
    if (line.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new TripwireError("TW2010", `line ${n}: not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    const r = parseEvent(json);
    if (!r.ok) {
      const detail = r.issues.map((i) => `${i.path.length > 0 ? formatPath(i.path) : "(event)"}: ${i.message}`).join("; ");
      throw new TripwireError("TW2010", `line ${n}: ${detail}`);
    }
    yield r.event;
  }
}
