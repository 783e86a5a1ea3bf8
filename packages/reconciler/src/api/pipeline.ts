// The one read → resolve → plan composition: what `plan`, `apply` and `import` do between loading the definitions
// and using the plan. Each stage is pure or talks to the backend only through what is passed in.
import { catalogNeeds, type Catalog } from "../model/catalog.js";
import type { TripwireConfig } from "../model/config.js";
import { DEFAULT_OWNER } from "../model/ownership.js";
import type { Plan, PlanReads } from "../model/plan.js";
import type { DesiredAutomation, Diagnostic, LiveAutomation, ResolvedAutomation } from "../model/types.js";
import { sortDiagnostics } from "../model/diagnostics.js";
import { computePlan } from "../plan/plan.js";
import type { Backend } from "../model/backend.js";
import { readCatalog } from "../remote/catalog.js";
import { fingerprint, readLiveState, type LiveState } from "../remote/live.js";
import { resolve, type ResolveResult } from "../resolve/resolve.js";

/** What was read from the backend: the names' IDs and the automations of the scanned entities. */
export interface ReadState {
  readonly catalog: Catalog;
  readonly live: LiveState;
}

/**
 * Reads the lookups and the listings together: they do not depend on each other (a paginated listing is a chain of
 * requests, one at a time, that the lookups would otherwise wait for).
 */
export async function readState(backend: Backend, read: PlanReads, parallelism: number): Promise<ReadState> {
  const [catalog, live] = await Promise.all([readCatalog(backend.client, read.lookups, parallelism), readLiveState(backend.client, read.entities, parallelism)]);
  return { catalog, live };
}

/** Whether a saved plan was made against exactly this state. */
export const matchesState = (backend: Backend, state: ReadState, plan: Plan): boolean => fingerprint(backend.url, state.live, state.catalog) === plan.fingerprint;

export interface PipelineInput {
  readonly backend: Backend;
  readonly config: TripwireConfig;
  readonly desired: readonly DesiredAutomation[];
  readonly parallelism: number;
  /** Entities whose automations are listed besides those the definitions name (the config's, `WANDB_ENTITY`). */
  readonly entities?: readonly string[];
  /**
   * The live automations, already read (import lists an entity once and plans against that listing as it will be
   * once marked); absent: listed here, together with the lookups.
   */
  readonly live?: readonly LiveAutomation[] | ((resolved: readonly ResolvedAutomation[]) => readonly LiveAutomation[]);
  /** Diagnostics found before (loading, validation), kept in the plan's. */
  readonly diagnostics?: readonly Diagnostic[];
}

export interface PipelineResult extends ResolveResult {
  readonly catalog: Catalog;
  readonly plan: Plan;
}

/**
 * Reads what the definitions need, resolves their names to IDs (the embedded default's missing scopes and
 * out-of-sync integrations becoming prerequisites) and plans them against the live automations.
 */
export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  const { backend, config, parallelism } = input;
  const lookups = catalogNeeds(input.desired.map((a) => a.spec));
  const read: PlanReads = { entities: [...new Set([...lookups.entities, ...(input.entities ?? [])])].sort(), lookups };
  const given = input.live;
  const state: ReadState = given ? { catalog: await readCatalog(backend.client, lookups, parallelism), live: { entities: read.entities, automations: [] } } : await readState(backend, read, parallelism);
  const resolved = resolve({
    desired: input.desired,
    catalog: state.catalog,
    embedded: backend.kind === "embedded" ? (config.embedded ?? {}) : undefined,
    extraPrerequisites: backend.admin?.outOfSync() ?? [],
  });
  const live: LiveState = typeof given === "function" ? { ...state.live, automations: given(resolved.resolved) } : given ? { ...state.live, automations: given } : state.live;
  const plan = computePlan({
    owner: config.owner ?? DEFAULT_OWNER,
    desired: resolved.resolved,
    live: live.automations,
    prerequisites: resolved.prerequisites,
    backend: { kind: backend.kind, url: backend.url },
    fingerprint: fingerprint(backend.url, live, state.catalog),
    read,
    diagnostics: sortDiagnostics([...(input.diagnostics ?? []), ...resolved.diagnostics]),
  });
  return { ...resolved, catalog: state.catalog, plan };
}
