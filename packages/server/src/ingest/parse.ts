import { FastRunMetric, parseEvent, parseTimestamp, type TripwireEvent } from "@tripwire/evaluator";
import { MAX_JSON_DEPTH, tooDeep } from "./depth.js";

/** One problem in an ingested body: the 1-based line, the event's index in the batch, the field path. */
export interface BodyIssue {
  readonly line: number;
  readonly index: number;
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export type ParsedBody = { ok: true; events: TripwireEvent[] } | { ok: false; issues: BodyIssue[] };

/** At most this many issues are reported for one body. */
export const MAX_ISSUES = 100;

/** How far ahead of the server's clock an event's timestamp may be (clients' clocks drift; see the README). */
export const MAX_FUTURE_SKEW_MS = 60 * 60 * 1000;

export interface ParseOptions {
  /**
   * Refuse events stamped later than this (epoch ms): the server passes its clock plus {@link MAX_FUTURE_SKEW_MS},
   * so a far-future timestamp cannot steer the evaluator's 24 h per-run limit. Replaying the log passes nothing.
   */
  readonly notAfter?: number;
}

/** Checks what the schema does not: nesting depth (before validation, which recurses) and the clock bound. */
function bounds(json: unknown): { path: (string | number)[]; message: string } | undefined {
  const deep = tooDeep(json);
  if (deep) return { path: deep, message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  return undefined;
}

function future(event: TripwireEvent, options: ParseOptions): { path: (string | number)[]; message: string } | undefined {
  if (options.notAfter === undefined || parseTimestamp(event.timestamp) <= options.notAfter) return undefined;
  return {
    path: ["timestamp"],
    message: `timestamp ${event.timestamp} is more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes ahead of the server's clock (${new Date(options.notAfter - MAX_FUTURE_SKEW_MS).toISOString()})`,
  };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Start offsets of the top-level elements of a JSON array text (computed only to report errors). */
function elementOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === " " || c === "\n" || c === "\r" || c === "\t") continue;
    if (expectElement && depth === 1 && c !== "]") {
      out.push(i);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1) expectElement = true;
  }
  return out;
}

/** Where a JSON array fails to parse: the first element that does not parse alone (V8 gives no position). */
function arraySyntaxIssue(text: string, error: unknown): BodyIssue {
  const offsets = elementOffsets(text);
  for (let i = 0; i < offsets.length; i++) {
    const from = offsets[i] as number;
    const to = i + 1 < offsets.length ? (offsets[i + 1] as number) : text.lastIndexOf("]") > from ? text.lastIndexOf("]") : text.length;
    const slice = text.slice(from, to).trim().replace(/,$/, "");
    try {
      JSON.parse(slice);
    } catch (e) {
      return { line: lineAt(text, from), index: i, path: [], message: `invalid JSON: ${(e as Error).message}` };
    }
  }
  return { line: 1, index: -1, path: [], message: `invalid JSON: ${(error as Error).message}` };
}

/**
 * Parses an ingestion body: a JSON array of events, or NDJSON (one event per line; blank lines are
 * skipped). Every event is validated with the evaluator's `parseEvent`; issues name the 1-based line and
 * the field path. All or nothing: one bad event rejects the body.
 */
export function parseBody(text: string, options: ParseOptions = {}): ParsedBody {
  const issues: BodyIssue[] = [];
  const events: TripwireEvent[] = [];
  // The evaluator's fast validator for plain run.metric events (one per body: it keeps the last date it read);
  // it implies the depth bound (scalar metrics only). What it refuses is bounded, then judged by parseEvent.
  const fastPath = new FastRunMetric();
  let start = 0;
  while (start < text.length && /\s/.test(text[start] as string)) start++;
  if (text[start] === "[") {
    let array: unknown;
    try {
      array = JSON.parse(text);
    } catch (e) {
      return { ok: false, issues: [arraySyntaxIssue(text, e)] };
    }
    if (!Array.isArray(array)) return { ok: false, issues: [{ line: 1, index: -1, path: [], message: "expected a JSON array of events" }] };
    let offsets: number[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const item: unknown = array[i];
      const fast = fastPath.accepts(item) ? item : undefined;
      const bad = fast ? undefined : bounds(item);
      const r = fast ? ({ ok: true, event: fast } as const) : bad ? ({ ok: false, issues: [bad] } as const) : parseEvent(item);
      const late = r.ok ? future(r.event, options) : undefined;
      if (r.ok && !late) events.push(r.event);
      else {
        offsets ??= elementOffsets(text);
        const line = lineAt(text, offsets[i] ?? 0);
        for (const issue of late ? [late] : r.ok ? [] : r.issues) if (issues.length < MAX_ISSUES) issues.push({ line, index: i, path: issue.path, message: issue.message });
      }
    }
  } else {
    let line = 0;
    let index = 0;
    let from = 0;
    while (from <= text.length) {
      let to = text.indexOf("\n", from);
      if (to < 0) to = text.length;
      line++;
      const raw = text.slice(from, to);
      from = to + 1;
      if (raw.trim() === "") {
        if (to === text.length) break;
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (e) {
        if (issues.length < MAX_ISSUES) issues.push({ line, index, path: [], message: `invalid JSON: ${(e as Error).message}` });
        index++;
        continue;
      }
      const fast = fastPath.accepts(json) ? json : undefined;
      const bad = fast ? undefined : bounds(json);
      const r = fast ? ({ ok: true, event: fast } as const) : bad ? ({ ok: false, issues: [bad] } as const) : parseEvent(json);
      const late = r.ok ? future(r.event, options) : undefined;
      if (r.ok && !late) events.push(r.event);
      else for (const issue of late ? [late] : r.ok ? [] : r.issues) if (issues.length < MAX_ISSUES) issues.push({ line, index, path: issue.path, message: issue.message });
      index++;
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  if (events.length === 0) return { ok: false, issues: [{ line: 1, index: -1, path: [], message: "the body holds no events" }] };
  return { ok: true, events };
}
