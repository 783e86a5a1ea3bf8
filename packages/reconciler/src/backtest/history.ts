/**
 * Recorded history on disk: which files, and how each is read into the sink.
 *
 * - `*.jsonl`, `*.ndjson` (optionally `.gz`): the evaluator's events, one JSON object per line.
 * - `*.csv` (optionally `.gz`): a W&B run-history export (`_step`, `_timestamp`, one column per metric) of one
 *   run, whose metadata W&B's export does not hold: it comes from the sidecar `<name>.run.json` beside it,
 *   `{ "entity", "project", "id", "name", "user", "state"? }` (`state`: the run's final state, evaluated after its
 *   last row).
 *
 * A folder is searched recursively (skipping `node_modules` and dot-folders) and its files are read in path
 * order, so name daily files so they sort by date: a run's events spread over several files must come in order.
 * Bad input is a diagnostic naming the file and the line.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { basename, dirname, join, relative, resolve } from "node:path";
import { JSONL_LINE, JsonlDecoder, readWandbHistoryCsv, type RunMetricEvent, type TripwireEvent } from "@tripwire/evaluator";
import { formatPath, isTripwireError } from "@tripwire/sdk";
import * as z from "zod";
import { pick, type Code } from "../model/codes.js";
import { filesUnder } from "../model/walk.js";
import type { Diagnostic } from "../model/types.js";
import { forEachLine, openHistory } from "./lines.js";
import type { HistorySink } from "./sink.js";

const JSONL = /\.(jsonl|ndjson)(\.gz)?$/;
const CSV = /\.csv(\.gz)?$/;

/** Diagnostic codes of history input. */
export const HISTORY_CODES = pick("TW4001", "TW4002", "TW4003", "TW4004", "TW4005");

/** At most this many diagnostics per file; the rest are counted in one more. */
const MAX_PER_FILE = 10;

/** The history files named by `paths` (files, or folders searched recursively), each once, in path order. */
export function historyFiles(paths: readonly string[], cwd: string): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) {
      diagnostics.push({ code: "TW4001", severity: "error", message: `history ${p} does not exist` });
      continue;
    }
    if (statSync(abs).isDirectory()) {
      const found = filesUnder(abs, (name) => JSONL.test(name) || CSV.test(name));
      if (found.length === 0) diagnostics.push({ code: "TW4001", severity: "error", message: `history folder ${p} holds no .jsonl, .ndjson or .csv files` });
      files.push(...found);
    } else if (JSONL.test(abs) || CSV.test(abs)) files.push(abs);
    else diagnostics.push({ code: "TW4001", severity: "error", message: `history file ${p} is neither JSONL (.jsonl, .ndjson) nor a CSV export (.csv)` });
  }
  return { files: [...new Set(files)], diagnostics };
}

const RunMetaSchema = z.object({
  entity: z.string().min(1),
  project: z.string().min(1),
  id: z.string().min(1),
  name: z.string(),
  user: z.string(),
  state: z.enum(["running", "finished", "failed", "crashed", "killed"]).optional(),
});

/** The sidecar holding a CSV export's run metadata: `r1.csv` → `r1.run.json`. */
export function sidecarOf(csv: string): string {
  return join(dirname(csv), `${basename(csv).replace(CSV, "")}.run.json`);
}

/** What a history file is read into: the backtest's sink, or another consumer of the same events (lint's statistics). */
export type HistoryTarget = Pick<HistorySink, "event" | "metric">;

/** Reads one history file into the sink. Returns its diagnostics (empty when it was read whole). */
export async function readHistoryFile(file: string, cwd: string, sink: HistoryTarget): Promise<Diagnostic[]> {
  return CSV.test(file) ? readCsv(file, cwd, sink) : readJsonl(file, cwd, sink);
}

async function readJsonl(file: string, cwd: string, sink: HistoryTarget): Promise<Diagnostic[]> {
  const shown = relative(cwd, file);
  const diagnostics: Diagnostic[] = [];
  let bad = 0;
  const fail = (code: Code, line: number, message: string) => {
    if (++bad <= MAX_PER_FILE) diagnostics.push({ code, severity: "error", message, source: { file: shown, line, column: 1 } });
  };
  // The evaluator's one reading of a JSONL line (one decoder per file: its fast path keeps the last date read).
  // After a bad line, the rest is still checked but no longer evaluated: there will be no report.
  const d = new JsonlDecoder();
  await forEachLine(openHistory(file), (line, n) => {
    switch (d.decode(line)) {
      case JSONL_LINE.metric:
        if (bad === 0) sink.metric(d.metric as RunMetricEvent, d.time);
        return;
      case JSONL_LINE.event:
        if (bad === 0) sink.event(d.event as TripwireEvent);
        return;
      case JSONL_LINE.badJson:
        fail("TW4002", n, `not valid JSON: ${d.problem}`);
        return;
      case JSONL_LINE.badEvent:
        fail("TW4003", n, `invalid event: ${d.problem}`);
    }
  });
  if (bad > MAX_PER_FILE) diagnostics.push({ code: "TW4003", severity: "error", message: `${bad - MAX_PER_FILE} more invalid lines`, source: { file: shown, line: 1, column: 1 } });
  return diagnostics;
}

async function readCsv(file: string, cwd: string, sink: HistoryTarget): Promise<Diagnostic[]> {
  const shown = relative(cwd, file);
  const sidecar = sidecarOf(file);
  const at = (line: number) => ({ file: shown, line, column: 1 });
  if (!existsSync(sidecar)) {
    return [
      {
        code: "TW4005",
        severity: "error",
        message: `no run metadata for this W&B export: write ${relative(cwd, sidecar)} with {"entity", "project", "id", "name", "user", "state"?}`,
        source: at(1),
      },
    ];
  }
  let meta: z.infer<typeof RunMetaSchema>;
  try {
    const parsed = RunMetaSchema.safeParse(JSON.parse(readFileSync(sidecar, "utf8")));
    if (!parsed.success) {
      const what = parsed.error.issues.map((i) => `${i.path.length > 0 ? formatPath(i.path.map(String)) : "(metadata)"}: ${i.message}`).join("; ");
      return [{ code: "TW4005", severity: "error", message: `invalid run metadata: ${what}`, source: { file: relative(cwd, sidecar), line: 1, column: 1 } }];
    }
    meta = parsed.data;
  } catch (error) {
    return [{ code: "TW4005", severity: "error", message: `run metadata is not valid JSON: ${(error as Error).message}`, source: { file: relative(cwd, sidecar), line: 1, column: 1 } }];
  }
  const input = openHistory(file);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    const { state, ...run } = meta;
    for await (const event of readWandbHistoryCsv(lines, state === undefined ? run : { ...run, state })) sink.event(event);
  } catch (error) {
    if (!isTripwireError(error)) throw error;
    // The reader says `line N[, column C]: …`.
    const m = /^(?:TW\d+: )?line (\d+)(?:, )?(.*)$/s.exec(error.message);
    return [{ code: "TW4004", severity: "error", message: m ? (m[2] as string).replace(/^: /, "") : error.message.replace(/^TW\d+: /, ""), source: at(m ? Number(m[1]) : 1) }];
  } finally {
    lines.close();
    input.destroy();
  }
  return [];
}
