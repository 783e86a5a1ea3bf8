import { collectionKey, projectKey, type Catalog, type CatalogNeeds } from "../model/catalog.js";
import type { WandbClient } from "./client.js";
import { mapLimit } from "../model/limit.js";

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
