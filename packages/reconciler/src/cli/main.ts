import yargs from "yargs";
import { isReconcilerError } from "../model/errors.js";
import type { CliCode } from "./codes.js";
import { applyCmd } from "./apply.js";
import { backtestCmd } from "./backtest.js";
import { UsageError, type Command } from "./command.js";
import { commentCmd } from "./comment.js";
import { historyCmd } from "./history.js";
import { importCmd } from "./import.js";
import { initCmd } from "./init.js";
import { lintCmd } from "./lint.js";
import { processIo, type Io } from "./io.js";
import { planCmd } from "./plan.js";
import { serverCmd } from "./server.js";
import { unknownArguments } from "./suggest.js";
import { testCmd } from "./test.js";
import { validateCmd } from "./validate.js";
import { VERSION, versionCmd, versionCommand } from "./version.js";
import { renderErrorJson } from "../render/json.js";

/**
 * Every command, in the order `--help` lists them. Each lives in its own file, which loads what its handler needs
 * (the API, the renderers, the server) only when it runs: `tripwire --version` and `--help` load yargs and these
 * definitions, nothing else.
 */
export const COMMANDS: readonly Command[] = [initCmd, validateCmd, lintCmd, planCmd, applyCmd, importCmd, backtestCmd, testCmd, commentCmd, serverCmd, historyCmd, versionCmd];

/**
 * The `tripwire` command line: a thin shell over the exported API. Returns the exit code:
 * 0 success and nothing to change, 1 error, 2 changes present (plan --detailed-exitcode), 3 invalid definitions.
 */
export async function main(given: readonly string[], io: Io = processIo()): Promise<number> {
  // `tripwire help [command]`, as git and npm take it.
  const argv = given[0] === "help" ? [...given.slice(1), "--help"] : given;
  // `--json` promises exactly one JSON document on stdout, also when the run stops before a command could print one.
  const json = argv.includes("--json");
  const abort = (kind: "usage" | "failure" | "internal", code: CliCode | string, message: string, human: string): number => {
    if (json) io.stdout.write(renderErrorJson(kind, code, message));
    io.stderr.write(human);
    return 1;
  };
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) return versionCommand(io);
  let code = 0;
  let cli = yargs([...argv])
    .scriptName("tripwire")
    .usage("$0 <command> [options]\n\nWeights & Biases Automations as code: plan, review and apply them like infrastructure.");
  for (const c of COMMANDS) {
    cli = cli.command(c.command, c.describe, c.builder, async (a) => {
      code = await c.run(a, io);
    });
  }
  cli = cli
    .demandCommand(1, `name a command: ${COMMANDS.map((c) => c.command.split(" ")[0]).join(", ")}`)
    .strict()
    .help()
    .alias("help", "h")
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error && !(error instanceof UsageError) && error.name !== "YError") throw error;
      // Throwing is what stops yargs: a fail handler that returns lets it go on and run the command anyway.
      throw new UsageError(message ?? error?.message ?? "invalid command line");
    });
  try {
    await cli.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) {
      // An unknown command or option is one line with what was probably meant; other mistakes show the help.
      const unknown = unknownArguments(error.message, argv, COMMANDS);
      if (unknown) return abort("usage", "TW6200", unknown, `error: ${unknown}\n`);
      return abort("usage", "TW6200", error.message, `${json ? "" : `${await cli.getHelp()}\n\n`}${error.message}\n`);
    }
    if (isReconcilerError(error)) return abort("failure", error.code, error.message, `error ${error.code}: ${error.message}\n`);
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return abort("internal", "TWE099", error instanceof Error ? error.message : String(error), `internal error (a Tripwire bug — please report it): ${detail}\n`);
  }
  return code;
}
