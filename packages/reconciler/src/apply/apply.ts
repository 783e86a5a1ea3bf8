import { scopeEntity, type AutomationSpec } from "@tripwire/sdk";
import { encodeAutomation, encodeUpdate } from "@tripwire/sdk/wire";
import { integrationName, type TripwireConfig } from "../model/config.js";
import { integrationLookupKey, integrationMatches, prerequisiteKey, prerequisiteProject, scopeLookupKey } from "../model/catalog.js";
import { isReconcilerError } from "../model/errors.js";
import { definitionHash, markDescription, readMarker } from "../model/ownership.js";
import type { OpResult, Operation, Plan, Prerequisite } from "../model/plan.js";
import type { Backend } from "../model/backend.js";
import { mapLimit } from "../model/limit.js";

export interface ExecuteOptions {
  readonly parallelism: number;
  readonly config: TripwireConfig;
  /** One line per finished operation. */
  readonly onProgress?: (result: OpResult) => void;
}

/** What W&B stores for a definition: Tripwire's marker appended to the description. */
function stored(spec: AutomationSpec, owner: string): AutomationSpec {
  const { movedFrom: _m, protect: _p, ...rest } = spec;
  return { ...rest, description: markDescription(spec, owner) };
}

async function timed(op: OpResult["op"], address: string, fn: () => Promise<string | undefined>): Promise<OpResult> {
  const start = performance.now();
  try {
    const id = await fn();
    return { op, address, ok: true, id, ms: Math.round(performance.now() - start) };
  } catch (error) {
    const message = isReconcilerError(error) || error instanceof Error ? error.message : String(error);
    return { op, address, ok: false, error: message, ms: Math.round(performance.now() - start) };
  }
}

const secretValue = (config: TripwireConfig, entity: string, name: string) =>
  config.embedded?.secrets?.find((s) => s.entity === entity && s.name === name)?.value;

/**
 * Creates one prerequisite and returns the ID of what it made (a secret has none), read back by the same name the
 * plan's operations refer to it by.
 */
async function prerequisite(backend: Backend, p: Prerequisite, config: TripwireConfig): Promise<string | undefined> {
  await ensure(backend, p, config);
  const client = backend.client;
  switch (p.kind) {
    case "entity":
      return (await client.entity(p.name))?.id;
    case "project":
    case "registry": {
      const { entity, project } = prerequisiteProject(p);
      return (await client.project(entity, project))?.id;
    }
    case "collection":
      return (await client.collection(p.entity, p.parent ?? "", p.name))?.id;
    case "secret":
      return undefined;
    case "slack":
    case "webhook":
      return (await client.integrations(p.entity)).find((i) => integrationMatches(i, p.kind as "slack" | "webhook", p.name))?.id;
  }
}

async function ensure(backend: Backend, p: Prerequisite, config: TripwireConfig): Promise<void> {
  const admin = backend.admin;
  if (!admin) throw new Error(`${p.kind} ${p.name} is missing and only the embedded default creates it`);
  switch (p.kind) {
    case "entity":
      return admin.ensureEntity(p.name, p.entityType ?? "team");
    case "project":
      return admin.ensureProject(p.entity, p.name);
    case "registry":
      return admin.ensureProject(p.entity, prerequisiteProject(p).project);
    case "collection":
      return admin.ensureCollection(p.entity, p.parent ?? "", p.name);
    case "secret": {
      const value = secretValue(config, p.entity, p.name);
      if (value === undefined) throw new Error(`secret ${p.name} of ${p.entity} has no value in tripwire.config.ts`);
      return admin.ensureSecret(p.entity, p.name, value);
    }
    case "slack":
    case "webhook": {
      const declared = (config.embedded?.integrations ?? []).find((i) => i.entity === p.entity && i.kind === p.kind && integrationName(i) === p.name);
      if (!declared) throw new Error(`${p.kind} integration ${p.name} is not declared in tripwire.config.ts`);
      // An integration's signing and token secrets must exist before it does.
      for (const name of declared.kind === "webhook" ? [declared.secret, declared.accessToken] : []) {
        if (!name) continue;
        const value = secretValue(config, declared.entity, name);
        if (value === undefined) throw new Error(`webhook "${p.name}" names secret ${name}, which has no value under embedded.secrets for ${declared.entity}`);
        await admin.ensureSecret(declared.entity, name, value);
      }
      return admin.ensureIntegration(declared);
    }
  }
}

/**
 * Carries out a plan: prerequisites, then renames (in chain order), deletes, updates and creates, each kind with
 * bounded concurrency. A failure never stops independent operations; every result is returned.
 */
export async function executePlan(plan: Plan, backend: Backend, options: ExecuteOptions): Promise<OpResult[]> {
  const results: OpResult[] = [];
  const report = (r: OpResult) => {
    results.push(r);
    options.onProgress?.(r);
  };
  // What the prerequisites created, by the key an operation names it with: the IDs the plan could not know.
  const created = new Map<string, string>();
  for (const p of plan.prerequisites) {
    const result = await timed("prerequisite", `${p.kind}:${p.entity}/${p.parent ? `${p.parent}:` : ""}${p.name}`, () => prerequisite(backend, p, options.config));
    if (result.id !== undefined) created.set(prerequisiteKey(p), result.id);
    report(result);
  }
  const client = backend.client;
  const ids = async (op: Exclude<Operation, { op: "delete" }>) => {
    const scopeId = op.scopeId ?? created.get(scopeLookupKey(op.scope));
    const integration = integrationLookupKey(op.after);
    const integrationId = op.integrationId ?? (integration === undefined ? undefined : created.get(integration));
    if (!scopeId) throw new Error(`cannot resolve the scope of ${op.address}`);
    return { scopeId, ...(integrationId ? { integrationId } : {}) };
  };
  const run = async (op: Operation): Promise<OpResult> =>
    timed(op.op, op.address, async () => {
      switch (op.op) {
        case "delete":
          try {
            await client.deleteAutomation(op.id);
          } catch (error) {
            // A delete whose answer was lost is retried and then reads "not found": it is gone, which was the point.
            if (await isGone(backend, op)) return op.id;
            throw error;
          }
          return op.id;
        case "create": {
          const input = encodeAutomation(stored(op.after, plan.owner), await ids(op));
          try {
            return (await client.createAutomation(input)).id;
          } catch (error) {
            // A retried create whose first attempt landed finds its own automation: that is success.
            const existing = await findOwn(backend, op, plan.owner);
            if (existing) return existing;
            throw error;
          }
        }
        case "update":
        case "rename":
          return (await client.updateAutomation(encodeUpdate(stored(op.after, plan.owner), { id: op.id, ...(await ids(op)) }))).id;
      }
    });

  const phases: Operation["op"][] = ["rename", "delete", "update", "create"];
  for (const phase of phases) {
    const ops = plan.operations.filter((o) => o.op === phase);
    // Renames run one at a time, in the plan's chain order; the rest run concurrently.
    const limit = phase === "rename" ? 1 : options.parallelism;
    await mapLimit(ops, limit, async (op) => report(await run(op)));
  }
  return results;
}

/** After a failed delete: is the automation no longer among its entity's automations? (Unknown: no.) */
async function isGone(backend: Backend, op: Extract<Operation, { op: "delete" }>): Promise<boolean> {
  try {
    const triggers = await backend.client.automations(scopeEntity(op.scope));
    return !triggers.some((t) => t.id === op.id);
  } catch {
    return false;
  }
}

/** After a failed create: is an automation with this name, carrying exactly this definition's marker, there? */
async function findOwn(backend: Backend, op: Extract<Operation, { op: "create" }>, owner: string): Promise<string | undefined> {
  try {
    const triggers = await backend.client.automations(scopeEntity(op.scope));
    const hash = definitionHash(op.after);
    const mine = triggers.find((t) => {
      const o = readMarker(t.description).ownership;
      return t.name === op.name && o?.owner === owner && o.hash === hash;
    });
    return mine?.id;
  } catch {
    return undefined;
  }
}
