import type { HistoryEntry, HistoryFilter, HistoryStatus } from "@tripwire/server";
import { UsageError, type Command } from "./command.js";
import type { Io } from "./io.js";
import { renderHistoryEntryJson, renderHistoryJson } from "../render/json.js";

export interface HistoryArgs {
  readonly automation?: string | undefined;
  readonly run?: string | undefined;
  readonly status?: HistoryStatus | undefined;
  readonly since?: string | undefined;
  readonly limit: number;
  readonly json: boolean;
  readonly follow: boolean;
  readonly followFor?: string | undefined;
  readonly config?: string | undefined;
}

/** How often `--follow` asks for new executions. */
const POLL_MS = 1_000;
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `24h`, `7d` in milliseconds; undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  return m ? Number(m[1]) * (UNITS[m[2] as string] as number) : undefined;
}

/** `--since`: a duration back from `now`, or a timestamp. */
function sinceOf(text: string, now: number): string {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now - ms).toISOString();
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new UsageError(`--since must be a duration (30m, 24h, 7d) or a timestamp, not "${text}"`);
  return new Date(at).toISOString();
}

/** One line per execution: time, automation, event, run, action, status, attempts, response code. */
export function historyLine(e: HistoryEntry): string {
  return [e.time, e.automation, e.event, `run=${e.run ?? "-"}`, e.action, e.status, `attempts=${e.attempts}`, `code=${e.statusCode ?? "-"}`].join("  ");
}

/**
 * `tripwire history`: what fired, from a Tripwire server (`WANDB_BASE_URL`) or the embedded database read directly.
 * Exit 0, or 1 when the backend has no history (W&B) or refuses.
 */
export async function historyCommand(args: HistoryArgs, io: Io): Promise<number> {
  const followFor = args.followFor === undefined ? undefined : parseDuration(args.followFor);
  if (args.followFor !== undefined && followFor === undefined) throw new UsageError(`--follow-for must be a duration (30s, 10m), not "${args.followFor}"`);
  if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > 1_000) throw new UsageError("--limit must be an integer from 1 to 1000");
  const filter: HistoryFilter = {
    ...(args.automation !== undefined ? { automation: args.automation } : {}),
    ...(args.run !== undefined ? { run: args.run } : {}),
    ...(args.status !== undefined ? { status: args.status } : {}),
    ...(args.since !== undefined ? { since: sinceOf(args.since, Date.now()) } : {}),
  };
  // Loaded with the command, not with the CLI: `--version` and `--help` stay light.
  const { loadConfig } = await import("../load/load.js");
  const { config } = await loadConfig({ cwd: io.cwd, ...(args.config ? { configFile: args.config } : {}) });
  const { openHistory } = await import("../remote/history.js");
  const source = await openHistory({ cwd: io.cwd, config, env: io.env });
  if ("empty" in source) {
    io.stderr.write(`no embedded database at ${source.empty}: nothing has been applied or has fired here yet\n`);
    if (args.json && !args.follow) io.stdout.write(renderHistoryJson([]));
    return 0;
  }
  try {
    const first = await source.read({ ...filter, limit: args.limit }, []);
    if (args.json && !args.follow) {
      io.stdout.write(renderHistoryJson(first.entries));
      return 0;
    }
    const print = (e: HistoryEntry) => io.stdout.write(args.json ? renderHistoryEntryJson(e) : `${historyLine(e)}\n`);
    first.entries.forEach(print);
    if (!args.follow) {
      if (first.entries.length === 0) io.stderr.write(`no executions match in ${source.url}\n`);
      return 0;
    }
    // Following: new executions as they appear, and a pending one again each time its status or attempts move on.
    const watched = new Map<number, string>();
    const watch = (e: HistoryEntry) => (e.status === "pending" ? watched.set(e.cursor, `${e.status}/${e.attempts}`) : watched.delete(e.cursor));
    first.entries.forEach(watch);
    let cursor = first.cursor;
    const deadline = followFor === undefined ? Infinity : Date.now() + followFor;
    io.stderr.write(`following ${source.url}${followFor === undefined ? " (Ctrl-C stops)" : ` for ${args.followFor}`}\n`);
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(POLL_MS, deadline - Date.now()))));
      const next = await source.read({ ...filter, after: cursor, limit: 1_000 }, [...watched.keys()]);
      for (const e of next.rechecked) {
        if (watched.get(e.cursor) === `${e.status}/${e.attempts}`) continue;
        print(e);
        watch(e);
      }
      for (const e of next.entries) {
        print(e);
        watch(e);
      }
      cursor = next.cursor;
    }
    return 0;
  } finally {
    await source.close();
  }
}

export const historyCmd: Command = {
  command: "history",
  describe: "list what fired: one line per execution, from a Tripwire server or the embedded database (--follow streams)",
  builder: (y) =>
    y
      .option("automation", { type: "string", describe: "only this automation (its name)" })
      .option("run", { type: "string", describe: "only executions for this run (its ID or display name)" })
      .option("status", { type: "string", choices: ["finished", "failed", "pending", "skipped"], describe: "only executions in this status" })
      .option("since", { type: "string", describe: "only executions since this long ago (30m, 24h, 7d) or this timestamp" })
      .option("limit", { type: "number", default: 50, describe: "the newest this many (1–1000)" })
      .option("json", { type: "boolean", default: false, describe: "one JSON document on stdout; with --follow, one JSON object per line" })
      .option("follow", { alias: "f", type: "boolean", default: false, describe: "keep printing new executions (and pending ones as they settle)" })
      .option("follow-for", { type: "string", describe: "with --follow: stop after this long (30s, 10m); default: until interrupted" })
      .option("config", { alias: "c", type: "string", describe: "config file whose embedded.db to read" }),
  run: (a, io) =>
    historyCommand(
      { automation: a.automation, run: a.run, status: a.status, since: a.since, limit: a.limit, json: a.json, follow: a.follow, followFor: a["follow-for"], config: a.config },
      io,
    ),
};
