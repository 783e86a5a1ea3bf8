// What `tripwire import` reports: per live automation selected, what was done with it.
import type { SourceLocation } from "@tripwire/sdk";
import type { ExitCode } from "./exit.js";
import type { Diagnostic } from "./types.js";

/** What import did with one live automation. */
export type ImportStatus =
  | "imported" // written as code, then marked managed
  | "adopted" // already defined in code exactly as in W&B: only marked managed
  | "managed" // already managed by this configuration: left alone
  | "skipped"; // left alone: managed by another configuration, not manageable, or defined differently in code

export interface ImportedAutomation {
  readonly address: string;
  readonly id: string;
  readonly name: string;
  readonly status: ImportStatus;
  /** The exported constant written for it (`imported`). */
  readonly identifier?: string | undefined;
  /** Its definition in code: the generated one (`imported`) or the existing one (`adopted`). */
  readonly source?: SourceLocation | undefined;
  /** Why it was skipped or not marked, or what is kept verbatim. */
  readonly reason?: string | undefined;
  /** Whether the ownership marker was written (`imported` and `adopted` only). */
  readonly marked?: boolean | undefined;
}

export interface ImportOutcome {
  /** The file written (or that would be), relative to `cwd`. */
  readonly out: string;
  /** Whether the file was written (false: nothing new to write, or a dry run). */
  readonly written: boolean;
  /** Whether `out` existed, so the new definitions are (or would be) appended to it. */
  readonly appended: boolean;
  readonly dryRun: boolean;
  /** The file's text after the import (also on a dry run); absent when nothing was generated. */
  readonly text?: string | undefined;
  /** The owner the markers name (tripwire.config.ts `owner`). */
  readonly owner: string;
  readonly backend?: { readonly kind: "embedded" | "remote"; readonly url: string } | undefined;
  /** Every live automation selected, by address. */
  readonly automations: readonly ImportedAutomation[];
  readonly diagnostics: readonly Diagnostic[];
  readonly exitCode: ExitCode;
}
