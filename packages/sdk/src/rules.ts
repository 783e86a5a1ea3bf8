import type { EventType } from "./model/event.js";
import type { FilterField } from "./model/filter.js";
import type { ScopeType } from "./model/scope.js";

/**
 * Scopes that name artifact collections rather than a project or an entity.
 * @example COLLECTION_SCOPES.includes(spec.scope.type)
 */
export const COLLECTION_SCOPES: readonly ScopeType[] = ["collection", "collections"];

/**
 * Which events each scope accepts — exactly W&B's rules (spec §A.3): a new version is only created inside
 * a collection, and run events need a project-like or entity scope (W&B refuses them on a collection).
 * @example scopeAllowsEvent("project", "createArtifact") // false
 */
export function scopeAllowsEvent(scope: ScopeType, event: EventType): boolean {
  const onCollection = COLLECTION_SCOPES.includes(scope);
  if (event === "createArtifact") return onCollection;
  if (event === "runState" || event.startsWith("runMetric")) return !onCollection;
  return true;
}

/**
 * Why a scope × event pair is refused, in the words a user needs.
 * @example scopeEventMessage("collection", "runState")
 */
export function scopeEventMessage(scope: ScopeType, event: EventType): string {
  if (event === "createArtifact") {
    return `a new artifact version is only created inside a collection: use project(...).collection(name), registry(...).collection(name) or project(...).collections(filter), not a ${scope} scope`;
  }
  return `run events (${event}) need a project, registry, team or org scope; W&B refuses them on a ${scope === "collections" ? "collection filter" : "collection"} scope`;
}

/**
 * Filter fields each event understands (spec §B.2): aliases for version events, tags for tag events.
 * @example fieldsForEvent("addArtifactTag") // ["tag"]
 */
export function fieldsForEvent(event: EventType): readonly FilterField[] {
  switch (event) {
    case "createArtifact":
    case "linkArtifact":
    case "unlinkArtifact":
    case "addArtifactAlias":
      return ["alias"];
    case "addArtifactTag":
    case "removeArtifactTag":
    case "addCollectionTag":
    case "removeCollectionTag":
      return ["tag"];
    case "runState":
    case "runMetricThreshold":
    case "runMetricChange":
    case "runMetricZScore":
      return ["runName", "runUser"];
  }
}
