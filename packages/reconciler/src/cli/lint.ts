import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { VERSION } from "./version.js";
import { definitionOptions, type Command } from "./command.js";
import { periodOf } from "./backtest.js";
import { printDiagnostics, stderrReporter, type Io } from "./io.js";
import { renderLintJson } from "../render/json.js";

export interface LintArgs {
  readonly paths: readonly string[];
  readonly config?: string | undefined;
  readonly json: boolean;
  readonly typecheck: boolean;
  readonly history?: readonly string[] | undefined;
  readonly format: "text" | "github";
  readonly sarif?: string | undefined;
  readonly list: boolean;
  readonly since?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly cache?: boolean | undefined;
}


/** `tripwire lint [paths…]`: the checks of docs/lint.md; exit 3 when a finding has error severity. */
export async function lintCommand(args: LintArgs, io: Io): Promise<number> {
  // Loaded with the command, not with the CLI: `--version` and `--help` stay light.
  if (args.list) {
    const { CHECKS } = await import("../model/checks.js");
    for (const [code, c] of Object.entries(CHECKS)) io.stdout.write(`${code}  ${c.severity.padEnd(7)}  ${c.needs === "history" ? "history " : "offline "}  ${c.title}\n`);
    return 0;
  }
  const [{ lint }, { renderGithubAnnotations }, { renderSarif }] = await Promise.all([import("../api/lint.js"), import("../render/github.js"), import("../render/sarif.js")]);
  const history = args.history && args.history.length > 0 ? args.history : undefined;
  const period = periodOf(args);
  const live = !history && (period.since !== undefined || period.from !== undefined || period.to !== undefined);
  const outcome = await lint({
    cwd: io.cwd,
    paths: args.paths,
    typecheck: args.typecheck,
    env: io.env,
    ...(args.config ? { configFile: args.config } : {}),
    ...(history ? { history } : {}),
    ...(live ? { ...period, reporter: stderrReporter(io, args.json) } : {}),
  });
  const { diagnostics } = outcome;
  if (args.sarif) writeFileSync(resolve(io.cwd, args.sarif), renderSarif(diagnostics, VERSION));
  if (args.json) {
    io.stdout.write(renderLintJson(diagnostics, history ?? (live ? "live" : null)));
  } else if (args.format === "github") {
    io.stdout.write(renderGithubAnnotations(diagnostics));
  } else {
    printDiagnostics(io, diagnostics);
  }
  if (!args.json) {
    if (!history && !live) io.stderr.write("History-aware checks (TWL060–TWL067) did not run: pass --history files or folders, or --since 7d for the backend's run history.\n");
    if (outcome.exitCode === 0) {
      const n = outcome.load.automations.length;
      io.stderr.write(`Linted ${n} automation${n === 1 ? "" : "s"}: ${diagnostics.length === 0 ? "no findings" : `${diagnostics.length} warning${diagnostics.length === 1 ? "" : "s"}`}.\n`);
    }
  }
  return outcome.exitCode;
}

export const lintCmd: Command = {
  command: "lint [paths..]",
  describe: "find automations that are valid but wrong: never fire, fire all day, page twice, loop (docs/lint.md)",
  builder: (y) =>
    definitionOptions(y)
      .option("history", { type: "string", array: true, describe: "history files or folders (as for backtest): also run the history-aware checks" })
      .option("since", { type: "string", describe: "with no --history: run the history-aware checks over the backend's run history of this long back (7d, 36h)" })
      .option("from", { type: "string", describe: "with no --history: …over the backend's run history from this time (ISO 8601, UTC)" })
      .option("to", { type: "string", describe: "with no --history: …up to this time (default now)" })
      .option("cache", { type: "boolean", default: true, describe: "keep fetched run history in .tripwire/history (--no-cache: read it all again)" })
      .option("format", { choices: ["text", "github"] as const, default: "text" as const, describe: "text (like tsc), or GitHub Actions annotations on stdout" })
      .option("sarif", { type: "string", describe: "also write the findings as SARIF 2.1.0 to this file (GitHub code scanning)" })
      .option("list", { type: "boolean", default: false, describe: "list the checks, their default severity and what they need" }),
  run: (a, io) =>
    lintCommand(
      { paths: a.paths, config: a.config, json: a.json, typecheck: a.typecheck, history: a.history, format: a.format, sarif: a.sarif, list: a.list, since: a.since, from: a.from, to: a.to, cache: a.cache },
      io,
    ),
};
