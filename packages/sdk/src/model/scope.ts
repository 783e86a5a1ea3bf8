import { z } from "zod";
import { FilterExprSchema, type CollectionFilter } from "./filter.js";

/**
 * Where an automation listens (spec §A.2).
 *
 * - `project`: every collection and run of `entity/project`, including future collections.
 * - `registry`: every collection of the registry `org/registry` (W&B stores it as project
 *   `wandb-registry-<registry>` of the org's entity), including future ones; only linked versions.
 * - `collection`: one artifact collection of a project (W&B `ArtifactSequence`) or of a registry
 *   (`ArtifactPortfolio`).
 * - `collections`: the W&B UI's project "collection level": every collection of a project whose name
 *   matches `filter`. W&B's wire has no documented shape for a collection-name condition, so Tripwire
 *   resolves it at plan time into one collection-scoped automation per matching collection (same name,
 *   names are unique per scope); a collection created later is covered by the next apply, and the nightly
 *   drift check (`plan --detailed-exitcode`) reports it. The evaluator matches the filter directly.
 * - `team`, `org`: W&B `ENTITY` scopes (team entity, organization entity).
 */
export const ProjectScopeSchema = z
  .object({ type: z.literal("project"), entity: z.string(), project: z.string() })
  .strict();
export const RegistryScopeSchema = z
  .object({ type: z.literal("registry"), org: z.string(), registry: z.string() })
  .strict();

export const CollectionScopeSchema = z
  .object({
    type: z.literal("collection"),
    parent: z.discriminatedUnion("type", [ProjectScopeSchema, RegistryScopeSchema]),
    collection: z.string(),
  })
  .strict();

export const CollectionsScopeSchema = z
  .object({
    type: z.literal("collections"),
    parent: ProjectScopeSchema,
    filter: FilterExprSchema.optional(),
  })
  .strict();

export const TeamScopeSchema = z.object({ type: z.literal("team"), team: z.string() }).strict();
export const OrgScopeSchema = z.object({ type: z.literal("org"), org: z.string() }).strict();

export const ScopeSchema = z.discriminatedUnion("type", [
  ProjectScopeSchema,
  RegistryScopeSchema,
  CollectionScopeSchema,
  CollectionsScopeSchema,
  TeamScopeSchema,
  OrgScopeSchema,
]);

export type ProjectScope = z.infer<typeof ProjectScopeSchema>;
export type RegistryScope = z.infer<typeof RegistryScopeSchema>;
export type CollectionScope = z.infer<typeof CollectionScopeSchema>;
export type CollectionsScope = Omit<z.infer<typeof CollectionsScopeSchema>, "filter"> & {
  filter?: CollectionFilter;
};
export type TeamScope = z.infer<typeof TeamScopeSchema>;
export type OrgScope = z.infer<typeof OrgScopeSchema>;
export type Scope = ProjectScope | RegistryScope | CollectionScope | CollectionsScope | TeamScope | OrgScope;
export type ScopeType = Scope["type"];

/** W&B's registry backing projects are named with this prefix. */
export const REGISTRY_PREFIX = "wandb-registry-";

/** A stable, human-readable key for a scope: names are unique per scope key. */
export function scopeKey(scope: Scope): string {
  switch (scope.type) {
    case "project":
      return `project:${scope.entity}/${scope.project}`;
    case "registry":
      return `registry:${scope.org}/${scope.registry}`;
    case "collection":
      return `collection:${scopeKey(scope.parent)}:${scope.collection}`;
    case "collections":
      return `collections:${scope.parent.entity}/${scope.parent.project}`;
    case "team":
      return `team:${scope.team}`;
    case "org":
      return `org:${scope.org}`;
  }
}

/** How a scope reads in messages and plans: `project acme/llm`, `collection acme/llm:dataset`. */
export function describeScope(scope: Scope): string {
  switch (scope.type) {
    case "project":
      return `project ${scope.entity}/${scope.project}`;
    case "registry":
      return `registry ${scope.org}/${scope.registry}`;
    case "collection": {
      const p = scope.parent;
      const parent = p.type === "project" ? `${p.entity}/${p.project}` : `${p.org}/${p.registry}`;
      return `${p.type === "registry" ? "registry collection" : "collection"} ${parent}:${scope.collection}`;
    }
    case "collections":
      return `collections of project ${scope.parent.entity}/${scope.parent.project}`;
    case "team":
      return `team ${scope.team}`;
    case "org":
      return `org ${scope.org}`;
  }
}

/** The W&B entity a scope belongs to (integrations and secrets are looked up there). */
export function scopeEntity(scope: Scope): string {
  switch (scope.type) {
    case "project":
      return scope.entity;
    case "registry":
      return scope.org;
    case "collection":
      return scopeEntity(scope.parent);
    case "collections":
      return scope.parent.entity;
    case "team":
      return scope.team;
    case "org":
      return scope.org;
  }
}
