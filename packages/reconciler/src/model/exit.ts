// The exit codes, the same for every command (README "Exit codes").
/** Exit codes, the same for every command. */
export const EXIT = { ok: 0, error: 1, changes: 2, diagnostics: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
