import { brand, type Branded } from "../brand.js";
import type { CollectionFilter } from "../model/filter.js";
import type { CollectionScope, CollectionsScope, OrgScope, ProjectScope, RegistryScope, Scope, ScopeType, TeamScope } from "../model/scope.js";
import { compact, deepFreeze } from "./util.js";

/** A scope value: where an automation listens. Build one with `project`, `registry`, `team` or `org`. */
export interface ScopeRef<K extends ScopeType = ScopeType, S extends Scope = Scope> extends Branded<"scope"> {
  readonly kind: K;
  readonly spec: S;
  toJSON(): S;
}

export interface ProjectRef extends ScopeRef<"project", ProjectScope> {
  /**
   * One artifact collection of the project.
   * @example project("acme/llm").collection("dataset")
   */
  collection(name: string): ScopeRef<"collection", CollectionScope>;
  /**
   * The project's "collection level": every collection whose name matches `filter` (all of them without one).
   * Resolved at plan time into one automation per matching collection.
   * @example project("acme/llm").collections(collectionName.regex("^ckpt-"))
   */
  collections(filter?: CollectionFilter): ScopeRef<"collections", CollectionsScope>;
}

export interface RegistryRef extends ScopeRef<"registry", RegistryScope> {
  /**
   * One collection of the registry.
   * @example registry("acme/model").collection("llm-7b")
   */
  collection(name: string): ScopeRef<"collection", CollectionScope>;
}

function makeRef<K extends ScopeType, S extends Scope, X extends object>(kind: K, spec: S, extra: X): ScopeRef<K, S> & X {
  const frozen = deepFreeze(spec);
  return Object.freeze(brand("scope", { kind, spec: frozen, toJSON: () => frozen, ...extra }));
}

function split(path: string): [string, string] {
  const i = path.indexOf("/");
  return i < 0 ? [path, ""] : [path.slice(0, i), path.slice(i + 1)];
}

/**
 * A W&B project: every run of it and every collection in it, including collections created later.
 * @example
 * const llm = project("acme/llm-pretrain");
 * automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());
 */
export function project(path: `${string}/${string}`): ProjectRef;
export function project(entity: string, name: string): ProjectRef;
export function project(pathOrEntity: string, name?: string): ProjectRef {
  const [entity, projectName] = name === undefined ? split(pathOrEntity) : [pathOrEntity, name];
  const spec: ProjectScope = { type: "project", entity, project: projectName };
  return makeRef("project", spec, {
    collection: (collection: string) =>
      makeRef("collection", { type: "collection", parent: spec, collection } satisfies CollectionScope, {}),
    collections: (filter?: CollectionFilter) =>
      makeRef("collections", compact({ type: "collections", parent: spec, filter }) as CollectionsScope, {}),
  });
}

/**
 * A W&B registry of an organisation (`org/name`; W&B stores it as project `wandb-registry-<name>`).
 * Registry automations see only versions linked into it, in every collection including future ones.
 * @example registry("acme/model").collection("llm-7b")
 */
export function registry(path: `${string}/${string}`): RegistryRef;
export function registry(org: string, name: string): RegistryRef;
export function registry(pathOrOrg: string, name?: string): RegistryRef {
  const [org, registryName] = name === undefined ? split(pathOrOrg) : [pathOrOrg, name];
  const spec: RegistryScope = { type: "registry", org, registry: registryName };
  return makeRef("registry", spec, {
    collection: (collection: string) =>
      makeRef("collection", { type: "collection", parent: spec, collection } satisfies CollectionScope, {}),
  });
}

/**
 * A W&B team: every project and registry it contains.
 * @example automation("team-alias").in(team("acme-ml")).on(onAddArtifactAlias(alias.eq("production"))).do(doNothing())
 */
export function team(name: string): ScopeRef<"team", TeamScope> {
  return makeRef("team", { type: "team", team: name } satisfies TeamScope, {});
}

/**
 * A W&B organisation (by its entity name): every team, project and registry in it.
 * @example automation("org-alias").in(org("acme")).on(onAddArtifactAlias(alias.eq("production"))).do(doNothing())
 */
export function org(name: string): ScopeRef<"org", OrgScope> {
  return makeRef("org", { type: "org", org: name } satisfies OrgScope, {});
}
