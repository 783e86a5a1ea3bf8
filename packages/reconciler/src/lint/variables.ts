import { METADATA_PREFIX, TEMPLATE_VARIABLES, type EventType, type TemplateVariable } from "@tripwire/sdk";

/**
 * Which `${…}` variables W&B fills for each event type (spec §E.2: "a template variable that doesn't apply to the
 * event resolves to an empty string"); the evaluator's `templateVariables` renders the same. `metadata` says
 * whether `${artifact_metadata.<KEY>}` can have a value (an artifact version is involved).
 */
const EVERY = ["automation_name", "event_type", "event_author", "entity_name", "project_name"] as const;
const VERSION = ["artifact_collection_name", "artifact_version", "artifact_version_string", "artifact_version_index"] as const;
const METRIC = ["run_name", "metric_name", "metric_values", "metric_filter", "metric_filter_short", "metric_current_status"] as const;

const FILLED: Record<EventType, { readonly vars: readonly TemplateVariable[]; readonly metadata: boolean }> = {
  createArtifact: { vars: [...EVERY, ...VERSION], metadata: true },
  linkArtifact: { vars: [...EVERY, ...VERSION], metadata: true },
  unlinkArtifact: { vars: [...EVERY, ...VERSION], metadata: true },
  addArtifactAlias: { vars: [...EVERY, ...VERSION, "alias"], metadata: true },
  addArtifactTag: { vars: [...EVERY, ...VERSION, "tag"], metadata: true },
  removeArtifactTag: { vars: [...EVERY, ...VERSION, "tag"], metadata: true },
  addCollectionTag: { vars: [...EVERY, "artifact_collection_name", "tag"], metadata: false },
  removeCollectionTag: { vars: [...EVERY, "artifact_collection_name", "tag"], metadata: false },
  runState: { vars: [...EVERY, "run_name", "run_status"], metadata: false },
  runMetricThreshold: { vars: [...EVERY, ...METRIC], metadata: false },
  runMetricChange: { vars: [...EVERY, ...METRIC], metadata: false },
  runMetricZScore: { vars: [...EVERY, ...METRIC], metadata: false },
};

/** Whether W&B gives placeholder `name` (a variable or a metadata key) a value for this event type. */
export function eventFills(type: EventType, name: string): boolean {
  const filled = FILLED[type];
  if (name.startsWith(METADATA_PREFIX)) return filled.metadata;
  return (filled.vars as readonly string[]).includes(name);
}

/** The event types that do fill a variable, for the message that says where it would have a value. */
export function eventsFilling(name: string): EventType[] {
  return (Object.keys(FILLED) as EventType[]).filter((t) => eventFills(t, name));
}

/** A W&B variable that `name` is probably a misspelling of (case, or at most two edits), if any. */
export function likelyVariable(name: string): TemplateVariable | undefined {
  const lower = name.toLowerCase();
  let best: { v: TemplateVariable; d: number } | undefined;
  for (const v of TEMPLATE_VARIABLES) {
    const d = editDistance(lower, v);
    if (d <= 2 && (best === undefined || d < best.d)) best = { v, d };
  }
  return best?.v;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}
