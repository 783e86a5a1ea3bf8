import { definitionOptions, type Command } from "./command.js";
import { printDiagnostics, type Io } from "./io.js";
import { renderValidateJson } from "../render/json.js";

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
    io.stdout.write(renderValidateJson(outcome.load.automations, outcome.diagnostics));
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
