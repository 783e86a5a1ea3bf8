import type { AutomationSpec } from "@tripwire/sdk";
import { EVENT_TYPE, SCOPE_TYPE } from "@tripwire/sdk/wire";
import { pick } from "../model/codes.js";
import { hasFeature } from "../model/features.js";

export { describeFeatures } from "../model/features.js";

/** Diagnostic codes of what a W&B server supports. */
export const COMPAT_CODES = pick("TW6501");

/** Scopes, events and actions every W&B server has (W&B's SDK, `_compat.py`). */
const UNGATED_SCOPES = new Set(["ARTIFACT_COLLECTION", "PROJECT"]);
const UNGATED_EVENTS = new Set(["CREATE_ARTIFACT", "LINK_MODEL", "ADD_ARTIFACT_ALIAS", "RUN_METRIC", "RUN_METRIC_CHANGE"]);

/** One server feature an automation needs, and what it is called in a diagnostic. */
export interface RequiredFeature {
  readonly feature: string;
  /** "organization-scoped automations", "z-score events", … */
  readonly what: string;
  /** True for a raw event Tripwire knows nothing about beyond its wire name. */
  readonly raw?: boolean;
}

const EVENT_WORDS: Partial<Record<string, string>> = {
  RUN_METRIC_ZSCORE: "z-score metric events",
  RUN_STATE: "run-state events",
  ADD_ARTIFACT_TAG: "artifact-tag-added events",
  REMOVE_ARTIFACT_TAG: "artifact-tag-removed events",
  ADD_COLLECTION_TAG: "collection-tag-added events",
  REMOVE_COLLECTION_TAG: "collection-tag-removed events",
  UNLINK_ARTIFACT: "artifact-unlinked events",
};

/** The server features an automation needs (`AUTOMATION_SCOPE_ENTITY`, `AUTOMATION_EVENT_<wire event>`, …). */
export function requiredFeatures(spec: AutomationSpec): RequiredFeature[] {
  const out: RequiredFeature[] = [];
  const scope = SCOPE_TYPE[spec.scope.type];
  if (!UNGATED_SCOPES.has(scope)) {
    out.push({ feature: `AUTOMATION_SCOPE_${scope}`, what: spec.scope.type === "org" ? "organization-scoped automations" : "team-scoped automations" });
  }
  const event = spec.event.type === "raw" ? spec.event.wireType : EVENT_TYPE[spec.event.type];
  if (!UNGATED_EVENTS.has(event)) {
    out.push({ feature: `AUTOMATION_EVENT_${event}`, what: EVENT_WORDS[event] ?? `${event} events`, ...(spec.event.type === "raw" ? { raw: true } : {}) });
  }
  if (spec.action.type === "noop") out.push({ feature: "AUTOMATION_ACTION_NO_OP", what: "no-op actions" });
  return out;
}

/** The features a server lacks for an automation. */
export function missingFeatures(spec: AutomationSpec, features: ReadonlySet<string>): RequiredFeature[] {
  return requiredFeatures(spec).filter((r) => !hasFeature(features, r.feature));
}
