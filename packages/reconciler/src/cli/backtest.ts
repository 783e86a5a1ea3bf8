import { definitionOptions, type Command } from "./command.js";
import { printDiagnostics, stderrReporter, useColor, type Io } from "./io.js";

export interface BacktestArgs {
  readonly paths: readonly string[];
  readonly history: readonly string[];
  readonly config?: string | undefined;
  readonly json: boolean;
  readonly typecheck: boolean;
  readonly color?: boolean | undefined;
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
  });
  printDiagnostics(io, outcome.diagnostics);
  if (!outcome.report) {
    if (args.json) io.stdout.write(`${JSON.stringify({ valid: false, diagnostics: outcome.diagnostics }, null, 2)}\n`);
    return outcome.exitCode;
  }
  io.stdout.write(args.json ? renderBacktestJson(outcome.report) : renderBacktestText(outcome.report, { color: useColor(io, "stdout", args.color) }));
  return outcome.exitCode;
}

export const backtestCmd: Command = {
  command: "backtest [paths..]",
  describe: "replay recorded history through the definitions: how often each would have fired, for which runs",
  builder: (y) =>
    definitionOptions(y)
      .option("history", {
        type: "string",
        array: true,
        demandOption: "name the recorded history: --history FILE|DIR",
        describe: "JSONL event files, W&B run-history CSV exports (with <name>.run.json metadata), or folders of them",
      })
      .option("color", { type: "boolean", describe: "colour output (default: when stdout is a terminal and NO_COLOR is unset)" }),
  run: (a, io) => backtestCommand({ paths: a.paths, history: a.history, config: a.config, json: a.json, typecheck: a.typecheck, color: a.color }, io),
};
