import * as z from "zod";
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
 * @example ProjectScopeSchema.parse(project("acme/llm").spec)
 */
export const ProjectScopeSchema = z
  .object({ type: z.literal("project"), entity: z.string(), project: z.string() })
  .strict();
/**
 * A registry scope.
 * @example RegistryScopeSchema.parse(registry("acme/model").spec)
 */
export const RegistryScopeSchema = z
  .object({ type: z.literal("registry"), org: z.string(), registry: z.string() })
  .strict();

/**
 * One collection of a project or registry.
 * @example CollectionScopeSchema.parse(registry("acme/model").collection("llm-7b").spec)
 */
export const CollectionScopeSchema = z
  .object({
    type: z.literal("collection"),
    parent: z.discriminatedUnion("type", [ProjectScopeSchema, RegistryScopeSchema]),
    collection: z.string(),
  })
  .strict();

/**
 * A project's collections matching a name filter.
 * @example CollectionsScopeSchema.parse(project("acme/llm").collections(collectionName.regex("^ckpt-")).spec)
 */
export const CollectionsScopeSchema = z
  .object({
    type: z.literal("collections"),
    parent: ProjectScopeSchema,
    filter: FilterExprSchema.optional(),
  })
  .strict();

/**
 * A team scope.
 * @example TeamScopeSchema.parse(team("acme-ml").spec)
 */
export const TeamScopeSchema = z.object({ type: z.literal("team"), team: z.string() }).strict();
/**
 * An organisation scope.
 * @example OrgScopeSchema.parse(org("acme").spec)
 */
export const OrgScopeSchema = z.object({ type: z.literal("org"), org: z.string() }).strict();

/**
 * Any scope.
 * @example ScopeSchema.parse(JSON.parse(text))
 */
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

/**
 * W&B's registry backing projects are named with this prefix.
 * @example `${REGISTRY_PREFIX}model` // "wandb-registry-model"
 */
export const REGISTRY_PREFIX = "wandb-registry-";

/**
 * A stable, human-readable key for a scope: names are unique per scope key.
 * @example scopeKey(project("acme/llm").spec) // "project:acme/llm"
 */
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

/**
 * How a scope reads in messages and plans: `project acme/llm`, `collection acme/llm:dataset`.
 * @example describeScope(registry("acme/model").collection("llm-7b").spec) // "registry collection acme/model:llm-7b"
 */
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

/**
 * The W&B entity a scope belongs to (integrations and secrets are looked up there).
 * @example scopeEntity(registry("acme/model").spec) // "acme"
 */
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
