// Pure helpers of the page: how an execution's explanation reads, and the sparkline's geometry. No DOM here.

const CMP = { gt: ">", gte: "≥", lt: "<", lte: "≤", ne: "≠", eq: "=" };

/** A number as the page shows it: up to 6 significant digits. */
export function num(v) {
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

const list = (values) => `[${(values ?? []).map(num).join(", ")}]`;

/**
 * Why an automation fired, in one sentence: the window's values against the threshold (the evaluator's explanation).
 * Unknown kinds come back as their JSON.
 */
export function explain(e) {
  if (!e || typeof e !== "object") return "no explanation recorded";
  switch (e.kind) {
    case "threshold": {
      const of = e.agg ? `${e.agg} of ${e.metric} over the last ${e.window} values ${list(e.values)}` : `${e.metric} ${list(e.values)}`;
      return `${of} = ${num(e.value)} ${CMP[e.cmp] ?? e.cmp} ${num(e.threshold)}`;
    }
    case "change": {
      const agg = e.agg ?? "latest";
      return `${agg} of ${e.metric}: now ${num(e.current)} ${list(e.currentValues)}, before ${num(e.prior)} ${list(e.priorValues)}; ${e.change} change ${num(e.delta)} (${e.direction}) by at least ${num(e.amount)}`;
    }
    case "zscore":
      return `z-score of ${e.metric} = ${num(e.zscore)} (latest ${num(e.latest)}, mean ${num(e.mean)}, ${e.stdKind} std ${num(e.std)} of ${list(e.values)}); ${e.direction} beyond ${num(e.threshold)}`;
    case "runState":
      return `run went from ${e.from ?? "unseen"} to ${e.to} (matches ${e.matched} of ${(e.states ?? []).join(", ")})`;
    case "artifact":
      return `${e.event}: ${e.field} ${(e.values ?? []).join(", ")}${e.previousHolder !== undefined ? ` (held before by ${e.previousHolder === null ? "no version" : `v${e.previousHolder}`})` : ""}`;
    default:
      return JSON.stringify(e);
  }
}

/**
 * The sparkline of a metric series: an SVG path for its points, the firing's point and the threshold's line, in a
 * `width` × `height` box with `pad` pixels of margin.
 */
export function sparkline(series, width = 320, height = 64, pad = 4) {
  const points = series?.points ?? [];
  if (points.length === 0) return null;
  const values = points.map((p) => p.value);
  if (typeof series.threshold === "number") values.push(series.threshold);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const first = points[0].step;
  const last = points[points.length - 1].step;
  const x = (step) => (last === first ? width / 2 : pad + ((step - first) / (last - first)) * (width - 2 * pad));
  const y = (v) => (hi === lo ? height / 2 : height - pad - ((v - lo) / (hi - lo)) * (height - 2 * pad));
  const r = (v) => Math.round(v * 10) / 10;
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${r(x(p.step))},${r(y(p.value))}`).join(" ");
  const fired = points.find((p) => p.step === series.step);
  return {
    width,
    height,
    path,
    fired: fired ? { x: r(x(fired.step)), y: r(y(fired.value)) } : null,
    threshold: typeof series.threshold === "number" ? r(y(series.threshold)) : null,
    min: lo,
    max: hi,
  };
}

/** `since` choices of the history filter, as an ISO timestamp from now (`""`: any time). */
export const SINCE = [
  ["", "any time"],
  ["1h", "last hour"],
  ["24h", "last 24 hours"],
  ["7d", "last 7 days"],
];

export function sinceIso(choice, now = Date.now()) {
  const m = /^(\d+)([hd])$/.exec(choice ?? "");
  if (!m) return "";
  return new Date(now - Number(m[1]) * (m[2] === "h" ? 3_600_000 : 86_400_000)).toISOString();
}
