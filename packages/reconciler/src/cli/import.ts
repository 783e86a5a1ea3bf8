import type { ImportedAutomation, ImportOutcome } from "../api/import.js";
import { UsageError, type Command } from "./command.js";
import { printDiagnostics, stderrReporter, type Io } from "./io.js";
import { renderImportJson } from "../render/json.js";

export interface ImportArgs {
  readonly entity?: string | undefined;
  readonly project?: string | undefined;
  readonly registry?: string | undefined;
  readonly nameFilter?: string | undefined;
  readonly out?: string | undefined;
  readonly dryRun: boolean;
  readonly config?: string | undefined;
  readonly json: boolean;
  readonly typecheck: boolean;
  readonly parallelism?: number | undefined;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
/** How many automations already managed the summary names before it only counts the rest. */
const MANAGED_SHOWN = 20;

/** The human summary: what was written, adopted, left alone, and whether the markers were written. */
export function renderImportSummary(outcome: ImportOutcome): string {
  const by = (status: ImportedAutomation["status"]) => outcome.automations.filter((a) => a.status === status);
  const imported = by("imported");
  const adopted = by("adopted");
  const managed = by("managed");
  const skipped = by("skipped");
  const lines: string[] = [];
  const at = (a: ImportedAutomation) => (a.source ? ` (${a.source.file}:${a.source.line})` : "");
  if (imported.length > 0) {
    const verb = outcome.appended ? (outcome.written ? "Appended" : "Would append") : outcome.written ? "Wrote" : "Would write";
    lines.push(`${verb} ${plural(imported.length, "automation")} to ${outcome.out}:`);
    // After a run, an unmarked one's reason says why it was not marked; otherwise it says what is kept verbatim.
    const why = (a: ImportedAutomation) => (!outcome.dryRun && a.marked === false ? a.reason : `kept verbatim: ${a.reason}`);
    for (const a of imported) lines.push(`  + ${a.address} → ${a.identifier ?? "?"}${a.reason ? ` (${why(a)})` : ""}`);
  }
  if (adopted.length > 0) {
    lines.push(`Already defined in code exactly as in W&B (${plural(adopted.length, "automation")}):`);
    for (const a of adopted) lines.push(`  = ${a.address}${at(a)}`);
  }
  if (managed.length > 0) {
    lines.push(`Already managed by this configuration (owner ${outcome.owner}), left alone:`);
    // On a re-run this is most of the entity: the ones with something to say first, then a sample.
    const shown = [...managed.filter((a) => a.reason), ...managed.filter((a) => !a.reason)].slice(0, Math.max(MANAGED_SHOWN, managed.filter((a) => a.reason).length));
    for (const a of shown) lines.push(`  · ${a.address}${a.reason ? ` — ${a.reason}` : ""}`);
    if (shown.length < managed.length) lines.push(`  … and ${managed.length - shown.length} more (--json lists every one)`);
  }
  if (skipped.length > 0) {
    lines.push("Skipped, left in W&B as they are:");
    for (const a of skipped) lines.push(`  ! ${a.address}: ${a.reason ?? ""}`);
  }
  if (outcome.automations.length === 0) lines.push("No automations matched: nothing to import.");
  const toMark = [...imported, ...adopted];
  const marked = toMark.filter((a) => a.marked);
  const unmarked = toMark.filter((a) => !a.marked);
  if (outcome.dryRun) lines.push("Dry run: nothing written, nothing marked.");
  else {
    if (marked.length > 0) lines.push(`Marked ${plural(marked.length, "automation")} as managed by Tripwire (owner ${outcome.owner}).`);
    if (unmarked.length > 0) lines.push(`Not marked: ${unmarked.map((a) => a.address).join(", ")} (see above); run tripwire import again once fixed.`);
    if (marked.length > 0 && unmarked.length === 0) lines.push("`tripwire plan` shows no changes for them: review the file and commit it.");
  }
  return `${lines.join("\n")}\n`;
}

/** `tripwire import --entity E [--project P | --registry R]`: adopt automations made in the W&B UI as code. */
export async function importCommand(args: ImportArgs, io: Io): Promise<number> {
  const { importAutomations } = await import("../api/import.js");
  // Neither given: the API key's user's default entity (viewer.entity), as the wandb client does.
  const entity = args.entity ?? io.env.WANDB_ENTITY;
  const outcome = await importAutomations({
    cwd: io.cwd,
    env: io.env,
    ...(entity ? { entity } : {}),
    typecheck: args.typecheck,
    dryRun: args.dryRun,
    reporter: stderrReporter(io, args.json),
    ...(args.project !== undefined ? { project: args.project } : {}),
    ...(args.registry !== undefined ? { registry: args.registry } : {}),
    ...(args.nameFilter !== undefined ? { nameFilter: args.nameFilter } : {}),
    ...(args.out !== undefined ? { out: args.out } : {}),
    ...(args.config ? { configFile: args.config } : {}),
    ...(args.parallelism ? { parallelism: args.parallelism } : {}),
  });
  if (args.json) {
    io.stdout.write(renderImportJson(outcome, args.dryRun === true));
    return outcome.exitCode;
  }
  printDiagnostics(io, outcome.diagnostics);
  if (args.dryRun && outcome.text !== undefined) io.stdout.write(outcome.text);
  (args.dryRun ? io.stderr : io.stdout).write(renderImportSummary(outcome));
  return outcome.exitCode;
}

export const importCmd: Command = {
  command: "import",
  describe: "adopt automations made in the W&B UI: write them as TypeScript definitions and mark them managed",
  builder: (y) =>
    y
      .option("entity", { alias: "e", type: "string", describe: "the W&B entity (team or organisation) to read (default: WANDB_ENTITY, else the API key's default entity)" })
      .option("project", { alias: "p", type: "string", describe: "only this project of the entity, with its collections" })
      .option("registry", { alias: "r", type: "string", describe: "only this registry of the entity (an organisation), with its collections" })
      .option("name-filter", { type: "string", describe: "only automations whose name matches this regular expression" })
      .option("out", { alias: "o", type: "string", describe: "the file to write; an existing file is appended to (default: imported.ts in the first definition folder)" })
      .option("dry-run", { type: "boolean", default: false, describe: "print the code that would be written; write and mark nothing" })
      .option("config", { alias: "c", type: "string", describe: "config file (default: tripwire.config.ts in the working directory)" })
      .option("json", { type: "boolean", default: false, describe: "print one JSON document on stdout (human text goes to stderr)" })
      .option("typecheck", { type: "boolean", default: true, describe: "type-check the definitions before marking (--no-typecheck to skip)" })
      .option("parallelism", { type: "number", describe: "concurrent requests to the backend (default 8)" })
      .conflicts("project", "registry"),
  check: (a) => {
    if (a.project === "" || a.registry === "") throw new UsageError("--project and --registry need a name");
  },
  run: (a, io) =>
    importCommand(
      {
        entity: a.entity,
        project: a.project,
        registry: a.registry,
        nameFilter: a.nameFilter,
        out: a.out,
        dryRun: a.dryRun,
        config: a.config,
        json: a.json,
        typecheck: a.typecheck,
        parallelism: a.parallelism,
      },
      io,
    ),
};
