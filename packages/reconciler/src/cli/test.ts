import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "./command.js";
import { printDiagnostics, useColor, type Io } from "./io.js";

export interface TestArgs {
  readonly files: readonly string[];
  readonly config?: string | undefined;
  readonly junit?: string | undefined;
  readonly typecheck: boolean;
  readonly color?: boolean | undefined;
}

/** `tripwire test [files…] [--junit FILE]`: YAML / JSON tests of the definitions; exit 0 all pass, 1 any fails. */
export async function testCommand(args: TestArgs, io: Io): Promise<number> {
  const [{ testAutomations }, { renderJunit, renderTestResults }] = await Promise.all([import("../api.js"), import("../render/index.js")]);
  const outcome = await testAutomations({ cwd: io.cwd, files: args.files, env: io.env, typecheck: args.typecheck, ...(args.config ? { configFile: args.config } : {}) });
  printDiagnostics(io, outcome.diagnostics);
  if (outcome.results.length > 0) io.stdout.write(renderTestResults(outcome.results, { color: useColor(io, "stdout", args.color) }));
  if (args.junit) {
    writeFileSync(resolve(io.cwd, args.junit), renderJunit(outcome.results, new Date()));
    io.stderr.write(`Wrote the JUnit report to ${args.junit}.\n`);
  }
  return outcome.exitCode;
}

export const testCmd: Command = {
  command: "test [files..]",
  describe: "run YAML / JSON tests of the definitions: given runs and artifact events, what must (not) fire",
  builder: (y) =>
    y
      .positional("files", { type: "string", array: true, default: [] as string[], describe: "test files, or folders searched for *.test.yaml|yml|json (default: the working directory)" })
      .option("junit", { type: "string", describe: "also write a JUnit XML report to this file" })
      .option("config", { alias: "c", type: "string", describe: "config file (default: tripwire.config.ts in the working directory)" })
      .option("typecheck", { type: "boolean", default: true, describe: "type-check definition files with TypeScript (--no-typecheck to skip)" })
      .option("color", { type: "boolean", describe: "colour output (default: when stdout is a terminal and NO_COLOR is unset)" }),
  run: (a, io) => testCommand({ files: a.files, junit: a.junit, config: a.config, typecheck: a.typecheck, color: a.color }, io),
};
