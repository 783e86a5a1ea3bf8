import yargs, { type Argv } from "yargs";
import { isReconcilerError } from "../errors.js";
import { applyCommand } from "./apply.js";
import { commentCommand } from "./comment.js";
import { processIo, type Io } from "./io.js";
import { planCommand } from "./plan.js";
import { validateCommand } from "./validate.js";

/** A mistake on the command line: printed with the help, exit 1. */
class UsageError extends Error {}

const common = <T>(y: Argv<T>) =>
  y
    .positional("paths", { type: "string", array: true, default: [] as string[], describe: "definition files or folders (default: the config's automations, else automations/)" })
    .option("config", { alias: "c", type: "string", describe: "config file (default: tripwire.config.ts in the working directory)" })
    .option("json", { type: "boolean", default: false, describe: "print one JSON document on stdout (human text goes to stderr)" })
    .option("typecheck", { type: "boolean", default: true, describe: "type-check definition files with TypeScript (--no-typecheck to skip)" });

const live = <T>(y: Argv<T>) =>
  y
    .option("color", { type: "boolean", describe: "colour output (default: when the stream is a terminal and NO_COLOR is unset)" })
    .option("parallelism", { type: "number", describe: "concurrent requests to the backend (default 8)" });

/**
 * The `tripwire` command line: a thin shell over the exported API. Returns the exit code:
 * 0 success and nothing to change, 1 error, 2 changes present (plan --detailed-exitcode), 3 invalid definitions.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  let usageError: string | undefined;
  const cli = yargs([...argv])
    .scriptName("tripwire")
    .usage("$0 <command> [options]\n\nWeights & Biases Automations as code: plan, review and apply them like infrastructure.")
    .command(
      "validate [paths..]",
      "check definitions offline: types, W&B's rules, names unique per scope",
      (y) => common(y),
      async (a) => {
        code = await validateCommand({ paths: a.paths as string[], config: a.config, json: a.json, typecheck: a.typecheck }, io);
      },
    )
    .command(
      "plan [paths..]",
      "show what apply would change in the live backend",
      (y) =>
        live(common(y))
          .option("out", { alias: "o", type: "string", describe: "save the plan as JSON, to apply exactly it later" })
          .option("markdown", { type: "boolean", default: false, describe: "Markdown for a pull-request comment (parts separated by <!-- tripwire:part -->)" })
          .option("detailed-exitcode", { type: "boolean", default: false, describe: "exit 2 when there are changes (0 none, 1 error, 3 invalid definitions)" })
          .check((a) => {
            if (a.json && a.markdown) throw new UsageError("choose one output: --json or --markdown");
            return true;
          }),
      async (a) => {
        code = await planCommand(
          {
            paths: a.paths as string[],
            config: a.config,
            json: a.json,
            markdown: a.markdown,
            out: a.out,
            detailedExitcode: a.detailedExitcode,
            typecheck: a.typecheck,
            color: a.color,
            parallelism: a.parallelism,
          },
          io,
        );
      },
    )
    .command(
      "apply [paths..]",
      "apply the definitions, or a saved plan (tripwire apply plan.json)",
      (y) =>
        live(common(y))
          .option("yes", { alias: ["y", "auto-approve"], type: "boolean", default: false, describe: "apply without asking (required when not on a terminal)" })
          .option("allow-delete", { type: "boolean", default: false, describe: "allow deleting managed automations no longer in code without asking" }),
      async (a) => {
        code = await applyCommand(
          {
            paths: a.paths as string[],
            config: a.config,
            json: a.json,
            yes: a.yes,
            allowDelete: a.allowDelete,
            typecheck: a.typecheck,
            color: a.color,
            parallelism: a.parallelism,
          },
          io,
        );
      },
    )
    .command(
      "comment <file>",
      "post `tripwire plan --markdown` output on a pull request, updating the same comments in place",
      (y) =>
        y
          .positional("file", { type: "string", demandOption: true, describe: "the Markdown (- for stdin)" })
          .option("repo", { type: "string", demandOption: true, describe: "owner/name (in GitHub Actions: $GITHUB_REPOSITORY)" })
          .option("pr", { type: "number", demandOption: true, describe: "pull-request number" })
          .option("token-env", { type: "string", default: "GITHUB_TOKEN", describe: "environment variable holding the GitHub token" })
          .option("api-url", { type: "string", describe: "GitHub REST API root (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3)" }),
      async (a) => {
        code = await commentCommand({ file: a.file, repo: a.repo, pr: a.pr, tokenEnv: a.tokenEnv, apiUrl: a.apiUrl }, io);
      },
    )
    .demandCommand(1, "name a command: validate, plan, apply or comment")
    .strict()
    .help()
    .alias("help", "h")
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error && !(error instanceof UsageError) && error.name !== "YError") throw error;
      usageError = message ?? error?.message;
    });
  try {
    await cli.parseAsync();
  } catch (error) {
    if (isReconcilerError(error)) {
      io.stderr.write(`error ${error.code}: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`internal error (a Tripwire bug — please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
  if (usageError) {
    io.stderr.write(`${await cli.getHelp()}\n\n${usageError}\n`);
    return 1;
  }
  return code;
}
