/**
 * Artifact versions from the live backend, with the documents W&B's Python SDK sends (wandb/sdk/artifacts/
 * _generated/operations.py; facts: ../shared/spec/wandb-history-api.md §1.9): a project's artifact types
 * (`ProjectArtifactTypes`), each type's collections (`ProjectArtifactCollections`), and each collection's versions
 * (`ProjectArtifacts`, 50 per page, `filters` `{"state": "COMMITTED"}` as `Artifacts` defaults), every connection
 * paged by `pageInfo.endCursor` as W&B's paginator does.
 *
 * With a cache folder, each collection's versions are kept in `.tripwire/history` with the cursor the read ended
 * at, so the next backtest asks only for the versions after it (one request when none were added).
 *
 * What is exact: a version's `createdAt` is when it was created (W&B's CREATE_ARTIFACT). What is not: its aliases
 * and tags are the ones it holds now, with no time they were added or removed.
 */
import { ReconcilerError } from "../model/errors.js";
import type { Transport } from "../model/transport.js";
import { artifactCachePath, readCachedVersions, writeCachedVersions } from "./cache.js";

/** W&B's `ProjectArtifactTypes` (PROJECT_ARTIFACT_TYPES_GQL), as sent. */
export const PROJECT_ARTIFACT_TYPES_QUERY = `
query ProjectArtifactTypes($entityName: String!, $projectName: String!, $cursor: String) {
  project(name: $projectName, entityName: $entityName) {
    artifactTypes(after: $cursor) {
      ...ArtifactTypesFragment
    }
  }
}

fragment ArtifactTypeFragment on ArtifactType {
  __typename
  id
  name
  description
  createdAt
}

fragment ArtifactTypesFragment on ArtifactTypeConnection {
  edges {
    node {
      ...ArtifactTypeFragment
    }
    cursor
  }
  pageInfo {
    endCursor
    hasNextPage
  }
}
`;

/** W&B's `ProjectArtifactCollections` (PROJECT_ARTIFACT_COLLECTIONS_GQL), as sent. */
export const PROJECT_ARTIFACT_COLLECTIONS_QUERY = `
query ProjectArtifactCollections($entityName: String!, $projectName: String!, $artifactTypeName: String!, $cursor: String) {
  project(name: $projectName, entityName: $entityName) {
    artifactType(name: $artifactTypeName) {
      artifactCollections: artifactCollections(after: $cursor) {
        ...ArtifactCollectionsFragment
      }
    }
  }
}

fragment ArtifactCollectionsFragment on ArtifactCollectionConnection {
  pageInfo {
    endCursor
    hasNextPage
  }
  totalCount
  edges {
    node {
      __typename
      id
      name
      description
      createdAt
    }
    cursor
  }
}
`;

/** W&B's `ProjectArtifacts` (PROJECT_ARTIFACTS_GQL), as sent. */
export const PROJECT_ARTIFACTS_QUERY = `
query ProjectArtifacts($project: String!, $entity: String!, $type: String!, $collection: String!, $cursor: String, $perPage: Int = 50, $order: String, $filters: JSONString) {
  project(name: $project, entityName: $entity) {
    artifactType(name: $type) {
      artifactCollection: artifactCollection(name: $collection) {
        __typename
        name
        artifacts(filters: $filters, after: $cursor, first: $perPage, order: $order) {
          ...ArtifactsFragment
        }
      }
    }
  }
}

fragment ArtifactFragment on Artifact {
  ...ArtifactFragmentWithoutAliases
  aliases @include(if: true) {
    artifactCollection {
      __typename
      project {
        entityName
        name
      }
      name
    }
    alias
  }
}

fragment ArtifactFragmentWithoutAliases on Artifact {
  id
  artifactSequence {
    project {
      entityName
      name
    }
    name
  }
  versionIndex
  artifactType {
    name
  }
  description
  metadata
  ttlDurationSeconds @include(if: true)
  ttlIsInherited @include(if: true)
  tags @include(if: true) {
    name
  }
  historyStep @include(if: true)
  state
  currentManifest {
    file {
      directUrl
    }
  }
  commitHash
  fileCount
  createdAt
  updatedAt
}

fragment ArtifactsFragment on VersionedArtifactConnection {
  totalCount
  edges {
    node {
      ...ArtifactFragment
    }
    version
    cursor
  }
  pageInfo {
    endCursor
    hasNextPage
  }
}
`;

/** Versions per `ProjectArtifacts` page (W&B's `$perPage` default). */
export const ARTIFACTS_PER_PAGE = 50;

/** One version of a project's collection, as the listing gives it. */
export interface LiveArtifactVersion {
  readonly entity: string;
  readonly project: string;
  readonly type: string;
  readonly collection: string;
  readonly version: number;
  readonly id: string;
  /** Epoch ms (UTC): when the version was created. */
  readonly createdAt: number;
  /** The aliases and tags it holds now (not when it was created). */
  readonly aliases: readonly string[];
  readonly tags: readonly string[];
  readonly metadata: Record<string, unknown> | undefined;
}

interface Page<N> {
  edges: { node: N | null; cursor?: string; version?: string }[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

async function query<T>(transport: Transport, document: string, variables: Record<string, unknown>, what: string): Promise<T> {
  const res = await transport.request<T>({ query: document, variables });
  if (res.errors && res.errors.length > 0) throw new ReconcilerError("TW4010", `${what}: the backend answered: ${res.errors.map((e) => e.message).join("; ")}`, { status: res.status });
  if (res.data === null || res.data === undefined) throw new ReconcilerError("TW4010", `${what}: the backend answered HTTP ${res.status} without data`, { status: res.status });
  return res.data;
}

/** Reads every page of a connection; `undefined` when the first page's parent is missing. */
async function pages<N>(read: (cursor: string | null) => Promise<Page<N> | null | undefined>, start: string | null = null): Promise<N[] | undefined> {
  const out: N[] = [];
  let cursor: string | null = start;
  for (;;) {
    const page: Page<N> | null | undefined = await read(cursor);
    if (page === null || page === undefined) return cursor === start ? undefined : out;
    for (const e of page.edges) if (e.node !== null) out.push(e.node);
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return out;
    cursor = page.pageInfo.endCursor;
  }
}

const parseTime = (v: unknown): number => (typeof v === "string" ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`) : Number.NaN);

type VersionNode = { id: string; versionIndex: number | null; createdAt: string; metadata: string | null; tags: { name: string }[] | null; aliases: { alias: string }[] | null };

/** A listed version as the backtest reads it (none for a version without an index). */
function versionOf(v: VersionNode, entity: string, project: string, type: string, collection: string): LiveArtifactVersion[] {
  if (v.versionIndex === null) return [];
  let metadata: Record<string, unknown> | undefined;
  if (typeof v.metadata === "string" && v.metadata !== "") {
    const parsed = JSON.parse(v.metadata) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
  }
  return [
    {
      entity,
      project,
      type,
      collection,
      version: v.versionIndex,
      id: v.id,
      createdAt: parseTime(v.createdAt),
      aliases: (v.aliases ?? []).map((a) => a.alias),
      tags: (v.tags ?? []).map((t) => t.name),
      metadata,
    },
  ];
}

/** Items per page of the listings sent without `perPage` (types, collections): W&B's paginator default. */
const DEFAULT_PAGE = 50;
const pagesFor = (n: number, per: number) => Math.max(1, Math.ceil(n / per));

/**
 * The versions of a project's own collections (`ArtifactSequence`s; a portfolio's versions are links, whose
 * `createdAt` is the linked version's, not the link's), ordered by creation. `collections`, when given, keeps only
 * those names. `versions` is undefined when the project does not exist; `minimumRequests` is the fewest requests the
 * API's page sizes allow for the same listing.
 */
export async function listArtifactVersions(
  transport: Transport,
  entity: string,
  project: string,
  collections?: ReadonlySet<string>,
  cacheDir?: string,
): Promise<{ versions: LiveArtifactVersion[] | undefined; minimumRequests: number }> {
  const where = `${entity}/${project}`;
  type Types = { project: { artifactTypes: Page<{ name: string }> | null } | null };
  const types = await pages<{ name: string }>(async (cursor) => {
    const data = await query<Types>(transport, PROJECT_ARTIFACT_TYPES_QUERY, { entityName: entity, projectName: project, cursor }, `listing the artifact types of ${where}`);
    if (data.project === null) return null;
    return data.project.artifactTypes ?? { edges: [], pageInfo: { endCursor: null, hasNextPage: false } };
  });
  if (types === undefined) return { versions: undefined, minimumRequests: 1 };
  let minimum = pagesFor(types.length, DEFAULT_PAGE);
  const out: LiveArtifactVersion[] = [];
  for (const { name: type } of types) {
    type Collections = { project: { artifactType: { artifactCollections: Page<{ __typename: string; name: string }> | null } | null } | null };
    const found =
      (await pages<{ __typename: string; name: string }>(async (cursor) => {
        const data = await query<Collections>(transport, PROJECT_ARTIFACT_COLLECTIONS_QUERY, { entityName: entity, projectName: project, artifactTypeName: type, cursor }, `listing the ${type} collections of ${where}`);
        return data.project?.artifactType?.artifactCollections ?? { edges: [], pageInfo: { endCursor: null, hasNextPage: false } };
      })) ?? [];
    minimum += pagesFor(found.length, DEFAULT_PAGE);
    for (const c of found) {
      if (c.__typename === "ArtifactPortfolio") continue;
      if (collections !== undefined && !collections.has(c.name)) continue;
      type Versions = { project: { artifactType: { artifactCollection: { artifacts: (Page<VersionNode> & { totalCount?: number | null }) | null } | null } | null } | null };
      let total: number | undefined;
      let endCursor: string | null = null;
      const read = (start: string | null) =>
        pages<VersionNode>(async (cursor) => {
          const data = await query<Versions>(
            transport,
            PROJECT_ARTIFACTS_QUERY,
            { project, entity, type, collection: c.name, cursor, perPage: ARTIFACTS_PER_PAGE, order: null, filters: JSON.stringify({ state: "COMMITTED" }) },
            `listing the versions of ${where}/${c.name}`,
          );
          const conn = data.project?.artifactType?.artifactCollection?.artifacts;
          if (typeof conn?.totalCount === "number") total = conn.totalCount;
          endCursor = conn?.pageInfo.endCursor ?? endCursor;
          return conn ?? { edges: [], pageInfo: { endCursor: null, hasNextPage: false } };
        }, start);
      // Versions are only added (oldest first, and a created version keeps its creation time): a cached collection
      // is read on from the cursor its last read ended at, and read whole again only when the count says a version
      // went away (deleted, so no longer committed) or the cache holds none.
      const path = cacheDir === undefined ? undefined : artifactCachePath(cacheDir, entity, project, type, c.name);
      const cached = path === undefined ? undefined : readCachedVersions(path);
      let versions: LiveArtifactVersion[];
      if (cached !== undefined) {
        endCursor = cached.endCursor;
        const added = ((await read(cached.endCursor)) ?? []).flatMap((v) => versionOf(v, entity, project, type, c.name));
        if (total === undefined || total === cached.versions.length + added.length) {
          minimum += pagesFor(added.length, ARTIFACTS_PER_PAGE);
          versions = cached.versions.concat(added);
        } else {
          endCursor = null;
          versions = ((await read(null)) ?? []).flatMap((v) => versionOf(v, entity, project, type, c.name));
          minimum += pagesFor(versions.length, ARTIFACTS_PER_PAGE);
        }
      } else {
        versions = ((await read(null)) ?? []).flatMap((v) => versionOf(v, entity, project, type, c.name));
        minimum += pagesFor(versions.length, ARTIFACTS_PER_PAGE);
      }
      if (path !== undefined && endCursor !== null) writeCachedVersions(path, { endCursor, versions });
      out.push(...versions);
    }
  }
  out.sort((a, b) => a.createdAt - b.createdAt || a.collection.localeCompare(b.collection) || a.version - b.version);
  return { versions: out, minimumRequests: minimum };
}
