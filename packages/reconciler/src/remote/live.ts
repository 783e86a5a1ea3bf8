import { createHash } from "node:crypto";
import { canonicalJson, scopeKey } from "@tripwire/sdk";
import { decodeAutomation, type WireTrigger } from "@tripwire/sdk/wire";
import { readMarker } from "../model/ownership.js";
import type { LiveAutomation } from "../model/types.js";
import type { Catalog } from "../model/catalog.js";
import type { WandbClient } from "./client.js";
import { mapLimit } from "../model/limit.js";

/** Reads a saved automation into Tripwire's view: decoded definition, the user's description, the marker. */
export function toLive(trigger: WireTrigger, entity: string): LiveAutomation {
  const { description, ownership } = readMarker(trigger.description);
  const { spec, issues } = decodeAutomation({ ...trigger, description: description ?? null }, { entity });
  const scopeId = (trigger.scope as { id?: string }).id ?? "";
  const action = (trigger.action ?? trigger.triggeredAction) as { integration?: { id?: string } | null } | undefined;
  return {
    id: trigger.id,
    address: spec ? `${scopeKey(spec.scope)}/${trigger.name}` : `id:${scopeId}/${trigger.name}`,
    name: trigger.name,
    scopeId,
    spec,
    scope: spec?.scope,
    issues,
    ownership,
    integrationId: action?.integration?.id ?? undefined,
    raw: trigger,
  };
}

export interface LiveState {
  readonly entities: readonly string[];
  readonly automations: readonly LiveAutomation[];
}

/** Every automation of the given entities, each once (an entity listing and a project walk may overlap). */
export async function readLiveState(client: WandbClient, entities: readonly string[], parallelism: number): Promise<LiveState> {
  const lists = await mapLimit([...entities].sort(), parallelism, async (e) => ({ entity: e, triggers: await client.automations(e) }));
  const byId = new Map<string, LiveAutomation>();
  for (const { entity, triggers } of lists) for (const t of triggers) if (!byId.has(t.id)) byId.set(t.id, toLive(t, entity));
  return { entities: [...entities].sort(), automations: [...byId.values()].sort((a, b) => a.address.localeCompare(b.address)) };
}

/**
 * A hash of the live state a plan is made against: the backend, every automation read (as the server returned
 * it), and the IDs the names resolved to. It is never the hash of nothing: an empty state still hashes its backend
 * and scanned entities, so a plan made against empty state cannot be applied twice (hashicorp/terraform#24078).
 */
export function fingerprint(backendUrl: string, live: LiveState, catalog: Catalog): string {
  const hash = createHash("sha256");
  // Each automation as the server returned it: the same query yields the same field order, so plain JSON of each,
  // in ID order, identifies the state without re-sorting every object's keys.
  // Hashed as one text: the same bytes as one update per automation, without ten thousand calls into the hash.
  let text = "";
  for (const a of [...live.automations].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))) text += `${JSON.stringify(a.raw)}\n`;
  hash.update(text);
  const ids = {
    entities: catalog.entities,
    projects: catalog.projects,
    collections: catalog.collections,
    collectionLists: catalog.collectionLists,
    integrations: Object.fromEntries(Object.entries(catalog.integrations).map(([e, list]) => [e, list.map((i) => ({ id: i.id, name: i.name ?? i.channelName }))])),
  };
  hash.update(canonicalJson({ backend: backendUrl, entities: live.entities, ids }));
  return `sha256:${hash.digest("hex")}`;
}
