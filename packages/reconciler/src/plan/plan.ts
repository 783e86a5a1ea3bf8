import { scopeKey, type AutomationSpec, type Scope } from "@tripwire/sdk";
import { sourceOf, type Address, type Diagnostic, type LiveAutomation, type ResolvedAutomation } from "../model/types.js";
import type { Code } from "../model/codes.js";
import { diffSpecs } from "../model/fields.js";
import { definitionHash, definitionHashLike } from "../model/ownership.js";
import { PLAN_FORMAT_VERSION, type DriftEntry, type Operation, type Plan, type PlanReads, type Prerequisite, type RenameOp, type UnmanagedEntry, type UpdateOp, type UpdateReason } from "../model/plan.js";

export interface PlanInput {
  /** Only automations whose marker names this owner are changed or deleted. */
  readonly owner: string;
  readonly desired: readonly ResolvedAutomation[];
  readonly live: readonly LiveAutomation[];
  readonly prerequisites?: readonly Prerequisite[];
  readonly backend: Plan["backend"];
  readonly fingerprint: string;
  readonly read: PlanReads;
  /** Diagnostics from earlier stages, carried into the plan. */
  readonly diagnostics?: readonly Diagnostic[];
}

const withoutReconcilerOptions = (spec: AutomationSpec): AutomationSpec => {
  const { movedFrom: _m, protect: _p, lintIgnore: _l, ...rest } = spec;
  return rest;
};

/**
 * Diffs the desired automations against the live state. Pure: reads its inputs, never mutates them.
 * Only automations carrying Tripwire's ownership marker are ever changed or deleted.
 */
export function computePlan(input: PlanInput): Plan {
  const diagnostics: Diagnostic[] = [...(input.diagnostics ?? [])];
  const operations: Operation[] = [];
  const drift: DriftEntry[] = [];
  const liveByAddress = new Map<Address, LiveAutomation>();
  for (const l of input.live) liveByAddress.set(l.address, l);
  const claimed = new Set<string>(); // live IDs matched by a desired automation

  const error = (code: Code, message: string, d: ResolvedAutomation) =>
    diagnostics.push({ code, severity: "error", message, source: sourceOf(d), subject: d.spec.name });
  const mine = (l: LiveAutomation) => l.ownership?.owner === input.owner;
  // Why this configuration may not take over a live automation, or undefined when it may.
  const notMine = (l: LiveAutomation, d: ResolvedAutomation, what: string): boolean => {
    if (!l.ownership) {
      error("TW3001", `${what} "${l.name}" already exists in ${describe(d)} and is not managed by Tripwire; adopt it with \`tripwire import\` or rename yours`, d);
      return true;
    }
    if (!mine(l)) {
      error("TW3005", `${what} "${l.name}" in ${describe(d)} is managed by another Tripwire configuration (owner "${l.ownership.owner}"); rename yours, or set owner: "${l.ownership.owner}" in tripwire.config.ts if it is this one`, d);
      return true;
    }
    return false;
  };

  // Renames first: a live automation named in some definition's movedFrom() moves to that definition, unless the
  // definition already has a live automation of its own name that stays put (then the old one is an orphan).
  const renameSource = new Map<ResolvedAutomation, LiveAutomation>();
  const movingTo = new Map<string, ResolvedAutomation>();
  for (const d of input.desired) {
    for (const old of d.spec.movedFrom ?? []) {
      const l = liveByAddress.get(`${scopeKey(d.spec.scope)}/${old}`);
      if (l && l.name !== d.spec.name && !movingTo.has(l.id)) {
        movingTo.set(l.id, d);
        renameSource.set(d, l);
        break;
      }
    }
  }
  const staysPut = (d: ResolvedAutomation): boolean => {
    const current = liveByAddress.get(d.address);
    if (!current) return false;
    const taker = movingTo.get(current.id);
    return taker === undefined || taker === d;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [d, source] of renameSource) {
      if (staysPut(d)) {
        renameSource.delete(d);
        movingTo.delete(source.id);
        changed = true;
      }
    }
  }

  const renames: RenameOp[] = [];
  for (const d of input.desired) {
    const source = renameSource.get(d);
    if (source) {
      claimed.add(source.id);
      if (notMine(source, d, "movedFrom() names the automation")) continue;
      if (!source.spec) {
        error("TW3002", `the live automation "${source.name}" (${source.id}) cannot be read: ${source.issues.map((i) => i.message).join("; ")}`, d);
        continue;
      }
      renames.push({
        op: "rename",
        address: d.address,
        name: d.spec.name,
        scope: d.spec.scope,
        source: sourceOf(d),
        id: source.id,
        from: source.name,
        before: source.spec,
        after: d.spec,
        changes: diffSpecs(source.spec, withoutReconcilerOptions(d.spec)),
        scopeId: d.scopeId ?? source.scopeId,
        integrationId: d.integrationId,
      });
      continue;
    }
    const current = staysPut(d) ? liveByAddress.get(d.address) : undefined;
    if (current) {
      claimed.add(current.id);
      if (notMine(current, d, "an automation named")) continue;
      if (!current.spec) {
        error("TW3002", `the live automation "${d.spec.name}" (${current.id}) cannot be read: ${current.issues.map((i) => i.message).join("; ")}`, d);
        continue;
      }
      const op = updateFor(d, current, drift);
      if (op) operations.push(op);
      continue;
    }
    operations.push({
      op: "create",
      address: d.address,
      name: d.spec.name,
      scope: d.spec.scope,
      source: sourceOf(d),
      after: d.spec,
      scopeId: d.scopeId,
      integrationId: d.integrationId,
    });
  }
  operations.push(...renames);

  const unmanaged: UnmanagedEntry[] = [];
  for (const l of input.live) {
    if (claimed.has(l.id)) continue;
    if (!l.ownership || !mine(l)) {
      unmanaged.push({ address: l.address, id: l.id, name: l.name, ...(l.ownership ? { owner: l.ownership.owner } : {}) });
      continue;
    }
    if (l.spec && definitionHash(l.spec) !== l.ownership.hash) {
      drift.push({ address: l.address, id: l.id, name: l.name, changes: [], conflict: false });
    }
    if (l.ownership.protect) {
      diagnostics.push({
        code: "TW3003",
        severity: "error",
        message: `"${l.name}" (${l.address}) is protected and no longer in code; Tripwire refuses to delete it. Put it back, or apply it with .protect(false) before removing it`,
        subject: l.name,
      });
      continue;
    }
    operations.push({ op: "delete", address: l.address, name: l.name, scope: l.spec?.scope ?? l.scope ?? unknownScope(l), id: l.id, before: l.spec });
  }

  return {
    format_version: PLAN_FORMAT_VERSION,
    owner: input.owner,
    backend: input.backend,
    fingerprint: input.fingerprint,
    read: input.read,
    prerequisites: [...(input.prerequisites ?? [])],
    operations: sortOperations(operations, diagnostics),
    drift,
    unmanaged: unmanaged.sort((a, b) => a.address.localeCompare(b.address)),
    diagnostics,
    summary: {
      add: operations.filter((o) => o.op === "create").length,
      change: operations.filter((o) => o.op === "update").length,
      rename: operations.filter((o) => o.op === "rename").length,
      destroy: operations.filter((o) => o.op === "delete").length,
    },
  };
}

function updateFor(d: ResolvedAutomation, live: LiveAutomation, drift: DriftEntry[]): UpdateOp | undefined {
  const before = live.spec as AutomationSpec;
  const marker = live.ownership as NonNullable<LiveAutomation["ownership"]>;
  const desiredHash = definitionHash(d.spec);
  const liveHash = definitionHashLike(before, d.spec);
  const handEdited = liveHash !== marker.hash;
  const codeChanged = desiredHash !== marker.hash;
  const protectChanged = Boolean(d.spec.protect) !== marker.protect;
  // The common case: nothing changed anywhere. Equal hashes mean equal definitions, so no field diff is needed.
  if (!handEdited && !codeChanged && !protectChanged) return undefined;
  const changes = desiredHash === liveHash ? [] : diffSpecs(before, withoutReconcilerOptions(d.spec));
  if (handEdited) drift.push({ address: d.address, id: live.id, name: live.name, changes, conflict: codeChanged && changes.length > 0 });
  if (changes.length === 0 && !handEdited && !protectChanged) return undefined;
  const reason: UpdateReason = changes.length === 0 ? "ownership" : handEdited ? (codeChanged ? "conflict" : "drift") : "code";
  return {
    op: "update",
    address: d.address,
    name: d.spec.name,
    scope: d.spec.scope,
    source: sourceOf(d),
    id: live.id,
    reason,
    before,
    after: d.spec,
    changes,
    scopeId: d.scopeId ?? live.scopeId,
    integrationId: d.integrationId,
  };
}

function describe(d: ResolvedAutomation): string {
  return scopeKey(d.spec.scope).replace(":", " ");
}

function unknownScope(l: LiveAutomation): Scope {
  return { type: "project", entity: "?", project: l.scopeId };
}

const ORDER: Record<Operation["op"], number> = { rename: 0, delete: 1, update: 2, create: 3 };

/**
 * Execution order: renames first (they free names), then deletes, updates, creates; by address within a kind.
 * A rename chain (a → b while b → c) runs in dependency order; a cycle (a swap) is refused.
 */
function sortOperations(ops: Operation[], diagnostics: Diagnostic[]): Operation[] {
  const sorted = [...ops].sort((a, b) => ORDER[a.op] - ORDER[b.op] || a.address.localeCompare(b.address));
  const pending = new Set(sorted.filter((o): o is RenameOp => o.op === "rename"));
  const ordered: RenameOp[] = [];
  while (pending.size > 0) {
    const blocks = (r: RenameOp) => [...pending].some((o) => o !== r && o.from === r.name && scopeKey(o.scope) === scopeKey(r.scope));
    const ready = [...pending].find((r) => !blocks(r));
    if (!ready) {
      const cycle = [...pending];
      diagnostics.push({
        code: "TW3004",
        severity: "error",
        message: `renames form a cycle (${cycle.map((r) => `${r.from} → ${r.name}`).join(", ")}); rename through a temporary name in two applies`,
        subject: cycle[0]?.name,
        source: cycle[0]?.source,
      });
      break;
    }
    ordered.push(ready);
    pending.delete(ready);
  }
  return [...ordered, ...sorted.filter((o) => o.op !== "rename")];
}
