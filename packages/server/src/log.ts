/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Where the server's library code logs. Nothing in the library calls `console`: the CLI passes a
 * {@link jsonLogger} on stderr, tests pass their own or {@link silentLogger}.
 */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  /** Whether `level` is written at all (lets hot paths skip building fields); assumed true when absent. */
  enabled?(level: LogLevel): boolean;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * One JSON object per line (`{"time","level","msg",…fields}`), written to `out` (stderr in the CLI).
 * @example const logger = jsonLogger((line) => process.stderr.write(line), "info");
 */
export function jsonLogger(write: (line: string) => void, minLevel: LogLevel = "info"): Logger {
  const min = ORDER[minLevel];
  return {
    enabled: (level) => ORDER[level] >= min,
    log(level, msg, fields) {
      if (ORDER[level] < min) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
    },
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log() {}, enabled: () => false };
