import { scopeKey, toSpec, type Automation, type AutomationSpec } from "@tripwire/sdk";
import { markDescription, readMarker } from "../src/model/ownership.js";
import type { LiveAutomation, ResolvedAutomation } from "../src/model/types.js";

export const desired = (a: Automation | AutomationSpec, extra: Partial<ResolvedAutomation> = {}): ResolvedAutomation => {
  const spec = "toSpec" in a ? toSpec(a) : a;
  return { address: `${scopeKey(spec.scope)}/${spec.name}`, spec, scopeId: "UHJvamVjdDox", ...extra };
};

let next = 1;
/** A live automation as the remote stage would read it back (marker parsed from the description). */
export const live = (
  a: Automation | AutomationSpec,
  options: { managed?: boolean; appliedAs?: AutomationSpec; id?: string; owner?: string } = {},
): LiveAutomation => {
  const spec = "toSpec" in a ? toSpec(a) : a;
  const applied = options.appliedAs ?? spec;
  const description = options.managed === false ? spec.description : markDescription(applied, options.owner ?? "default");
  const read = readMarker(description);
  const { description: _d, movedFrom: _m, protect: _p, ...rest } = spec;
  const liveSpec: AutomationSpec = read.description ? { ...rest, description: read.description } : rest;
  const id = options.id ?? `VHJpZ2dlcjo${next++}`;
  return {
    id,
    address: `${scopeKey(spec.scope)}/${spec.name}`,
    name: spec.name,
    scopeId: "UHJvamVjdDox",
    spec: liveSpec,
    scope: spec.scope,
    issues: [],
    ownership: read.ownership,
    raw: { id, name: spec.name, enabled: spec.enabled, scope: { __typename: "Project", id: "UHJvamVjdDox", name: "x" } },
  };
};

export const read = { entities: ["acme"], lookups: { entities: ["acme"], projects: [], collections: [], lists: [], integrations: [] } };
export const backend = { kind: "embedded" as const, url: "file:.tripwire/local.db" };
