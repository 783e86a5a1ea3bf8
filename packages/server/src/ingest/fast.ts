import { z } from "zod";
import type { RunMetricEvent } from "@tripwire/evaluator";

// The timestamp rule of the evaluator's EventSchema (zod ISO datetime with an offset, not local).
const TIMESTAMP = z.iso.datetime({ offset: true, local: false });
const EVENT_KEYS = 7;
const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A fast path for the bulk of ingested traffic: a `run.metric` event of exactly the documented shape whose
 * metric values are scalars. It accepts only what the evaluator's `parseEvent` accepts, unchanged (a test
 * checks that on generated inputs); anything else — unknown keys, nested metric values, any doubt — returns
 * `undefined` and goes through `parseEvent`, which also words the errors. Zod's union over JSON values costs
 * several microseconds per metric; this costs a fraction of one.
 */
export function fastRunMetric(json: unknown): RunMetricEvent | undefined {
  if (!isPlain(json) || json.type !== "run.metric") return undefined;
  const { entity, project, run, step, timestamp, metrics } = json;
  let keys = 0;
  for (const _ in json) keys++;
  if (keys !== EVENT_KEYS) return undefined;
  if (typeof entity !== "string" || entity.length === 0 || typeof project !== "string" || project.length === 0) return undefined;
  if (!isPlain(run) || typeof run.id !== "string" || run.id.length === 0 || typeof run.name !== "string" || typeof run.user !== "string") return undefined;
  let runKeys = 0;
  for (const _ in run) runKeys++;
  if (runKeys !== 3) return undefined;
  if (typeof step !== "number" || !Number.isSafeInteger(step) || step < 0) return undefined;
  if (typeof timestamp !== "string" || !TIMESTAMP.safeParse(timestamp).success) return undefined;
  if (!isPlain(metrics) || Object.getPrototypeOf(metrics) !== Object.prototype) return undefined;
  for (const k in metrics) {
    const v = metrics[k];
    const t = typeof v;
    if (!(v === null || t === "string" || t === "boolean" || (t === "number" && Number.isFinite(v)))) return undefined;
  }
  return json as unknown as RunMetricEvent;
}
