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

/**
 * ISO text of epoch milliseconds.
 * @example formatTimestamp(1795687200000) // "2026-11-26T10:00:00.000Z"
 */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
