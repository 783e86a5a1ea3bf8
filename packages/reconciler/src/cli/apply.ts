import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ReconcilerError } from "../model/errors.js";
import { definitionOptions, liveOptions, type Command } from "./command.js";
import type { OpResult } from "../model/plan.js";
import { ask, interactive, printDiagnostics, progressLine, stderrReporter, useColor, type Io } from "./io.js";
import { renderApplyJson } from "../render/json.js";

export interface ApplyArgs {
  readonly paths: readonly string[];
  readonly config?: string | undefined;
  readonly json: boolean;
  readonly yes: boolean;
  readonly allowDelete: boolean;
  readonly typecheck: boolean;
  readonly color?: boolean | undefined;
  readonly parallelism?: number | undefined;
}

/**
 * A single `.json` argument is a saved plan (definitions are `.ts` / `.js` files or folders); anything else names
 * definitions. A plan file that is not there is said to be missing, not read as a definition path.
 */
function savedPlan(paths: readonly string[], cwd: string): string | undefined {
  if (paths.length !== 1) return undefined;
  const p = paths[0] as string;
  if (!p.endsWith(".json")) return undefined;
  const abs = resolve(cwd, p);
  if (!existsSync(abs)) throw new ReconcilerError("TW6201", `the plan file ${p} does not exist: save one with \`tripwire plan --out ${p}\`, or run \`tripwire apply\` without it`);
  if (!statSync(abs).isFile()) throw new ReconcilerError("TW6201", `the plan file ${p} is not a file`);
  return p;
}

/**
 * `tripwire apply [plan.json | paths…]`: shows the plan, asks on a terminal (refuses without `--yes` elsewhere),
 * applies it, and re-reads the live state to report anything that still differs.
 */
export async function applyCommand(args: ApplyArgs, io: Io): Promise<number> {
  const [{ apply }, { renderText }] = await Promise.all([import("../api.js"), import("../render/index.js")]);
  const planFile = savedPlan(args.paths, io.cwd);
  const canAsk = interactive(io) && !args.json;
  const outcome = await apply({
    cwd: io.cwd,
    env: io.env,
    typecheck: args.typecheck,
    yes: args.yes,
    allowDelete: args.allowDelete,
    reporter: stderrReporter(io, args.json),
    ...(planFile ? { planFile } : { paths: args.paths }),
    ...(args.config ? { configFile: args.config } : {}),
    ...(args.parallelism ? { parallelism: args.parallelism } : {}),
    onPlan: (p) => {
      if (!args.json) io.stderr.write(renderText(p, { color: useColor(io, "stderr", args.color) }));
    },
    ...(canAsk
      ? {
          confirm: (p) => {
            const deletes = p.operations.filter((o) => o.op === "delete").length;
            const warning = deletes > 0 ? `\nThis destroys ${deletes} automation${deletes === 1 ? "" : "s"}.` : "";
            return ask(io, `\nDo you want to apply these changes?${warning}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
          },
        }
      : {}),
  });
  if (args.json) {
    io.stdout.write(renderApplyJson(outcome));
    return outcome.exitCode;
  }
  // With a plan, its text (shown before anything happened) already listed the diagnostics.
  if (!outcome.plan) printDiagnostics(io, outcome.diagnostics);
  if (outcome.refused) io.stderr.write(`\nerror: ${outcome.refused}\n`);
  if (outcome.results.length > 0) {
    const failed = outcome.results.filter((r) => !r.ok);
    io.stderr.write(`\nApply ${failed.length === 0 ? "complete" : "finished with errors"}: ${applySummary(outcome.results)}.\n`);
    for (const r of failed) io.stderr.write(`  ${progressLine(r)}\n`);
  }
  if (outcome.remaining.length > 0) {
    io.stderr.write(`\nStill different after the apply:\n${outcome.remaining.map((r) => `  ${r}`).join("\n")}\n`);
  }
  return outcome.exitCode;
}

/**
 * `2 added, 1 changed, 0 destroyed, 11 prerequisites created`: the plan's own counts (its labels, done), with the
 * prerequisites the embedded default created apart, and the failures when there were some.
 */
export function applySummary(results: readonly OpResult[]): string {
  const done = (op: OpResult["op"]) => results.filter((r) => r.ok && r.op === op).length;
  const renamed = done("rename");
  const prerequisites = done("prerequisite");
  const failed = results.filter((r) => !r.ok).length;
  return [
    `${done("create")} added`,
    `${done("update")} changed`,
    ...(renamed > 0 ? [`${renamed} renamed`] : []),
    `${done("delete")} destroyed`,
    ...(prerequisites > 0 ? [`${prerequisites} prerequisite${prerequisites === 1 ? "" : "s"} created`] : []),
    ...(failed > 0 ? [`${failed} failed`] : []),
  ].join(", ");
}

export const applyCmd: Command = {
  command: "apply [paths..]",
  describe: "apply the definitions, or a saved plan (tripwire apply plan.json)",
  builder: (y) =>
    liveOptions(definitionOptions(y))
      .option("yes", { alias: ["y", "auto-approve"], type: "boolean", default: false, describe: "apply without asking (required when not on a terminal)" })
      .option("allow-delete", { type: "boolean", default: false, describe: "allow deleting managed automations no longer in code without asking" }),
  run: (a, io) =>
    applyCommand(
      { paths: a.paths, config: a.config, json: a.json, yes: a.yes, allowDelete: a.allowDelete, typecheck: a.typecheck, color: a.color, parallelism: a.parallelism },
      io,
    ),
};
