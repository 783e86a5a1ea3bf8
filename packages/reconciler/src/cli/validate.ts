import { sourceOf } from "../model/types.js";
import { definitionOptions, type Command } from "./command.js";
import { printDiagnostics, type Io } from "./io.js";

export interface ValidateArgs {
  readonly paths: readonly string[];
  readonly config?: string | undefined;
  readonly json: boolean;
  readonly typecheck: boolean;
}

/** `tripwire validate [paths…]`: offline checks — types, W&B's rules, names unique per scope, the offline lint checks. */
export async function validateCommand(args: ValidateArgs, io: Io): Promise<number> {
  const { validate } = await import("../api.js");
  const outcome = await validate({ cwd: io.cwd, paths: args.paths, ...(args.config ? { configFile: args.config } : {}), typecheck: args.typecheck, lint: true });
  if (args.json) {
    const errors = outcome.diagnostics.filter((d) => d.severity === "error").length;
    const doc = {
      valid: errors === 0,
      error_count: errors,
      warning_count: outcome.diagnostics.length - errors,
      automations: outcome.load.automations.map((a) => ({ address: a.address, source: sourceOf(a) })),
      diagnostics: outcome.diagnostics,
    };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    printDiagnostics(io, outcome.diagnostics);
    if (outcome.exitCode === 0) io.stdout.write(`${validSummary(outcome.load.automations.length, outcome.load.files.length)}\n`);
  }
  return outcome.exitCode;
}

/** The result of a successful validate, on stdout: `1 automation in 1 file is valid`. */
export function validSummary(automations: number, files: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(automations, "automation")} in ${plural(files, "file")} ${automations === 1 ? "is" : "are"} valid`;
}

export const validateCmd: Command = {
  command: "validate [paths..]",
  describe: "check definitions offline: types, W&B's rules, names unique per scope",
  builder: (y) => definitionOptions(y),
  run: (a, io) => validateCommand({ paths: a.paths, config: a.config, json: a.json, typecheck: a.typecheck }, io),
};
