import { Kind, parse, print, visit, type DocumentNode } from "graphql";

/**
 * The gated automation features this server implements (spec §A.6). Each one a server lacks takes the schema types,
 * fields and enum values that come with it out of the schema too, so a document spreading a fragment on one of them
 * fails validation exactly as on an older W&B Server (`Unknown type "NoOpTriggeredAction"`).
 */
export const AUTOMATION_FEATURES = [
  "AUTOMATION_EVENT_RUN_METRIC",
  "AUTOMATION_EVENT_RUN_METRIC_CHANGE",
  "AUTOMATION_ACTION_NO_OP",
  "AUTOMATION_EVENT_RUN_METRIC_ZSCORE",
  "AUTOMATION_EVENT_RUN_STATE",
  "AUTOMATION_EVENT_ADD_ARTIFACT_TAG",
  "AUTOMATION_EVENT_ADD_COLLECTION_TAG",
  "AUTOMATION_EVENT_REMOVE_ARTIFACT_TAG",
  "AUTOMATION_EVENT_REMOVE_COLLECTION_TAG",
  "AUTOMATION_EVENT_UNLINK_ARTIFACT",
  "AUTOMATION_LAST_EXECUTED_AT",
  "AUTOMATION_SCOPE_ENTITY",
  "QUERY_AUTOMATIONS_ON_ENTITY",
  "AUTOMATIONS_ON_ORGANIZATION",
] as const;
export type AutomationFeature = (typeof AUTOMATION_FEATURES)[number];

/** Features W&B has that this server does not implement: always reported, disabled. */
const NOT_IMPLEMENTED = ["AUTOMATION_ACTION_PUSH_NOTIFICATION", "AUTOMATIONS_ON_USER", "AUTOMATION_ACTION_ARIA"];

/**
 * Named feature sets: `current` is everything this server implements; `older` is a W&B Server from before team and
 * organization scopes, z-score, run-state, no-op and the tag / unlink events (it has run-metric threshold and change
 * events only, and lists automations by walking projects).
 */
export const COMPAT_PRESETS: Readonly<Record<string, readonly AutomationFeature[]>> = {
  current: AUTOMATION_FEATURES,
  older: ["AUTOMATION_EVENT_RUN_METRIC", "AUTOMATION_EVENT_RUN_METRIC_CHANGE"],
};

/** What `serverInfo.features` reports for a feature set: an older server does not know the newer names at all. */
export function reportedFeatures(features: readonly AutomationFeature[]): { name: string; isEnabled: boolean }[] {
  const on = new Set<string>(features);
  const full = features.length === AUTOMATION_FEATURES.length;
  return [
    ...AUTOMATION_FEATURES.filter((f) => on.has(f)).map((name) => ({ name, isEnabled: true })),
    ...(full ? NOT_IMPLEMENTED.map((name) => ({ name, isEnabled: false })) : []),
  ];
}

/** Checks a list of feature names (from a flag or an option); throws naming the unknown ones. */
export function parseFeatures(names: readonly string[]): AutomationFeature[] {
  const known = new Set<string>(AUTOMATION_FEATURES);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new Error(`unknown server feature${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; known: ${AUTOMATION_FEATURES.join(", ")}`);
  return [...new Set(names)] as AutomationFeature[];
}

/** Schema parts that exist only with a feature: whole types, `Type.field`s, `Enum.VALUE`s, `Union.Member`s. */
const PARTS: Readonly<Record<AutomationFeature, { types?: string[]; fields?: string[]; values?: string[]; members?: string[] }>> = {
  AUTOMATION_EVENT_RUN_METRIC: { values: ["EventTriggeringConditionType.RUN_METRIC"] },
  AUTOMATION_EVENT_RUN_METRIC_CHANGE: { values: ["EventTriggeringConditionType.RUN_METRIC_CHANGE"] },
  AUTOMATION_ACTION_NO_OP: {
    types: ["NoOpTriggeredAction", "NoOpTriggeredActionInput", "NoOpActionArgs"],
    fields: ["TriggeredActionConfig.noOpActionInput"],
    values: ["TriggeredActionType.NO_OP"],
    members: ["TriggeredAction.NoOpTriggeredAction", "TriggerActionDetails.NoOpActionArgs"],
  },
  AUTOMATION_EVENT_RUN_METRIC_ZSCORE: { values: ["EventTriggeringConditionType.RUN_METRIC_ZSCORE"] },
  AUTOMATION_EVENT_RUN_STATE: { types: ["RunStateEventDetails"], values: ["EventTriggeringConditionType.RUN_STATE"], members: ["TriggerEventDetails.RunStateEventDetails"] },
  AUTOMATION_EVENT_ADD_ARTIFACT_TAG: { values: ["EventTriggeringConditionType.ADD_ARTIFACT_TAG"] },
  AUTOMATION_EVENT_ADD_COLLECTION_TAG: { values: ["EventTriggeringConditionType.ADD_COLLECTION_TAG"] },
  AUTOMATION_EVENT_REMOVE_ARTIFACT_TAG: { values: ["EventTriggeringConditionType.REMOVE_ARTIFACT_TAG"] },
  AUTOMATION_EVENT_REMOVE_COLLECTION_TAG: { values: ["EventTriggeringConditionType.REMOVE_COLLECTION_TAG"] },
  AUTOMATION_EVENT_UNLINK_ARTIFACT: { values: ["EventTriggeringConditionType.UNLINK_ARTIFACT"] },
  AUTOMATION_LAST_EXECUTED_AT: { fields: ["Trigger.lastExecutedAt"] },
  AUTOMATION_SCOPE_ENTITY: { values: ["TriggerScopeType.ENTITY"], members: ["TriggerScope.Entity"] },
  QUERY_AUTOMATIONS_ON_ENTITY: { fields: ["Entity.triggers"] },
  AUTOMATIONS_ON_ORGANIZATION: { fields: ["Organization.triggers"] },
};

/** The SDL without the parts of the features a server lacks. */
export function sdlFor(sdl: string, features: readonly AutomationFeature[]): DocumentNode {
  const doc = parse(sdl);
  const on = new Set<string>(features);
  const types = new Set<string>();
  const fields = new Set<string>();
  const values = new Set<string>();
  const members = new Set<string>();
  for (const f of AUTOMATION_FEATURES) {
    if (on.has(f)) continue;
    const p = PARTS[f];
    for (const t of p.types ?? []) types.add(t);
    for (const x of p.fields ?? []) fields.add(x);
    for (const v of p.values ?? []) values.add(v);
    for (const m of p.members ?? []) members.add(m);
  }
  if (types.size + fields.size + values.size + members.size === 0) return doc;
  const owner: string[] = [];
  const pruned = visit(doc, {
    enter(node) {
      if (node.kind === Kind.OBJECT_TYPE_DEFINITION || node.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || node.kind === Kind.ENUM_TYPE_DEFINITION || node.kind === Kind.UNION_TYPE_DEFINITION || node.kind === Kind.INTERFACE_TYPE_DEFINITION) {
        if (types.has(node.name.value)) return null;
        owner.push(node.name.value);
      }
      return undefined;
    },
    leave(node) {
      if (node.kind === Kind.OBJECT_TYPE_DEFINITION || node.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || node.kind === Kind.ENUM_TYPE_DEFINITION || node.kind === Kind.UNION_TYPE_DEFINITION || node.kind === Kind.INTERFACE_TYPE_DEFINITION) {
        owner.pop();
        if (node.kind === Kind.UNION_TYPE_DEFINITION) {
          return { ...node, types: (node.types ?? []).filter((t) => !members.has(`${node.name.value}.${t.name.value}`)) };
        }
      }
      const parent = owner[owner.length - 1];
      if ((node.kind === Kind.FIELD_DEFINITION || node.kind === Kind.INPUT_VALUE_DEFINITION) && fields.has(`${parent}.${node.name.value}`)) return null;
      if (node.kind === Kind.ENUM_VALUE_DEFINITION && values.has(`${parent}.${node.name.value}`)) return null;
      return undefined;
    },
  });
  // Re-parsed so locations and the printed form agree (buildASTSchema reads either).
  return parse(print(pruned));
}
