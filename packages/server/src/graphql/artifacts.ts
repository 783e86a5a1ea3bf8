/**
 * W&B's artifact listing queries (`ProjectArtifactTypes`, `ProjectArtifactCollections`, `ProjectArtifacts`), answered
 * from the server's event log: a project collection's versions are its `artifact.created` events (the version's
 * `createdAt` is the event's time), with the aliases and tags they hold now — as W&B's API gives them, the current
 * ones only (an alias moves to the version it is added to last; tags are added and removed).
 *
 * This server records no artifact types: every collection of a project is under one type, `ARTIFACT_TYPE`.
 * Registry collections (links) are not listed here.
 */
import { parseTimestamp, type ArtifactEvent, type TripwireEvent } from "@tripwire/evaluator";
import { gqlError } from "../errors.js";
import type { CollectionRecord, ProjectRecord } from "../store/types.js";
import { connection, pageArgs, pageOf } from "./connection.js";
import type { GraphQLContext } from "./context.js";
import { EventLogIndex, perStore } from "./log-index.js";

/** The one artifact type this server answers (it records none). */
export const ARTIFACT_TYPE = "artifact";

interface Version {
  readonly index: number;
  readonly id: string;
  readonly createdAt: number;
  readonly metadata: string | null;
  readonly aliases: Set<string>;
  readonly tags: Set<string>;
}

/** The versions of every project collection seen in the log, by `projectId\0collection`. */
class ArtifactIndex extends EventLogIndex {
  readonly collections = new Map<string, Map<number, Version>>();

  protected add(e: TripwireEvent): void {
    if (!e.type.startsWith("artifact.")) return;
    const a = e as ArtifactEvent;
    if (a.project === undefined) return;
    const projectId = this.projectId(a.entity, a.project);
    if (projectId === undefined) return;
    const key = `${projectId}\u0000${a.collection}`;
    let versions = this.collections.get(key);
    if (versions === undefined) this.collections.set(key, (versions = new Map()));
    if (a.type === "artifact.created") {
      if (versions.has(a.version)) return;
      versions.set(a.version, {
        index: a.version,
        id: a.artifactId ?? Buffer.from(`Artifact:${projectId}:${a.collection}:${a.version}`, "utf8").toString("base64"),
        createdAt: parseTimestamp(a.timestamp),
        metadata: a.metadata === undefined ? null : JSON.stringify(a.metadata),
        aliases: new Set(a.aliases ?? []),
        tags: new Set(a.tags ?? []),
      });
      // An alias names one version of a collection: a new version's aliases leave the others.
      for (const alias of a.aliases ?? []) for (const v of versions.values()) if (v.index !== a.version) v.aliases.delete(alias);
      return;
    }
    const v = versions.get(a.version);
    if (v === undefined) return;
    if (a.type === "artifact.alias_added" && a.alias !== undefined) {
      for (const other of versions.values()) other.aliases.delete(a.alias);
      v.aliases.add(a.alias);
    } else if (a.type === "artifact.tag_added" && a.tag !== undefined) v.tags.add(a.tag);
    else if (a.type === "artifact.tag_removed" && a.tag !== undefined) v.tags.delete(a.tag);
  }
}

const indexOf = perStore((store) => new ArtifactIndex(store));

const iso = (ms: number) => new Date(ms).toISOString();

/** Every collection of a project, sequences (its own) only: the ones `artifactType.artifactCollections` lists. */
function sequencesOf(ctx: GraphQLContext, p: ProjectRecord): CollectionRecord[] {
  const out: CollectionRecord[] = [];
  let after = 0;
  for (;;) {
    const page = ctx.store.listCollections(p.id, { after, limit: 1000 });
    out.push(...page.items.filter((c) => c.kind === "sequence"));
    if (!page.hasNextPage) return out;
    after = page.items.at(-1)?.id ?? after;
  }
}

/** The artifact fields of `Project`: `artifactTypes`, `artifactType(name)`. */
export function projectArtifactFields(ctx: GraphQLContext, p: ProjectRecord, node: (c: CollectionRecord) => object) {
  const type = () => ({
    __typename: "ArtifactType",
    id: Buffer.from(`ArtifactType:${p.id}:${ARTIFACT_TYPE}`, "utf8").toString("base64"),
    name: ARTIFACT_TYPE,
    description: null,
    createdAt: p.createdAt,
    artifactCollection: (args: { name: string }) => {
      const c = ctx.store.collectionByName(p.id, args.name);
      return c && c.kind === "sequence" ? node(c) : null;
    },
    artifactCollections: (args: { after?: string | null; first?: number | null }) => {
      const all = sequencesOf(ctx, p);
      return connection(pageOf(all, (c) => c.id, pageArgs(args.first, args.after)), (c) => c.id, node, { totalCount: all.length });
    },
  });
  return {
    artifactType: (args: { name: string }) => (args.name === ARTIFACT_TYPE && sequencesOf(ctx, p).length > 0 ? type() : null),
    artifactTypes: (args: { after?: string | null; first?: number | null }) => {
      const types = sequencesOf(ctx, p).length > 0 ? [{ id: 1 }] : [];
      return connection(pageOf(types, (t) => t.id, pageArgs(args.first, args.after)), (t) => t.id, () => type());
    },
  };
}

/** `filters` as W&B's SDK sends it (`{"state": "COMMITTED"}` by default): every version here is committed. */
function versionFilter(text: string | null | undefined): (v: Version) => boolean {
  if (text === null || text === undefined || text === "") return () => true;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw gqlError("BAD_USER_INPUT", "filters is not valid JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw gqlError("BAD_USER_INPUT", "filters must be a JSON object");
  for (const [key, value] of Object.entries(json)) {
    if (key !== "state") throw gqlError("BAD_USER_INPUT", `filters: this server filters artifact versions on state only, not on "${key}"`);
    if (value === "COMMITTED") continue;
    if (value === "DELETED" || value === "PENDING") return () => false;
    throw gqlError("BAD_USER_INPUT", `filters.state: expected COMMITTED, DELETED or PENDING, got ${JSON.stringify(value)}`);
  }
  return () => true;
}

/** The artifact fields of a collection: `artifacts` (its versions, oldest first) and `tags` (none recorded). */
export function collectionArtifactFields(ctx: GraphQLContext, c: CollectionRecord, parent: () => ProjectRecord) {
  return {
    tags: { edges: [] },
    artifacts: (args: { after?: string | null; first?: number | null; order?: string | null; filters?: string | null }) => {
      if (args.order !== null && args.order !== undefined && args.order !== "" && args.order !== "+versionIndex") {
        throw gqlError("BAD_USER_INPUT", `order: this server lists artifact versions oldest first (no order, or +versionIndex), not "${args.order}"`);
      }
      const keep = versionFilter(args.filters);
      const versions = [...(indexOf(ctx.store).collections.get(`${c.projectId}\u0000${c.name}`)?.values() ?? [])].filter(keep).sort((a, b) => a.index - b.index);
      const page = pageOf(versions, (v) => v.index + 1, pageArgs(args.first, args.after));
      const p = parent();
      const project = { __typename: "Project", name: p.name, entityName: p.entityName };
      const node = (v: Version) => ({
        __typename: "Artifact",
        id: v.id,
        artifactSequence: { __typename: "ArtifactSequence", name: c.name, project },
        versionIndex: v.index,
        artifactType: { name: ARTIFACT_TYPE },
        description: null,
        metadata: v.metadata,
        ttlDurationSeconds: -1,
        ttlIsInherited: true,
        tags: [...v.tags].map((name) => ({ id: Buffer.from(`Tag:${name}`, "utf8").toString("base64"), name, tagCategoryName: "" })),
        historyStep: null,
        state: "COMMITTED",
        currentManifest: null,
        size: 0,
        digest: "",
        commitHash: null,
        fileCount: 0,
        createdAt: iso(v.createdAt),
        updatedAt: null,
        aliases: [...v.aliases].map((alias) => ({
          id: Buffer.from(`ArtifactAlias:${c.id}:${alias}`, "utf8").toString("base64"),
          alias,
          artifactCollection: { __typename: "ArtifactSequence", name: c.name, project },
        })),
      });
      const conn = connection(page, (v) => v.index + 1, node, { totalCount: versions.length });
      // W&B's edges carry the version's name ("v3") beside the node.
      return { ...conn, edges: conn.edges.map((e, i) => ({ ...e, version: `v${(page.items[i] as Version).index}` })) };
    },
  };
}

const COLLECTION_ARTIFACT_FIELDS = `
  "The collection's versions, oldest first (filters: W&B's {\\"state\\": …}; order: none or +versionIndex)."
  artifacts(filters: JSONString, after: String, first: Int, order: String): VersionedArtifactConnection
  "No collection tags are recorded here."
  tags: ArtifactCollectionTagConnection!`;

/** The SDL of artifact types, versions, aliases and tags, W&B's type and field names. */
export const ARTIFACTS_SDL = /* GraphQL */ `
extend type Project {
  "The one artifact type this server answers (\\"${ARTIFACT_TYPE}\\"): it records no artifact types."
  artifactType(name: String!): ArtifactType
  artifactTypes(after: String, first: Int): ArtifactTypeConnection
}
type ArtifactType {
  id: ID!
  name: String!
  description: String
  createdAt: DateTime!
  artifactCollection(name: String!): ArtifactCollection
  artifactCollections(after: String, first: Int): ArtifactCollectionConnection
}
type ArtifactTypeConnection {
  edges: [ArtifactTypeEdge!]!
  pageInfo: PageInfo!
}
type ArtifactTypeEdge {
  node: ArtifactType
  cursor: String!
}
extend type ArtifactCollectionConnection {
  totalCount: Int!
}
extend interface ArtifactCollection {${COLLECTION_ARTIFACT_FIELDS}
}
extend type ArtifactSequence {${COLLECTION_ARTIFACT_FIELDS}
}
extend type ArtifactPortfolio {${COLLECTION_ARTIFACT_FIELDS}
}
type ArtifactCollectionTagConnection {
  edges: [ArtifactCollectionTagEdge!]!
}
type ArtifactCollectionTagEdge {
  node: Tag!
}
type Tag {
  id: ID!
  name: String!
  tagCategoryName: String!
}
type VersionedArtifactConnection {
  totalCount: Int!
  edges: [VersionedArtifactEdge!]!
  pageInfo: PageInfo!
}
type VersionedArtifactEdge {
  "The version's name, v<versionIndex>."
  version: String!
  node: Artifact!
  cursor: String!
}
type ArtifactManifestFile {
  directUrl: String!
}
type ArtifactManifest {
  file: ArtifactManifestFile!
}
type ArtifactAlias {
  id: ID!
  alias: String!
  artifactCollection: ArtifactCollection
}
"A version of a collection, read from its artifact.created event: no files, manifest, size or TTL are recorded."
type Artifact {
  id: ID!
  artifactSequence: ArtifactCollection!
  versionIndex: Int
  artifactType: ArtifactType!
  description: String
  metadata: JSONString
  ttlDurationSeconds: Int64
  ttlIsInherited: Boolean
  tags: [Tag!]!
  historyStep: Int64
  state: String!
  currentManifest: ArtifactManifest
  size: Int64!
  digest: String!
  commitHash: String
  fileCount: Int64!
  "The version's artifact.created time."
  createdAt: DateTime!
  updatedAt: DateTime
  "The aliases the version holds now."
  aliases: [ArtifactAlias!]!
}
`;
