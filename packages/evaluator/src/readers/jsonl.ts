/**
 * JSON Lines of events (the format of issue 3, one event per line; blank lines ignored). A bad line fails with
 * its line number and the field at fault.
 */
import { formatPath, TripwireError } from "@tripwire/sdk";
import { parseEvent, type TripwireEvent } from "../events.js";
import { linesOf } from "./lines.js";

/**
 * Reads events from JSONL text, given as lines or as arbitrary chunks (a file stream works as is).
 * Throws `TW2010` naming the line and the field: `line 3: run.name: Invalid input: expected string, received number`.
 * @example
 * import { createReadStream } from "node:fs";
 * for await (const event of readJsonlEvents(createReadStream("history.jsonl", "utf8"))) engine.push(event);
 */
export async function* readJsonlEvents(lines: AsyncIterable<string> | Iterable<string>): AsyncIterable<TripwireEvent> {
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
