import { compileFilter, UnsupportedFilterError } from "@tripwire/evaluator";
import { describeScope, scopeKey, type AutomationSpec, type Scope } from "@tripwire/sdk";
import { integrationName, type EmbeddedIntegration, type TripwireConfig } from "../model/config.js";
import type { Prerequisite } from "../model/plan.js";
import { collectionKey, integrationEntity, integrationMatches, projectKey, projectOf, type Catalog } from "../model/catalog.js";
import { sourceOf, type Diagnostic, type DesiredAutomation, type ResolvedAutomation } from "../model/types.js";
import type { DiagnosticCode } from "../model/codes.js";
import { describeFeatures, missingFeatures } from "./features.js";

export interface ResolveInput {
  /** Prerequisites found elsewhere (the embedded backend's out-of-sync integrations and secrets), merged in. */
  readonly extraPrerequisites?: readonly Prerequisite[];
  readonly desired: readonly DesiredAutomation[];
  readonly catalog: Catalog;
  /**
   * The embedded default: nothing else can create things in it, so missing entities, projects, registries and
   * collections become prerequisites apply creates, and integrations come from the config. Against W&B or a
   * server, anything missing is a diagnostic.
   */
  readonly embedded?: TripwireConfig["embedded"] | undefined;
}

export interface ResolveResult {
  readonly resolved: readonly ResolvedAutomation[];
  readonly prerequisites: readonly Prerequisite[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Resolves scopes and integrations by name to IDs and expands `project(p).collections(filter)` into one automation
 * per matching collection. Pure: everything live comes in through the catalog.
 */
export function resolve(input: ResolveInput): ResolveResult {
  const { catalog, embedded } = input;
  const diagnostics: Diagnostic[] = [];
  const prerequisites = new Map<string, Prerequisite>();
  const need = (p: Prerequisite) => prerequisites.set(`${p.kind}:${p.entity}:${p.parent ?? ""}:${p.name}`, p);
  const features = new Set(catalog.features);

  const resolved: ResolvedAutomation[] = [];
  const seen = new Map<string, DesiredAutomation>();

  const entityTypes = new Map<string, "team" | "organization">();
  for (const d of input.desired) {
    const s = d.spec.scope;
    const org = s.type === "org" ? s.org : s.type === "registry" ? s.org : s.type === "collection" && s.parent.type === "registry" ? s.parent.org : undefined;
    if (org) entityTypes.set(org, "organization");
  }
  const entityPrereq = (name: string) => {
    if (!catalog.entities[name]) need({ kind: "entity", entity: name, name, entityType: entityTypes.get(name) ?? "team" });
  };

  for (const p of input.extraPrerequisites ?? []) {
    entityPrereq(p.entity); // an integration or secret needs its entity
    need(p);
  }

  for (const d of input.desired) {
    const fail = failFor(diagnostics, d);
    for (const m of missingFeatures(d.spec, features)) {
      if (m.raw) fail("TW2104", `the backend does not support this automation: it needs the server feature ${m.feature} (in "${d.spec.name}")`);
      else fail("TW6501", `this W&B server (${describeFeatures(features)}) has no ${m.what}: "${d.spec.name}" needs ${m.feature}`);
    }
    const expanded = expand(d, catalog, embedded !== undefined, fail, (m) => diagnostics.push({ code: "TW2105", severity: "warning", message: m, source: sourceOf(d), subject: d.spec.name }));
    for (const e of expanded) {
      const clash = seen.get(e.address);
      if (clash) {
        fail("TW1014", `"${e.spec.name}" in ${describeScope(e.spec.scope)} is defined twice (also at ${describeSource(sourceOf(clash))}); names are unique per scope`);
        continue;
      }
      seen.set(e.address, e);
      const scopeId = e.scopeId ?? scopeIdOf(e.spec.scope, catalog, embedded !== undefined, fail, need, entityPrereq);
      const integrationId = integrationIdOf(e.spec, catalog, embedded, fail);
      // Object.assign, not { ...e, scopeId, integrationId }: V8 (Node 20) takes a slow path for a spread followed by
      // more properties when the object holds a closure (`locate`), ~3 µs each (resolve of 10,000: 56 -> ~15 ms).
      resolved.push(Object.assign({}, e, { scopeId, integrationId }));
    }
  }
  const order: Record<Prerequisite["kind"], number> = { entity: 0, project: 1, registry: 1, collection: 2, secret: 3, slack: 4, webhook: 4 };
  return {
    resolved,
    prerequisites: [...prerequisites.values()].sort((a, b) => order[a.kind] - order[b.kind] || `${a.entity}/${a.parent ?? ""}/${a.name}`.localeCompare(`${b.entity}/${b.parent ?? ""}/${b.name}`)),
    diagnostics,
  };
}

/** Reports an error on a definition (made by a module-level function: a named closure per definition costs a `name`). */
function failFor(diagnostics: Diagnostic[], d: DesiredAutomation): (code: DiagnosticCode, message: string) => void {
  return (code, message) => {
    diagnostics.push({ code, severity: "error", message, source: sourceOf(d), subject: d.spec.name });
  };
}

function expand(
  d: DesiredAutomation,
  catalog: Catalog,
  embedded: boolean,
  fail: (code: DiagnosticCode, message: string) => void,
  warn: (message: string) => void,
): (DesiredAutomation & { scopeId?: string })[] {
  const s = d.spec.scope;
  if (s.type !== "collections") return [d];
  const p = projectOf(s.parent);
  const list = catalog.collectionLists[projectKey(p)];
  if (list === null || list === undefined) {
    if (!embedded) fail("TW2101", `project ${p.entity}/${p.project} does not exist (in "${d.spec.name}")`);
    else warn(`the collection filter of "${d.spec.name}" matches no collection yet: project ${p.entity}/${p.project} has none; apply again once it has`);
    return [];
  }
  // The evaluator's filter, so plan-time expansion and the runtime decide every collection the same way.
  let holds: (name: string) => boolean;
  try {
    const predicate = compileFilter(s.filter);
    holds = (name) => predicate({ collectionName: [name] });
  } catch (error) {
    if (!(error instanceof UnsupportedFilterError)) throw error;
    fail("TW2106", `the collection filter of "${d.spec.name}" cannot be evaluated: ${error.message}`);
    return [];
  }
  const out: (DesiredAutomation & { scopeId: string })[] = [];
  for (const c of list) {
    if (!holds(c.name)) continue;
    const scope: Scope = { type: "collection", parent: s.parent, collection: c.name };
    // The collection's ID comes with the listing it was found in.
    out.push({ ...d, spec: { ...d.spec, scope }, address: `${scopeKey(scope)}/${d.spec.name}`, expandedFrom: d.address, scopeId: c.id });
  }
  if (out.length === 0) warn(`the collection filter of "${d.spec.name}" matches none of the ${list.length} collections of ${p.entity}/${p.project}; nothing to apply yet`);
  return out;
}

function scopeIdOf(
  scope: Scope,
  catalog: Catalog,
  embedded: boolean,
  fail: (code: DiagnosticCode, message: string) => void,
  need: (p: Prerequisite) => void,
  entityPrereq: (name: string) => void,
): string | undefined {
  switch (scope.type) {
    case "team":
    case "org": {
      const name = scope.type === "team" ? scope.team : scope.org;
      const want = scope.type === "team" ? "team" : "organization";
      const e = catalog.entities[name];
      if (!e) {
        if (embedded) entityPrereq(name);
        else fail("TW2101", `${want} ${name} does not exist or is not visible with this API key`);
        return undefined;
      }
      if (e.entityType !== want) fail("TW2102", `${name} is a ${e.entityType} entity, not a ${want}`);
      return e.id;
    }
    case "project":
    case "registry": {
      const p = projectOf(scope);
      const found = catalog.projects[projectKey(p)];
      if (found) return found.id;
      if (embedded) {
        entityPrereq(p.entity);
        need({ kind: scope.type, entity: p.entity, name: scope.type === "project" ? scope.project : scope.registry });
      } else fail("TW2101", `${describeScope(scope)} does not exist or is not visible with this API key`);
      return undefined;
    }
    case "collection": {
      const p = projectOf(scope.parent);
      const found = catalog.collections[collectionKey(p, scope.collection)];
      if (found) return found.id;
      if (embedded) {
        scopeIdOf(scope.parent, catalog, embedded, fail, need, entityPrereq);
        need({ kind: "collection", entity: p.entity, parent: p.project, name: scope.collection });
      } else if (!catalog.projects[projectKey(p)]) fail("TW2101", `${describeScope(scope.parent)} does not exist or is not visible with this API key`);
      else fail("TW2101", `${describeScope(scope)} does not exist (W&B creates a collection when an artifact is first logged or linked to it)`);
      return undefined;
    }
    case "collections":
      return undefined; // expanded before
  }
}

function integrationIdOf(
  spec: AutomationSpec,
  catalog: Catalog,
  embedded: TripwireConfig["embedded"] | undefined,
  fail: (code: DiagnosticCode, message: string) => void,
): string | undefined {
  const a = spec.action;
  if (a.type !== "notification" && a.type !== "webhook") return undefined;
  const entity = integrationEntity(spec) as string;
  const wanted = a.integration.kind;
  const list = catalog.integrations[entity] ?? [];
  const found = list.find((i) => integrationMatches(i, wanted, a.integration.name));
  if (found) return found.id;
  const label = wanted === "slack" ? `Slack integration for #${a.integration.name}` : `webhook integration "${a.integration.name}"`;
  if (embedded) {
    const declared = (embedded.integrations ?? []).find((i: EmbeddedIntegration) => i.entity === entity && integrationName(i) === a.integration.name && i.kind === wanted);
    // A declared integration is created (or brought in line) by the embedded backend's own prerequisites.
    if (!declared) fail("TW2103", `no ${label} in ${entity}: declare it under embedded.integrations in tripwire.config.ts (in "${spec.name}")`);
    return undefined;
  }
  fail("TW2103", `no ${label} in ${entity}; create it in W&B (team settings) first (in "${spec.name}")`);
  return undefined;
}

const describeSource = (s: { file: string; line: number; column: number } | undefined) => (s ? `${s.file}:${s.line}:${s.column}` : "another definition");
