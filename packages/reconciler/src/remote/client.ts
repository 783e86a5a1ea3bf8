import { encodeResave, type CreateFilterTriggerInput, type UpdateFilterTriggerInput, type WireTrigger } from "@tripwire/sdk/wire";
import { ReconcilerError } from "../model/errors.js";
import type { CollectionRef, EntityRef, IntegrationRef, ProjectRef } from "../model/catalog.js";
import * as doc from "./documents.js";
import { hasFeature } from "../model/features.js";
import type { GraphQLResponse, Transport } from "../model/transport.js";

interface Connection<T> {
  readonly pageInfo: { readonly endCursor: string | null; readonly hasNextPage: boolean };
  readonly edges: readonly { readonly node: T }[];
}

/** Page size for list queries, as W&B's SDK pages (`per_page=50`); a larger page risks W&B's response-size limits. */
export const PAGE_SIZE = 50;

/** A mutation refused by the backend (duplicate name, unknown ID, permission …), with W&B's status and message. */
export class MutationError extends ReconcilerError {
  constructor(message: string, status: number) {
    super(status === 409 ? "TWE002" : "TWE003", message, { status });
  }
}

/**
 * W&B's automation API as typed calls over one transport: lookups, paginated listings, and mutations.
 * Retries, pagination and rate limits live here and in the transport, never in the plan.
 */
export class WandbClient {
  private featureCache: Promise<Set<string>> | undefined;
  private documentCache: Promise<doc.AutomationDocuments> | undefined;

  constructor(readonly transport: Transport) {}

  private async query<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await this.transport.request<T>(variables ? { query, variables } : { query });
    return this.data(res, query);
  }

  private data<T>(res: GraphQLResponse<T>, query: string): T {
    if (res.errors && res.errors.length > 0) {
      const op = /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "request";
      throw new MutationError(`${op}: ${res.errors.map((e) => e.message).join("; ")}`, res.status);
    }
    if (res.data === null || res.data === undefined) throw new ReconcilerError("TWE003", "the backend answered without data", { status: res.status });
    return res.data;
  }

  /** Every page of a connection, following `pageInfo.endCursor`. */
  private async paginate<N>(query: string, variables: Record<string, unknown>, pick: (data: never) => Connection<N> | null | undefined): Promise<N[]> {
    const out: N[] = [];
    let cursor: string | null = null;
    for (;;) {
      const data = await this.query<never>(query, { ...variables, cursor, perPage: PAGE_SIZE });
      const conn = pick(data);
      if (!conn) return out;
      for (const edge of conn.edges) out.push(edge.node);
      if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) return out;
      cursor = conn.pageInfo.endCursor;
    }
  }

  /** The server's enabled features (`serverInfo.features`), fetched once. */
  features(): Promise<Set<string>> {
    this.featureCache ??= this.query<{ serverInfo: { features: { name: string; isEnabled: boolean }[] } | null }>(doc.SERVER_FEATURES).then(
      (d) => new Set((d.serverInfo?.features ?? []).filter((f) => f.isEnabled).map((f) => f.name)),
    );
    return this.featureCache;
  }

  /** The automation documents for this server's features (fragments on types it lacks left out). */
  private documents(): Promise<doc.AutomationDocuments> {
    this.documentCache ??= this.features().then((f) => doc.automationDocuments((name) => hasFeature(f, name)));
    return this.documentCache;
  }

  /** Who the API key belongs to, and the name of their default entity (null when they have none). */
  async viewer(): Promise<{ id: string; username: string | null; entity: string | null } | null> {
    return (await this.query<{ viewer: { id: string; username: string | null; entity: string | null } | null }>(doc.VIEWER)).viewer;
  }

  async entity(name: string): Promise<EntityRef | null> {
    return (await this.query<{ entity: EntityRef | null }>(doc.ENTITY, { entity: name })).entity;
  }

  async project(entity: string, project: string): Promise<ProjectRef | null> {
    return (await this.query<{ project: ProjectRef | null }>(doc.PROJECT, { entity, project })).project;
  }

  async collection(entity: string, project: string, collection: string): Promise<CollectionRef | null> {
    const d = await this.query<{ project: { artifactCollection: CollectionRef | null } | null }>(doc.COLLECTION, { entity, project, collection });
    return d.project?.artifactCollection ?? null;
  }

  /** All collections of a project (for `project(p).collections(filter)`); null when the project does not exist. */
  async collections(entity: string, project: string): Promise<CollectionRef[] | null> {
    let exists = false;
    const list = await this.paginate<CollectionRef>(doc.COLLECTIONS, { entity, project }, (d: { project: { artifactCollections: Connection<CollectionRef> } | null }) => {
      exists = exists || d.project !== null;
      return d.project?.artifactCollections;
    });
    return exists ? list : null;
  }

  /** Slack and webhook integrations of an entity (one connection; other kinds ignored). */
  async integrations(entity: string): Promise<IntegrationRef[]> {
    return this.paginate<IntegrationRef>(doc.INTEGRATIONS, { entity }, (d: { entity: { integrations: Connection<IntegrationRef> } | null }) => d.entity?.integrations);
  }

  /**
   * Every automation of an entity: its own, its projects' and their collections'. Uses `Entity.triggers` when the
   * server has it (one paginated listing), else walks the entity's projects as W&B's SDK does on older servers.
   */
  async automations(entity: string): Promise<WireTrigger[]> {
    const features = await this.features();
    const docs = await this.documents();
    if (features.has("QUERY_AUTOMATIONS_ON_ENTITY")) {
      return this.paginate<WireTrigger>(docs.ENTITY_AUTOMATIONS, { entity }, (d: { scope: { triggers: Connection<WireTrigger> } | null }) => d.scope?.triggers);
    }
    const projects = await this.paginate<{ triggers: WireTrigger[] }>(
      docs.ENTITY_AUTOMATIONS_LEGACY,
      { entity },
      (d: { scope: { projects: Connection<{ triggers: WireTrigger[] }> } | null }) => d.scope?.projects,
    );
    return projects.flatMap((p) => p.triggers);
  }

  async createAutomation(input: CreateFilterTriggerInput): Promise<WireTrigger> {
    const d = await this.query<{ result: { trigger: WireTrigger | null } | null }>((await this.documents()).CREATE_AUTOMATION, { input });
    if (!d.result?.trigger) throw new ReconcilerError("TWE003", `createFilterTrigger returned no automation for "${input.name}"`);
    return d.result.trigger;
  }

  async updateAutomation(input: UpdateFilterTriggerInput): Promise<WireTrigger> {
    const d = await this.query<{ result: { trigger: WireTrigger | null } | null }>((await this.documents()).UPDATE_AUTOMATION, { input });
    if (!d.result?.trigger) throw new ReconcilerError("TWE003", `updateFilterTrigger returned no automation for "${input.name}"`);
    return d.result.trigger;
  }

  /**
   * Saves an automation again with a new description: the whole definition as it was read (filter and payload
   * verbatim, never re-encoded), as W&B's SDK sends every update. `tripwire import` adds its ownership marker this way
   * to definitions made in the W&B UI.
   */
  async updateDescription(saved: WireTrigger, description: string): Promise<WireTrigger> {
    let input: UpdateFilterTriggerInput;
    try {
      input = encodeResave(saved, { description });
    } catch (error) {
      throw new ReconcilerError("TWE003", (error as Error).message.replace(/^TW\d+: /, ""), { cause: error });
    }
    const d = await this.query<{ result: { trigger: WireTrigger | null } | null }>((await this.documents()).UPDATE_AUTOMATION, { input });
    if (!d.result?.trigger) throw new ReconcilerError("TWE003", `updateFilterTrigger returned no automation for ${saved.id}`);
    return d.result.trigger;
  }

  async deleteAutomation(id: string): Promise<void> {
    const d = await this.query<{ result: { success: boolean } | null }>(doc.DELETE_AUTOMATION, { id });
    if (!d.result?.success) throw new ReconcilerError("TWE003", `deleteTrigger did not succeed for ${id}`);
  }
}
