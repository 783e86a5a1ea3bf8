import type { AutomationSpec, SourceLocation } from "@tripwire/sdk";
import type { TripwireConfig } from "../model/config.js";
import { pick } from "../model/codes.js";
import type { Diagnostic } from "../model/types.js";

/** Diagnostic codes of definitions W&B's own Python SDK cannot read back as written. */
export const INTEROP_CODES = pick("TW6520", "TW6521");

/**
 * What W&B accepts but its Python SDK (`wandb.Api().automations()`, `update_automation`) cannot read back:
 * - an `==` / `!=` threshold (W&B's UI offers six comparisons; the SDK knows four and reads the others as an empty
 *   filter, so an `update_automation` from it saves the automation without its threshold): a warning, once per
 *   automation, silenced with `interop.silence: ["TW6520"]`;
 * - a `payloadText` that is not a JSON object as written (the SDK decodes every saved payload as one, and one that
 *   is not fails the listing of its whole page): refused unless `interop.allowNonJsonPayload` is set.
 */
export function interopDiagnostics(definitions: readonly { spec: AutomationSpec; locate: () => SourceLocation }[], config: TripwireConfig): Diagnostic[] {
  const silenced = new Set(config.interop?.silence ?? []);
  const out: Diagnostic[] = [];
  for (const { spec, locate } of definitions) {
    const e = spec.event;
    if (e.type === "runMetricThreshold" && (e.cmp === "eq" || e.cmp === "ne") && !silenced.has("TW6520")) {
      out.push({
        code: "TW6520",
        severity: "warning",
        message: `"${spec.name}" compares with ${e.cmp === "eq" ? "==" : "!="}: W&B's Python SDK reads such a threshold as no filter, and an update_automation from it saves "${spec.name}" without its threshold (silence with interop.silence: ["TW6520"] in tripwire.config.ts)`,
        source: locate(),
        subject: spec.name,
      });
    }
    const a = spec.action;
    if (a.type === "webhook" && a.payloadText !== undefined && !config.interop?.allowNonJsonPayload && !isJsonObject(a.payloadText)) {
      out.push({
        code: "TW6521",
        severity: "error",
        message: `the payloadText of "${spec.name}" is not a JSON object as written: W&B's Python SDK decodes every saved payload as one and cannot list automations on a page holding it (quote template variables, pass payload: {...}, or set interop.allowNonJsonPayload: true in tripwire.config.ts)`,
        source: locate(),
        subject: spec.name,
      });
    }
  }
  return out;
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
