// What `tripwire test` reports per test file and test.
import type { Diagnostic } from "./types.js";

export interface TestResult {
  readonly name: string;
  readonly line: number;
  readonly ok: boolean;
  readonly failures: readonly { readonly line: number; readonly message: string }[];
  readonly ms: number;
}

/** The tests of one file, or why it could not be run. */
export interface TestFileResult {
  /** Relative to the working directory. */
  readonly file: string;
  readonly tests: readonly TestResult[];
  /** The file could not be read, or its definitions could not be loaded. */
  readonly diagnostics: readonly Diagnostic[];
}
