import type { AutomationSpec } from "@tripwire/sdk";
import { EVENT_TYPE, SCOPE_TYPE } from "@tripwire/sdk/wire";

/** What every W&B server supports (spec §A.6); anything else needs its server feature flag. */
const UNGATED_SCOPES = new Set(["ARTIFACT_COLLECTION", "PROJECT"]);
const UNGATED_EVENTS = new Set(["CREATE_ARTIFACT", "LINK_MODEL", "ADD_ARTIFACT_ALIAS", "RUN_METRIC", "RUN_METRIC_CHANGE", "RUN_STATE"]);

/** The server features an automation needs (`AUTOMATION_SCOPE_ENTITY`, `AUTOMATION_EVENT_<wire event>`, …). */
export function requiredFeatures(spec: AutomationSpec): string[] {
  const out: string[] = [];
  const scope = SCOPE_TYPE[spec.scope.type];
  if (!UNGATED_SCOPES.has(scope)) out.push(`AUTOMATION_SCOPE_${scope}`);
  const event = spec.event.type === "raw" ? spec.event.wireType : EVENT_TYPE[spec.event.type];
  if (!UNGATED_EVENTS.has(event)) out.push(`AUTOMATION_EVENT_${event}`);
  return out;
}
