import { timestampReader } from "../time.js";
import type { RunMetricEvent } from "./schema.js";

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The fast validator beside `RunMetricSchema`, for the bulk of ingested and recorded traffic: a `run.metric` event
 * of exactly the documented shape (no other keys), scalar metric values and a timestamp in the strict UTC form
 * (`timestampReader`). It accepts only what `parseEvent` accepts, and then `parseEvent` would return an equal
 * event (a property test holds it to that); anything else — unknown keys, nested metric values, an offset, any
 * doubt — is refused, and the caller sends it through `parseEvent`, which decides and words the errors. Zod's
 * union over JSON values costs several microseconds per metric; this costs a fraction of one (the server's
 * `npm run bench ingest`, the reconciler's `npm run bench backtest`).
 *
 * One instance reads one stream: it keeps the last date it read (see `timestampReader`).
 * @example
 * const fast = new FastRunMetric();
 * const event = fast.accepts(json) ? json : parseEvent(json);
 * // after a true `accepts`, fast.time is the event's timestamp in epoch milliseconds
 */
export class FastRunMetric {
  readonly #read = timestampReader();
  /** Epoch milliseconds of the timestamp of the event last accepted. */
  time = Number.NaN;

  /** Whether `json` is a `run.metric` event `parseEvent` accepts unchanged (false: ask `parseEvent`). */
  accepts(json: unknown): json is RunMetricEvent {
    if (!isPlain(json) || json.type !== "run.metric") return false;
    const { entity, project, run, step, timestamp, metrics } = json;
    let keys = 0;
    for (const _ in json) keys++;
    if (keys !== 7) return false;
    if (typeof entity !== "string" || entity.length === 0 || typeof project !== "string" || project.length === 0) return false;
    if (!isPlain(run) || typeof run.id !== "string" || run.id.length === 0 || typeof run.name !== "string" || typeof run.user !== "string") return false;
    let runKeys = 0;
    for (const _ in run) runKeys++;
    if (runKeys !== 3) return false;
    if (typeof step !== "number" || !Number.isSafeInteger(step) || step < 0) return false;
    if (typeof timestamp !== "string") return false;
    if (!isPlain(metrics) || Object.getPrototypeOf(metrics) !== Object.prototype) return false;
    for (const k in metrics) {
      if (k === "__proto__") return false; // refused by the schema, with its message
      const v = metrics[k];
      const t = typeof v;
      if (!(v === null || t === "string" || t === "boolean" || (t === "number" && Number.isFinite(v)))) return false;
    }
    const time = this.#read(timestamp);
    if (time !== time) return false;
    this.time = time;
    return true;
  }
}
