import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { definitionOptions, liveOptions, UsageError, type Command } from "./command.js";
import { periodOf, periodOptions } from "./backtest.js";
import { printDiagnostics, stderrReporter, useColor, type Io } from "./io.js";
import { renderInvalidJson } from "../render/json.js";

export interface PlanArgs {
  readonly paths: readonly string[];
  readonly config?: string | undefined;
  readonly json: boolean;
  readonly markdown: boolean;
  readonly out?: string | undefined;
  readonly detailedExitcode: boolean;
  readonly typecheck: boolean;
  readonly color?: boolean | undefined;
  readonly parallelism?: number | undefined;
  readonly backtest?: readonly string[] | undefined;
  readonly lint?: boolean | undefined;
  readonly label?: readonly string[] | undefined;
  readonly since?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly cache?: boolean | undefined;
}

/** Separates the parts of `--markdown` output, each small enough for one pull-request comment. */
export const MARKDOWN_PART_SEPARATOR = "\n<!-- tripwire:part -->\n";

/** `tripwire plan [paths…]`: what apply would change, as text, Markdown (`--markdown`) or JSON (`--json`). */
export async function planCommand(args: PlanArgs, io: Io): Promise<number> {
  const [{ plan }, { renderDiagnosticsMarkdown, renderJson, renderMarkdown, renderText }] = await Promise.all([import("../api.js"), import("../render/index.js")]);
  const outcome = await plan({
    cwd: io.cwd,
    paths: args.paths,
    env: io.env,
    typecheck: args.typecheck,
    detailedExitCode: args.detailedExitcode,
    reporter: stderrReporter(io, args.json),
    ...(args.config ? { configFile: args.config } : {}),
    ...(args.parallelism ? { parallelism: args.parallelism } : {}),
    // `--backtest` with no files: over the live backend's run history.
    ...(args.backtest ? { backtest: args.backtest, ...periodOf(args) } : {}),
    ...(args.lint ? { lint: true } : {}),
    ...labelsOf(args, io),
  });
  if (!outcome.plan) {
    if (args.json) io.stdout.write(renderInvalidJson(outcome.diagnostics));
    else {
      if (args.markdown) io.stdout.write(renderDiagnosticsMarkdown(outcome.diagnostics));
      printDiagnostics(io, outcome.diagnostics);
    }
    return outcome.exitCode;
  }
  const { backtest } = outcome;
  if (args.out) {
    writeFileSync(resolve(io.cwd, args.out), renderJson(outcome.plan, backtest));
    if (!args.json) io.stderr.write(`Saved the plan to ${args.out}: apply exactly it with \`tripwire apply ${args.out}\`.\n`);
  }
  if (args.json) io.stdout.write(renderJson(outcome.plan, backtest));
  else if (args.markdown) io.stdout.write(renderMarkdown(outcome.plan, { backtest }).join(MARKDOWN_PART_SEPARATOR));
  else io.stdout.write(renderText(outcome.plan, { color: useColor(io, "stdout", args.color), backtest }));
  // The history could not be replayed: the plan is shown without its backtest, and the run fails.
  if (outcome.backtestDiagnostics) printDiagnostics(io, outcome.backtestDiagnostics);
  return outcome.exitCode;
}

/** `--label` (repeatable), else `TRIPWIRE_PR_LABELS` (comma-separated), else unknown. */
function labelsOf(args: PlanArgs, io: Io): { labels?: readonly string[] } {
  if (args.label && args.label.length > 0) return { labels: args.label.flatMap((l) => l.split(",")).map((l) => l.trim()).filter((l) => l !== "") };
  const env = io.env.TRIPWIRE_PR_LABELS;
  return env === undefined ? {} : { labels: env.split(",").map((l) => l.trim()).filter((l) => l !== "") };
}

export const planCmd: Command = {
  command: "plan [paths..]",
  describe: "show what apply would change in the live backend",
  builder: (y) =>
    periodOptions(liveOptions(definitionOptions(y)))
      .option("out", { alias: "o", type: "string", describe: "save the plan as JSON, to apply exactly it later" })
      .option("markdown", { type: "boolean", default: false, describe: "Markdown for a pull-request comment (parts separated by <!-- tripwire:part -->)" })
      .option("detailed-exitcode", { type: "boolean", default: false, describe: "exit 2 when there are changes (0 none, 1 error, 3 invalid definitions)" })
      .option("backtest", { type: "string", array: true, describe: "history files or folders (none: the live backend's run history, --since 7d): show each change's firings, old and new definition, over them" })
      .option("label", { type: "string", array: true, describe: "the pull request's labels, for policies (default: TRIPWIRE_PR_LABELS, comma-separated)" })
      .option("lint", { type: "boolean", default: false, describe: "run the tripwire lint checks, the history-aware ones over the --backtest history" }),
  check: (a) => {
    if (a.json && a.markdown) throw new UsageError("choose one output: --json or --markdown");
  },
  run: (a, io) =>
    planCommand(
      {
        paths: a.paths,
        config: a.config,
        json: a.json,
        markdown: a.markdown,
        out: a.out,
        detailedExitcode: a.detailedExitcode,
        typecheck: a.typecheck,
        color: a.color,
        parallelism: a.parallelism,
        backtest: a.backtest,
        lint: a.lint,
        label: a.label,
        since: a.since,
        from: a.from,
        to: a.to,
        cache: a.cache,
      },
      io,
    ),
};
