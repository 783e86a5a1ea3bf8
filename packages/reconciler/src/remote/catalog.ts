import { REGISTRY_PREFIX, scopeEntity, type AutomationSpec, type Scope } from "@tripwire/sdk";
import type { CollectionRef, EntityRef, IntegrationRef, ProjectRef, WandbClient } from "./client.js";
import { mapLimit } from "./limit.js";

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

/** Looks up every name in `needs` (bounded concurrency), and the server's features. */
export async function readCatalog(client: WandbClient, needs: CatalogNeeds, parallelism: number): Promise<Catalog> {
  const [features, entities, projects, collections, collectionLists, integrations] = await Promise.all([
    client.features(),
    mapLimit(needs.entities, parallelism, async (e) => [e, await client.entity(e)] as const),
    mapLimit(needs.projects, parallelism, async (p) => [projectKey(p), await client.project(p.entity, p.project)] as const),
    mapLimit(needs.collections, parallelism, async (c) => [collectionKey(c, c.collection), await client.collection(c.entity, c.project, c.collection)] as const),
    mapLimit(needs.lists, parallelism, async (p) => [projectKey(p), await client.collections(p.entity, p.project)] as const),
    mapLimit(needs.integrations, parallelism, async (e) => [e, await client.integrations(e)] as const),
  ]);
  return {
    features: [...features].sort(),
    entities: Object.fromEntries(entities),
    projects: Object.fromEntries(projects),
    collections: Object.fromEntries(collections),
    collectionLists: Object.fromEntries(collectionLists),
    integrations: Object.fromEntries(integrations),
  };
}
