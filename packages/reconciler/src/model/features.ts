/** What a W&B server reports it has (`serverInfo.features`), and what that implies. */

/**
 * W&B's server feature flags in the order W&B added them (the numbers of its `ServerFeature` proto enum, read from
 * W&B's SDK). A server that reports a later flag knows the earlier ones, which lets Tripwire tell "older than this
 * feature" from "does not report flags W&B's SDK no longer checks" (see {@link hasFeature}).
 */
export const FEATURE_ORDER: Readonly<Record<string, number>> = {
  AUTOMATION_EVENT_RUN_METRIC: 9,
  AUTOMATION_EVENT_RUN_METRIC_CHANGE: 10,
  AUTOMATION_ACTION_NO_OP: 11,
  AUTOMATION_EVENT_RUN_METRIC_ZSCORE: 19,
  AUTOMATION_EVENT_RUN_STATE: 20,
  AUTOMATION_ACTION_PUSH_NOTIFICATION: 21,
  AUTOMATION_EVENT_ADD_ARTIFACT_TAG: 22,
  AUTOMATION_EVENT_ADD_COLLECTION_TAG: 23,
  AUTOMATION_EVENT_REMOVE_ARTIFACT_TAG: 24,
  AUTOMATION_EVENT_REMOVE_COLLECTION_TAG: 25,
  AUTOMATION_EVENT_UNLINK_ARTIFACT: 26,
  AUTOMATIONS_ON_USER: 27,
  AUTOMATION_LAST_EXECUTED_AT: 28,
  AUTOMATION_SCOPE_ENTITY: 31,
  QUERY_AUTOMATIONS_ON_ENTITY: 32,
  AUTOMATIONS_ON_ORGANIZATION: 33,
};

/**
 * Flags W&B's SDK stopped checking because every non-EOL server has them (its `UNGATED_*` sets: no-op since server
 * 0.67, run state since 0.69). Tripwire still refuses them on a server that reports neither the flag nor any flag
 * added after it: such a server predates them, and a listing that spreads `NoOpTriggeredAction` fails on it.
 */
const IMPLIED_BY_LATER = new Set(["AUTOMATION_ACTION_NO_OP", "AUTOMATION_EVENT_RUN_STATE"]);

/** Whether a server whose enabled features are `features` has `name`. */
export function hasFeature(features: ReadonlySet<string>, name: string): boolean {
  if (features.has(name)) return true;
  if (!IMPLIED_BY_LATER.has(name)) return false;
  const since = FEATURE_ORDER[name] as number;
  for (const f of features) if ((FEATURE_ORDER[f] ?? 0) > since) return true;
  return false;
}

/** How a diagnostic names a server by its automation features: `features AUTOMATION_EVENT_RUN_METRIC, …`. */
export function describeFeatures(features: ReadonlySet<string>): string {
  const known = [...features].filter((f) => f in FEATURE_ORDER).sort();
  return known.length === 0 ? "no automation features" : `features ${known.join(", ")}`;
}
