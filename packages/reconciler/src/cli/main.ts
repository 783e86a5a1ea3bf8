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
  const cli = commandLine(argv);
  // yargs parses and validates; the command runs here, and its help is rendered only when it ends in a usage error.
  let ran: Command | undefined;
  try {
    const parsed = await cli.parseAsync();
    // --help and --version were answered by yargs.
    if (parsed.help === true || parsed.version === true) return 0;
    const command = COMMANDS.find((c) => nameOf(c) === String(parsed._[0]));
    if (!command) throw new Error(`yargs accepted a command tripwire does not have: ${String(parsed._[0])}`);
    ran = command;
    command.check?.(parsed);
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      // An unknown command or option is one line with what was probably meant; other mistakes show the help.
      const unknown = unknownArguments(error.message, argv, COMMANDS);
      if (unknown) return abort("usage", "TW6200", unknown, `error: ${unknown}\n`);
      const help = json ? "" : `${ran ? await helpOf(ran) : await cli.getHelp()}\n\n`;
      return abort("usage", "TW6200", error.message, `${help}${error.message}\n`);
    }
    if (isReconcilerError(error)) return abort("failure", error.code, error.message, `error ${error.code}: ${error.message}\n`);
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return abort("internal", "TWE099", error instanceof Error ? error.message : String(error), `internal error (a Tripwire bug — please report it): ${detail}\n`);
  }
}

const nameOf = (c: Command) => c.command.split(" ")[0] as string;

/** The yargs definition of every command (parsing and validation only; main runs the command). */
function commandLine(argv: readonly string[]) {
  let cli = yargs([...argv])
    .scriptName("tripwire")
    .usage("$0 <command> [options]\n\nWeights & Biases Automations as code: plan, review and apply them like infrastructure.");
  for (const c of COMMANDS) cli = cli.command(c.command, c.describe, c.builder);
  skipHelpCache(cli);
  return cli
    .demandCommand(1, `name a command: ${COMMANDS.map(nameOf).join(", ")}`)
    .strict()
    .help()
    .alias("help", "h")
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    // yargs' own messages in English whatever LANG says, like the rest of the CLI's text: unknownArguments reads
    // them, and the bundle does not carry yargs' translations (which it looked up by LANG in its own folder).
    .detectLocale(false)
    .fail((message, error) => {
      if (error && !(error instanceof UsageError) && error.name !== "YError") throw error;
      // Throwing is what stops yargs: a fail handler that returns lets it go on and run the command anyway.
      throw new UsageError(message ?? error?.message ?? "invalid command line");
    });
}

/**
 * yargs renders the matched command's whole help after starting its handler, on every run (about a tenth of
 * `plan --no-typecheck`'s time, with the text-width libraries it loads), in case the handler fails later; main
 * renders a command's help itself, only for a usage error ({@link helpOf}). The usage object is yargs' own
 * (`getInternalMethods` is not in its types): when a yargs version lacks it, nothing changes but the time.
 */
function skipHelpCache(cli: object): void {
  const internal = cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => undefined;
}

/** `tripwire <command> --help`, as text (yargs hands it to the parse callback instead of printing it). */
function helpOf(command: Command): Promise<string> {
  const args = [nameOf(command), "--help"];
  return new Promise((resolve) => {
    commandLine(args).parse(args, {}, (_error, _argv, output) => resolve(output));
  });
}

