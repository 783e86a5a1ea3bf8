/**
 * Compact notation for a metric's values at consecutive steps, after promtool's `input_series` values:
 * `"0.5 0.6 0.9x3 _ 1+0.5x3"`. Unlike promtool, `xN` means N values in all (`0.9x3` is three values, not four):
 * the count reads as written.
 */
import { TripwireError } from "@tripwire/sdk";

/** One value per step; `null`: the metric was not logged at that step (the step still passes). */
export type SeriesValue = number | null;
/** Values as a list, or as text in the series notation. */
export type Series = string | readonly (number | null)[];

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

function value(text: string, token: string): number {
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!NUMBER.test(text)) throw new TripwireError("TW2020", `series: "${token}" is not a value (write a number, NaN, Inf, _ for not logged, a×N or a+b×N)`);
  return Number(text);
}

/**
 * Expands a series: numbers separated by spaces or commas, `_` for a step where the metric was not logged,
 * `a×N` / `axN` for N copies of a, `a+b×N` / `a-b×N` for N values from a in steps of b (a, a+b, …, a+(N−1)·b),
 * `_xN` for N steps without a value. Lists are taken as they are.
 * @example parseSeries("0.5 0.6 0.9x3 _ 1+0.5x3") // [0.5, 0.6, 0.9, 0.9, 0.9, null, 1, 1.5, 2]
 */
export function parseSeries(series: Series): SeriesValue[] {
  if (typeof series !== "string") {
    return series.map((v, i) => {
      if (v !== null && typeof v !== "number") throw new TripwireError("TW2020", `series: item ${i} is ${JSON.stringify(v)}, not a number or null`);
      return v;
    });
  }
  const out: SeriesValue[] = [];
  for (const token of series.split(/[\s,]+/).filter((t) => t !== "")) {
    const m = /^(.+?)[x×](\d+)$/.exec(token);
    const body = m ? (m[1] as string) : token;
    const count = m ? Number(m[2]) : 1;
    if (m && count < 1) throw new TripwireError("TW2020", `series: "${token}" repeats ${count} times; write at least 1`);
    if (body === "_") {
      for (let i = 0; i < count; i++) out.push(null);
      continue;
    }
    // a+b or a-b (a step), told apart from a plain signed number or an exponent (1e-3)
    const step = m ? /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)([+-])((?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)$/i.exec(body) : null;
    if (step) {
      const a = value(step[1] as string, token);
      const b = value(step[3] as string, token) * (step[2] === "-" ? -1 : 1);
      for (let i = 0; i < count; i++) out.push(a + i * b);
      continue;
    }
    const v = value(body, token);
    for (let i = 0; i < count; i++) out.push(v);
  }
  return out;
}
