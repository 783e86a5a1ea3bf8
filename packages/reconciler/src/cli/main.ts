import yargs from "yargs";
import { isReconcilerError } from "../errors.js";
import { applyCmd } from "./apply.js";
import { backtestCmd } from "./backtest.js";
import { UsageError, type Command } from "./command.js";
import { commentCmd } from "./comment.js";
import { importCmd } from "./import.js";
import { initCmd } from "./init.js";
import { processIo, type Io } from "./io.js";
import { planCmd } from "./plan.js";
import { serverCmd } from "./server.js";
import { testCmd } from "./test.js";
import { validateCmd } from "./validate.js";

/** Every command, in the order `--help` lists them. Each lives in its own file. */
export const COMMANDS: readonly Command[] = [initCmd, validateCmd, planCmd, applyCmd, importCmd, backtestCmd, testCmd, commentCmd, serverCmd];

/**
 * The `tripwire` command line: a thin shell over the exported API. Returns the exit code:
 * 0 success and nothing to change, 1 error, 2 changes present (plan --detailed-exitcode), 3 invalid definitions.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
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
    .version(false)
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
      io.stderr.write(`${await cli.getHelp()}\n\n${error.message}\n`);
      return 1;
    }
    if (isReconcilerError(error)) {
      io.stderr.write(`error ${error.code}: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`internal error (a Tripwire bug — please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
  return code;
}
