/**
 * Scope containment (spec §A.2, §D.1): where an event happened, and whether an automation's scope sees it.
 *
 * A location is a project or a registry of an entity, optionally narrowed to one collection. Registries are
 * W&B projects named `wandb-registry-<name>` in the org's entity; a run event in such a project is a registry
 * location. Teams contain the projects (and registries) of their entity; an organisation contains its own
 * entity and every entity `orgOf` maps to it.
 */
import { REGISTRY_PREFIX, type Scope } from "@tripwire/sdk";
import type { Predicate } from "./filter.js";

export interface Location {
  readonly entity: string;
  /** Project name, or registry name without the `wandb-registry-` prefix. */
  readonly name: string;
  readonly registry: boolean;
  /** The org `entity` belongs to (`orgOf(entity)`), when known. */
  readonly org: string | undefined;
}

/** Maps an entity (team or user) to its organisation's entity: a function or a plain table. */
export type OrgOf = ((entity: string) => string | undefined) | Readonly<Record<string, string>>;

export function resolveOrg(orgOf: OrgOf | undefined, entity: string): string | undefined {
  if (orgOf === undefined) return undefined;
  if (typeof orgOf === "function") return orgOf(entity);
  return Object.hasOwn(orgOf, entity) ? orgOf[entity] : undefined;
}

/**
 * The location of a project named in an event (a `wandb-registry-` project is its registry).
 * @example projectLocation("acme", "wandb-registry-model", undefined) // { entity: "acme", name: "model", registry: true, org: undefined }
 */
export function projectLocation(entity: string, project: string, orgOf: OrgOf | undefined): Location {
  const registry = project.startsWith(REGISTRY_PREFIX) && project.length > REGISTRY_PREFIX.length;
  return { entity, name: registry ? project.slice(REGISTRY_PREFIX.length) : project, registry, org: resolveOrg(orgOf, entity) };
}

/**
 * The location of an artifact or collection event (`project` xor `registry`).
 * @example artifactLocation({ entity: "acme", registry: "model" }, { acme: "bigco" }) // { entity: "acme", name: "model", registry: true, org: "bigco" }
 */
export function artifactLocation(event: { entity: string; project?: string; registry?: string }, orgOf: OrgOf | undefined): Location {
  if (event.registry !== undefined) return { entity: event.entity, name: event.registry, registry: true, org: resolveOrg(orgOf, event.entity) };
  return projectLocation(event.entity, event.project ?? "", orgOf);
}

function inEntity(loc: Location, entity: string): boolean {
  return loc.entity === entity;
}

/**
 * Whether `scope` contains a location, ignoring the collection (project, registry, team and org scopes), and
 * for collection scopes whether it contains the location's `collection`. `collectionFilter` is the compiled
 * `collections(filter)` predicate.
 * @example scopeContains({ type: "team", team: "acme" }, projectLocation("acme", "llm", undefined), undefined) // true
 */
export function scopeContains(scope: Scope, loc: Location, collection: string | undefined, collectionFilter?: Predicate): boolean {
  switch (scope.type) {
    case "project":
      return !loc.registry && inEntity(loc, scope.entity) && loc.name === scope.project;
    case "registry":
      return loc.registry && inEntity(loc, scope.org) && loc.name === scope.registry;
    case "collection":
      return collection !== undefined && collection === scope.collection && scopeContains(scope.parent, loc, undefined);
    case "collections":
      return (
        collection !== undefined &&
        scopeContains(scope.parent, loc, undefined) &&
        (collectionFilter === undefined || collectionFilter({ collectionName: [collection] }))
      );
    case "team":
      return inEntity(loc, scope.team);
    case "org":
      return inEntity(loc, scope.org) || loc.org === scope.org;
  }
}
