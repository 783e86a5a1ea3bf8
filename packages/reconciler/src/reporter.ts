import type { OpResult } from "./apply/apply.js";

/**
 * Where library code sends human output: never `console`. The CLI prints to stderr (stdout carries the one
 * document of `--json`); tests collect. Messages carry a stable code.
 */
export interface Reporter {
  message(code: string, text: string): void;
  progress(result: OpResult): void;
}

export const SILENT: Reporter = { message: () => {}, progress: () => {} };

/** Message codes (informational). */
export const MESSAGES = {
  TWI001: "reading the live state",
  TWI002: "applying",
  TWI003: "apply finished",
  TWI004: "verifying",
  TWI005: "retrying a request",
  TWI006: "backtesting over a history file",
  TWI007: "reading run history from the live backend (a progress line per project)",
  TWI010: "import: reading the live automations",
  TWI011: "import: wrote the definitions",
  TWI012: "import: checking the definitions before marking",
  TWI013: "import: marked an automation managed",
  TW6550: "waiting for the backend's rate-limit window to reset",
} as const;
