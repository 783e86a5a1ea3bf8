/**
 * Event timestamps are the evaluator's only clock. ISO 8601 text is parsed to epoch milliseconds on the hot
 * path, so the common UTC form `YYYY-MM-DDTHH:MM:SS[.fff]Z` is read digit by digit; anything else (offsets)
 * goes through `Date.parse`.
 */

const DAY_MS = 86_400_000;
/**
 * The per-run limit of W&B: one firing per automation per run in 24 hours.
 * @example createEngine(specs, { cooldownMs: DEFAULT_COOLDOWN_MS / 24 }) // one hour instead
 */
export const DEFAULT_COOLDOWN_MS = DAY_MS;

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Epoch milliseconds of an ISO 8601 timestamp; `NaN` when it is not one.
 * @example parseTimestamp("2026-11-26T10:00:00Z") // 1795687200000
 */
export function parseTimestamp(s: string): number {
  const n = s.length;
  if (n >= 20 && s.charCodeAt(n - 1) === 90 /* Z */ && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84) {
    const y = digits(s, 0, 4);
    const mo = digits(s, 5, 2);
    const d = digits(s, 8, 2);
    const h = digits(s, 11, 2);
    const mi = digits(s, 14, 2);
    const sec = digits(s, 17, 2);
    if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59) {
      let ms = 0;
      if (n > 20) {
        if (s.charCodeAt(19) !== 46 /* . */ || n === 21) return Date.parse(s);
        const frac = s.slice(20, n - 1);
        const f = digits(frac, 0, Math.min(frac.length, 3));
        if (f < 0 || digits(frac, 0, frac.length) < 0) return Date.parse(s);
        ms = frac.length >= 3 ? f : f * (frac.length === 1 ? 100 : 10);
      } else if (s.charCodeAt(19) !== 90) return Date.parse(s);
      if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return Date.parse(s);
      return daysFromCivil(y, mo, d) * DAY_MS + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
    }
  }
  return Date.parse(s);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Reads timestamps of a stream of events, the hot-path form of {@link parseTimestamp}: only the strict UTC form
 * `YYYY-MM-DDTHH:MM:SS[.f…]Z` with a real calendar date (a subset of what `EventSchema` accepts), to epoch
 * milliseconds equal to `parseTimestamp`'s; `NaN` for any other text (offsets, missing seconds, invalid dates),
 * which the caller then sends through `parseEvent`. History is in time order, so consecutive timestamps nearly
 * always share their date: each reader keeps the last date it read (its own state, one reader per stream) and
 * converts a date once per day, which keeps the backtest within 1.3× of parsing its lines alone (the reconciler's
 * `npm run bench backtest`).
 * @example
 * const read = timestampReader();
 * read("2026-11-26T10:00:00.000Z") // 1795687200000
 * read("2026-11-26T10:00:00+00:00") // NaN (valid, but not the fast form)
 */
export function timestampReader(): (s: string) => number {
  let lastDate = "";
  let lastDayMs = 0;
  return (s: string): number => {
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
      const y = digits(s, 0, 4);
      const mo = digits(s, 5, 2);
      const d = digits(s, 8, 2);
      if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap(y) ? 29 : (MONTH_DAYS[mo - 1] as number))) return Number.NaN;
      dayMs = daysFromCivil(y, mo, d) * DAY_MS;
      lastDate = s.slice(0, 10);
      lastDayMs = dayMs;
    }
    const h = digits(s, 11, 2);
    const mi = digits(s, 14, 2);
    const sec = digits(s, 17, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return Number.NaN;
    let ms = 0;
    if (n > 20) {
      if (s.charCodeAt(19) !== 46 /* . */ || n === 21) return Number.NaN;
      const f = n - 21; // fraction digits
      for (let i = 20; i < n - 1; i++) {
        const c = s.charCodeAt(i);
        if (c < 48 || c > 57) return Number.NaN;
      }
      // milliseconds: the first three digits (more are cut, as parseTimestamp and Date.parse do)
      ms = f >= 3 ? digits(s, 20, 3) : f === 2 ? digits(s, 20, 2) * 10 : digits(s, 20, 1) * 100;
    }
    return dayMs + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
  };
}

/**
 * ISO text of epoch milliseconds.
 * @example formatTimestamp(1795687200000) // "2026-11-26T10:00:00.000Z"
 */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
