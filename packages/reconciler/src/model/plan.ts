// The plan document's types: what plan/ computes, apply/ carries out, render/ shows and a saved plan holds.
import type { AutomationSpec, Scope, SourceLocation } from "@tripwire/sdk";
import type { CatalogNeeds } from "./catalog.js";
import type { FieldChange } from "./fields.js";
import type { Address, Diagnostic } from "./types.js";

/** Bumped on any incompatible change of the plan document (see JSON_CONTRACT.md). */
export const PLAN_FORMAT_VERSION = "1.1";

interface OpBase {
  readonly address: Address;
  readonly name: string;
  readonly scope: Scope;
  readonly source?: SourceLocation | undefined;
}

/** Create a new automation. */
export interface CreateOp extends OpBase {
  readonly op: "create";
  readonly after: AutomationSpec;
  readonly scopeId?: string | undefined;
  readonly integrationId?: string | undefined;
}

/** Why an existing automation is written. */
export type UpdateReason =
  | "code" // the definition changed in code
  | "drift" // changed outside Tripwire; the code's definition is restored
  | "conflict" // changed in code and outside Tripwire since the last apply
  | "ownership"; // only Tripwire's marker changes (a hand edit that matches the code, or protect toggled)

/** What an operation on an existing automation carries: its ID, both definitions and the fields that differ. */
interface ChangeOpBase extends OpBase {
  readonly id: string;
  readonly before: AutomationSpec;
  readonly after: AutomationSpec;
  readonly changes: readonly FieldChange[];
  readonly scopeId: string;
  readonly integrationId?: string | undefined;
}

/** Update an existing automation in place (W&B receives the whole definition). */
export interface UpdateOp extends ChangeOpBase {
  readonly op: "update";
  readonly reason: UpdateReason;
}

/** Rename (and possibly change) an automation declared with `.movedFrom()`, keeping its ID and history. */
export interface RenameOp extends ChangeOpBase {
  readonly op: "rename";
  readonly from: string;
}

/** Delete a managed automation that is no longer in code. */
export interface DeleteOp extends OpBase {
  readonly op: "delete";
  readonly id: string;
  readonly before?: AutomationSpec | undefined;
}

export type Operation = CreateOp | UpdateOp | RenameOp | DeleteOp;

/** A managed automation changed outside Tripwire since the last apply. */
export interface DriftEntry {
  readonly address: Address;
  readonly id: string;
  readonly name: string;
  /** Live differences from the code's definition (when the code is what was last applied, exactly the hand edits). */
  readonly changes: readonly FieldChange[];
  /** Also changed in code since the last apply: the changes mix both. */
  readonly conflict: boolean;
}

/** An automation in the scanned scopes that this configuration does not manage: listed, never touched. */
export interface UnmanagedEntry {
  readonly address: Address;
  readonly id: string;
  readonly name: string;
  /** Managed by another Tripwire configuration with this owner (absent: not managed by Tripwire at all). */
  readonly owner?: string | undefined;
}

/** Something the embedded default creates before the automations (a scope, an integration, a secret). */
export interface Prerequisite {
  readonly kind: "entity" | "project" | "registry" | "collection" | "slack" | "webhook" | "secret";
  readonly entity: string;
  readonly name: string;
  /** project or registry of a collection */
  readonly parent?: string | undefined;
  readonly entityType?: "team" | "organization" | undefined;
}

export interface PlanReads {
  readonly entities: readonly string[];
  readonly lookups: CatalogNeeds;
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly rename: number;
  readonly destroy: number;
}

/** A plan: data first, rendered separately, applied exactly. */
export interface Plan {
  readonly format_version: string;
  /** The owner this plan manages automations for (tripwire.config.ts `owner`). */
  readonly owner: string;
  readonly backend: { readonly kind: "embedded" | "remote"; readonly url: string };
  /** Hash of the live state the plan was made against; apply refuses the plan if it no longer matches. */
  readonly fingerprint: string;
  /** What was read to make the plan (entities listed, names looked up), so apply can read it again. */
  readonly read: PlanReads;
  readonly prerequisites: readonly Prerequisite[];
  readonly operations: readonly Operation[];
  readonly drift: readonly DriftEntry[];
  readonly unmanaged: readonly UnmanagedEntry[];
  readonly diagnostics: readonly Diagnostic[];
  readonly summary: PlanSummary;
}


/** The outcome of one operation (or prerequisite). */
export interface OpResult {
  readonly op: Operation["op"] | "prerequisite";
  readonly address: string;
  readonly ok: boolean;
  readonly id?: string | undefined;
  readonly error?: string | undefined;
  readonly ms: number;
}
