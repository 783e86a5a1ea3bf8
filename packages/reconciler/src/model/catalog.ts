// The catalog: the live IDs the definitions' names resolve to, the lookups gathered to read them, and the keys both
// are filed under (the resolver, apply and the reader all find an entry by the same key).
import { REGISTRY_PREFIX, scopeEntity, type AutomationSpec, type Scope } from "@tripwire/sdk";
import type { Prerequisite } from "./plan.js";

/** What the backend answers for an entity, a project, a collection, an integration. */
export interface EntityRef {
  readonly id: string;
  readonly name: string;
  readonly entityType: string;
}
export interface ProjectRef {
  readonly id: string;
  readonly name: string;
  readonly entityName: string;
}
export interface CollectionRef {
  readonly __typename: "ArtifactSequence" | "ArtifactPortfolio";
  readonly id: string;
  readonly name: string;
}
export interface IntegrationRef {
  readonly __typename: string;
  readonly id: string;
  readonly name?: string;
  readonly channelName?: string;
  readonly teamName?: string | null;
  readonly urlEndpoint?: string | null;
}

/** Names the definitions mention, resolved to live IDs (null: does not exist). Plain JSON. */
export interface Catalog {
  readonly features: readonly string[];
  readonly entities: Readonly<Record<string, EntityRef | null>>;
  /** By `entity/project` (registries as their `wandb-registry-<name>` projects). */
  readonly projects: Readonly<Record<string, ProjectRef | null>>;
  /** By `entity/project:collection`. */
  readonly collections: Readonly<Record<string, CollectionRef | null>>;
  /** Every collection of a project, for collection filters; by `entity/project`. */
  readonly collectionLists: Readonly<Record<string, readonly CollectionRef[] | null>>;
  /** By entity. */
  readonly integrations: Readonly<Record<string, readonly IntegrationRef[]>>;
}

/** The W&B project backing a project or registry scope. */
export function projectOf(scope: Extract<Scope, { type: "project" | "registry" }>): { entity: string; project: string } {
  return scope.type === "project" ? { entity: scope.entity, project: scope.project } : { entity: scope.org, project: `${REGISTRY_PREFIX}${scope.registry}` };
}

export const projectKey = (p: { entity: string; project: string }) => `${p.entity}/${p.project}`;
export const collectionKey = (p: { entity: string; project: string }, collection: string) => `${p.entity}/${p.project}:${collection}`;

/** The entity an action's integration is looked up in. */
export function integrationEntity(spec: AutomationSpec): string | undefined {
  const a = spec.action;
  if (a.type !== "notification" && a.type !== "webhook") return undefined;
  return a.integration.entity ?? scopeEntity(spec.scope);
}

/** Everything the definitions need looked up, gathered first so each lookup is made once. Plain JSON. */
export interface CatalogNeeds {
  readonly entities: readonly string[];
  readonly projects: readonly { entity: string; project: string }[];
  readonly collections: readonly { entity: string; project: string; collection: string }[];
  /** Projects whose collections are listed (collection filters). */
  readonly lists: readonly { entity: string; project: string }[];
  /** Entities whose integrations are listed. */
  readonly integrations: readonly string[];
}

export function catalogNeeds(specs: readonly AutomationSpec[]): CatalogNeeds {
  const entities = new Set<string>();
  const projects = new Map<string, { entity: string; project: string }>();
  const collections = new Map<string, { entity: string; project: string; collection: string }>();
  const lists = new Map<string, { entity: string; project: string }>();
  const integrations = new Set<string>();
  for (const spec of specs) {
    const s = spec.scope;
    if (s.type === "project" || s.type === "registry") projects.set(projectKey(projectOf(s)), projectOf(s));
    else if (s.type === "collection") {
      const p = projectOf(s.parent);
      projects.set(projectKey(p), p);
      collections.set(collectionKey(p, s.collection), { ...p, collection: s.collection });
    } else if (s.type === "collections") {
      const p = projectOf(s.parent);
      projects.set(projectKey(p), p);
      lists.set(projectKey(p), p);
    }
    entities.add(scopeEntity(s));
    const ie = integrationEntity(spec);
    if (ie) integrations.add(ie);
  }
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  return {
    entities: [...entities].sort(),
    projects: byKey(projects),
    collections: byKey(collections),
    lists: byKey(lists),
    integrations: [...integrations].sort(),
  };
}

/** Whether a listed integration is the one a definition names (Slack by channel, without `#`; a webhook by name). */
export function integrationMatches(ref: IntegrationRef, kind: "slack" | "webhook", name: string): boolean {
  return kind === "slack" ? ref.__typename === "SlackIntegration" && ref.channelName?.replace(/^#/, "") === name : ref.__typename === "GenericWebhookIntegration" && ref.name === name;
}

/** The key of the thing a scope lives in (an entity, project or collection), as a prerequisite creating it is filed. */
export function scopeLookupKey(scope: Scope): string {
  switch (scope.type) {
    case "team":
      return `entity:${scope.team}`;
    case "org":
      return `entity:${scope.org}`;
    case "project":
    case "registry":
      return `project:${projectKey(projectOf(scope))}`;
    case "collection":
      return `collection:${collectionKey(projectOf(scope.parent), scope.collection)}`;
    case "collections":
      return `collections:${projectKey(projectOf(scope.parent))}`;
  }
}

/** The key of the integration a definition's action posts through, if any. */
export function integrationLookupKey(spec: AutomationSpec): string | undefined {
  const a = spec.action;
  if (a.type !== "notification" && a.type !== "webhook") return undefined;
  return `${a.integration.kind}:${integrationEntity(spec)}/${a.integration.name}`;
}

/** The W&B project a project or registry prerequisite creates. */
export function prerequisiteProject(p: Prerequisite): { entity: string; project: string } {
  return { entity: p.entity, project: p.kind === "registry" ? `${REGISTRY_PREFIX}${p.name}` : p.name };
}

/** The key of what a prerequisite creates, the same as {@link scopeLookupKey} / {@link integrationLookupKey} give. */
export function prerequisiteKey(p: Prerequisite): string {
  switch (p.kind) {
    case "entity":
      return `entity:${p.name}`;
    case "project":
    case "registry":
      return `project:${projectKey(prerequisiteProject(p))}`;
    case "collection":
      return `collection:${collectionKey({ entity: p.entity, project: p.parent ?? "" }, p.name)}`;
    case "secret":
      return `secret:${p.entity}/${p.name}`;
    case "slack":
    case "webhook":
      return `${p.kind}:${p.entity}/${p.name}`;
  }
}
