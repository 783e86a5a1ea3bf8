import type { OpResult } from "./plan.js";
import { pick, type Code } from "./codes.js";

/**
 * Where library code sends human output: never `console`. The CLI prints to stderr (stdout carries the one
 * document of `--json`); tests collect. Messages carry a stable code.
 */
export interface Reporter {
  message(code: Code, text: string): void;
  progress(result: OpResult): void;
}

export const SILENT: Reporter = { message: () => {}, progress: () => {} };

/** Message codes (informational). */
export const MESSAGES = pick("TWI001", "TWI002", "TWI004", "TWI005", "TWI006", "TWI007", "TWI010", "TWI011", "TWI012", "TWI013", "TW6550");
