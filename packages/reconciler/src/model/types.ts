import type { DiagnosticCode } from "./codes.js";
import type { AutomationSpec, Issue, Scope, SourceLocation } from "@tripwire/sdk";
import type { WireTrigger } from "@tripwire/sdk/wire";

/**
 * A stable logical address for an automation: its scope key and its name (`project:acme/llm/loss-spike`).
 * Names are unique per scope in W&B, so the address identifies one live automation.
 */
export type Address = string;

/** An automation as the user's code defines it. */
export interface DesiredAutomation {
  readonly address: Address;
  readonly spec: AutomationSpec;
  /** Where the definition was written (the builder's recorded call site); see {@link sourceOf}. */
  readonly source?: SourceLocation | undefined;
  /**
   * The same, computed on first use: reading a definition's call site formats a stack trace through source maps,
   * which only the definitions that end up in a diagnostic or an operation should pay for.
   */
  readonly locate?: (() => SourceLocation | undefined) | undefined;
  /** For a `collections(filter)` definition expanded into one automation per collection: the definition's address. */
  readonly expandedFrom?: Address | undefined;
}

/** A desired automation with its names resolved to live IDs (absent when the embedded default will create them). */
export interface ResolvedAutomation extends DesiredAutomation {
  readonly scopeId?: string | undefined;
  readonly integrationId?: string | undefined;
}

/** What Tripwire recorded on a live automation it manages (see model/ownership.ts). */
export interface Ownership {
  /** Which Tripwire configuration manages it (`owner` in tripwire.config.ts). */
  readonly owner: string;
  /** Hash of the definition Tripwire last applied. */
  readonly hash: string;
  /** Deletion refused (`.protect()`). */
  readonly protect: boolean;
}

/** An automation as the live backend holds it. */
export interface LiveAutomation {
  readonly id: string;
  readonly address: Address;
  readonly name: string;
  readonly scopeId: string;
  /** The decoded definition, description without Tripwire's marker; absent when the scope cannot be told. */
  readonly spec?: AutomationSpec | undefined;
  readonly scope?: Scope | undefined;
  readonly issues: readonly Issue[];
  /** Present when Tripwire created or imported it. */
  readonly ownership?: Ownership | undefined;
  readonly integrationId?: string | undefined;
  readonly raw: WireTrigger;
}

/** A user mistake, returned as data (printed like tsc). */
export interface Diagnostic {
  /** A registered code (model/codes.ts), the SDK's or lint's, or TypeScript's `TSnnnn`. */
  readonly code: DiagnosticCode;
  /** The code's old spelling, when it was renumbered (model/codes.ts `FORMERLY`). */
  readonly formerly?: string | undefined;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly source?: SourceLocation | undefined;
  /** The automation it is about (its name), when there is one. */
  readonly subject?: string | undefined;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean => diagnostics.some((d) => d.severity === "error");

/** Where a definition was written, from `source` or computed by `locate`. */
export const sourceOf = (d: DesiredAutomation): SourceLocation | undefined => d.source ?? d.locate?.();
