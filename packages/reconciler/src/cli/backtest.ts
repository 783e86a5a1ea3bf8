import { definitionOptions, type Command } from "./command.js";
import { printDiagnostics, stderrReporter, useColor, type Io } from "./io.js";
import { renderInvalidJson } from "../render/json.js";

export interface BacktestArgs {
  readonly paths: readonly string[];
  readonly history: readonly string[];
  readonly config?: string | undefined;
  readonly json: boolean;
  readonly typecheck: boolean;
  readonly color?: boolean | undefined;
  readonly since?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly cache?: boolean | undefined;
  readonly html?: string | undefined;
}

/** `tripwire backtest [paths…] --history FILE|DIR`: what the definitions would have done over recorded history. */
export async function backtestCommand(args: BacktestArgs, io: Io): Promise<number> {
  const [{ backtest }, { renderBacktestJson, renderBacktestText }] = await Promise.all([import("../api.js"), import("../render/index.js")]);
  const outcome = await backtest({
    cwd: io.cwd,
    paths: args.paths,
    history: args.history,
    env: io.env,
    typecheck: args.typecheck,
    reporter: stderrReporter(io, args.json),
    ...(args.config ? { configFile: args.config } : {}),
    ...periodOf(args),
    ...(args.html !== undefined ? { series: true } : {}),
  });
  printDiagnostics(io, outcome.diagnostics);
  if (!outcome.report) {
    if (args.json) io.stdout.write(renderInvalidJson(outcome.diagnostics));
    return outcome.exitCode;
  }
  if (args.html !== undefined) {
    const [{ renderBacktestHtml }, { writeFileSync }, { resolve }] = await Promise.all([import("../render/html.js"), import("node:fs"), import("node:path")]);
    writeFileSync(resolve(io.cwd, args.html), renderBacktestHtml(outcome.report, outcome.specs ?? new Map(), outcome.series));
    if (!args.json) io.stderr.write(`Wrote the report to ${args.html}.\n`);
  }
  io.stdout.write(args.json ? renderBacktestJson(outcome.report) : renderBacktestText(outcome.report, { color: useColor(io, "stdout", args.color) }));
  return outcome.exitCode;
}

/** `--since`, `--from`, `--to`, `--no-cache` as the API takes them. */
export function periodOf(args: { since?: string | undefined; from?: string | undefined; to?: string | undefined; cache?: boolean | undefined }) {
  return {
    ...(args.since !== undefined ? { since: args.since } : {}),
    ...(args.from !== undefined ? { from: args.from } : {}),
    ...(args.to !== undefined ? { to: args.to } : {}),
    ...(args.cache === false ? { cache: false } : {}),
  };
}

/** The options of a backtest over the live history (no history files). */
export function periodOptions<T>(y: import("yargs").Argv<T>) {
  return y
    .option("since", { type: "string", describe: "with no history files: the live history of this long back from now (default 7d; m, h, d, w)" })
    .option("from", { type: "string", describe: "with no history files: the live history from this time (ISO 8601, UTC)" })
    .option("to", { type: "string", describe: "with no history files: the live history up to this time (default now)" })
    .option("cache", { type: "boolean", default: true, describe: "keep fetched live history in .tripwire/history (--no-cache: read it all again)" });
}

export const backtestCmd: Command = {
  command: "backtest [paths..]",
  describe: "replay history through the definitions: how often each would have fired, for which runs (default: the live backend's last 7 days)",
  builder: (y) =>
    periodOptions(definitionOptions(y))
      .option("history", {
        type: "string",
        array: true,
        describe: "JSONL event files, W&B run-history CSV exports (with <name>.run.json metadata), or folders of them (default: the live backend's run history)",
      })
      .option("html", { type: "string", describe: "also write a self-contained HTML report with plots of the runs that fired (and one that did not)" })
      .option("color", { type: "boolean", describe: "colour output (default: when stdout is a terminal and NO_COLOR is unset)" }),
  run: (a, io) =>
    backtestCommand(
      { paths: a.paths, history: a.history ?? [], config: a.config, json: a.json, typecheck: a.typecheck, color: a.color, since: a.since, from: a.from, to: a.to, cache: a.cache, html: a.html },
      io,
    ),
};
