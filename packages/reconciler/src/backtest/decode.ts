/**
 * The fast path of history decoding. A `run.metric` line in the common shape (UTC timestamp with seconds) is
 * checked here field by field instead of through the evaluator's zod schema, which costs several times a
 * `JSON.parse` of the line. The check accepts a subset of what `EventSchema` accepts (a test holds it to that):
 * anything it does not accept goes through `parseEvent`, which decides and explains.
 */
import { parseTimestamp, type RunMetricEvent } from "@tripwire/evaluator";

/** A `run.metric` event as the fast path reads it: the parsed JSON object itself, fields checked. */
export type MetricLine = RunMetricEvent;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** Whether `json` is a `run.metric` event every field of which `EventSchema` accepts (false: ask `parseEvent`). */
export function isMetricLine(json: unknown): json is MetricLine {
  if (!isObject(json) || json.type !== "run.metric") return false;
  const run = json.run;
  return (
    nonEmpty(json.entity) &&
    nonEmpty(json.project) &&
    isObject(run) &&
    nonEmpty(run.id) &&
    typeof run.name === "string" &&
    typeof run.user === "string" &&
    Number.isSafeInteger(json.step) &&
    (json.step as number) >= 0 &&
    typeof json.timestamp === "string" &&
    isObject(json.metrics)
  );
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function digitsAt(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

// History is in time order, so consecutive timestamps nearly always share their date: the last date read (its
// first ten characters) and its epoch day are kept, and the date is checked and converted once per day.
let lastDate = "";
let lastDayMs = 0;

/**
 * Epoch milliseconds of a timestamp in the form `YYYY-MM-DDTHH:MM:SS[.f…]Z` with a real calendar date, equal to
 * the engine's `parseTimestamp` (a test holds them equal); `NaN` for any other text (offsets, missing seconds,
 * invalid dates), which the slow path then judges.
 */
export function fastTimestamp(s: string): number {
  // The form recorders write (`2026-11-20T00:00:00.000Z`) on the day last read: every character read once, no
  // loops or calls. Anything else, and a new day, takes the general path below.
  if (s.length === 24 && lastDate.length === 10) {
    const d = lastDate;
    if (
      s.charCodeAt(0) === d.charCodeAt(0) &&
      s.charCodeAt(1) === d.charCodeAt(1) &&
      s.charCodeAt(2) === d.charCodeAt(2) &&
      s.charCodeAt(3) === d.charCodeAt(3) &&
      s.charCodeAt(4) === d.charCodeAt(4) &&
      s.charCodeAt(5) === d.charCodeAt(5) &&
      s.charCodeAt(6) === d.charCodeAt(6) &&
      s.charCodeAt(7) === d.charCodeAt(7) &&
      s.charCodeAt(8) === d.charCodeAt(8) &&
      s.charCodeAt(9) === d.charCodeAt(9) &&
      s.charCodeAt(10) === 84 /* T */ &&
      s.charCodeAt(13) === 58 /* : */ &&
      s.charCodeAt(16) === 58 &&
      s.charCodeAt(19) === 46 /* . */ &&
      s.charCodeAt(23) === 90 /* Z */
    ) {
      const h1 = s.charCodeAt(11) - 48;
      const h2 = s.charCodeAt(12) - 48;
      const m1 = s.charCodeAt(14) - 48;
      const m2 = s.charCodeAt(15) - 48;
      const s1 = s.charCodeAt(17) - 48;
      const s2 = s.charCodeAt(18) - 48;
      const f1 = s.charCodeAt(20) - 48;
      const f2 = s.charCodeAt(21) - 48;
      const f3 = s.charCodeAt(22) - 48;
      const h = h1 * 10 + h2;
      if (h1 < 0 || h2 < 0 || h2 > 9 || h > 23 || m1 < 0 || m1 > 5 || m2 < 0 || m2 > 9 || s1 < 0 || s1 > 5 || s2 < 0 || s2 > 9) return Number.NaN;
      if (f1 < 0 || f1 > 9 || f2 < 0 || f2 > 9 || f3 < 0 || f3 > 9) return Number.NaN;
      return lastDayMs + h * 3_600_000 + (m1 * 10 + m2) * 60_000 + (s1 * 10 + s2) * 1000 + f1 * 100 + f2 * 10 + f3;
    }
  }
  const n = s.length;
  if (n < 20 || s.charCodeAt(n - 1) !== 90 /* Z */ || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return Number.NaN;
  let dayMs: number;
  let same = lastDate.length === 10;
  for (let i = 0; same && i < 10; i++) same = s.charCodeAt(i) === lastDate.charCodeAt(i);
  if (same) dayMs = lastDayMs;
  else {
    if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Number.NaN;
    const y = digitsAt(s, 0, 4);
    const mo = digitsAt(s, 5, 2);
    const d = digitsAt(s, 8, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap(y) ? 29 : (DAYS[mo - 1] as number))) return Number.NaN;
    // A real calendar date (checked above): the engine's own reading of its midnight.
    dayMs = parseTimestamp(`${s.slice(0, 10)}T00:00:00Z`);
    lastDate = s.slice(0, 10);
    lastDayMs = dayMs;
  }
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return Number.NaN;
  let ms = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46 /* . */ || n === 21) return Number.NaN;
    const f = n - 21; // fraction digits
    for (let i = 20; i < n - 1; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return Number.NaN;
    }
    // milliseconds: the first three digits (more are cut, as Date.parse does)
    ms = f >= 3 ? digitsAt(s, 20, 3) : f === 2 ? digitsAt(s, 20, 2) * 10 : digitsAt(s, 20, 1) * 100;
  }
  return dayMs + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
}
