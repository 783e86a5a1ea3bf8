// The live run history of the history-aware lint checks, read as the live backtest reads it (cache included): an
// adapter between two stages, loaded only when a command reads the live history.
import { formatTimestamp } from "@tripwire/evaluator";
import type { AutomationSpec } from "@tripwire/sdk";
import { historyOf, watchedProjects, type LiveSource } from "../backtest/live.js";
import { listRuns } from "../backtest/runs.js";
import type { HistoryRun, HistorySource } from "../lint/history.js";
import { isReconcilerError } from "../model/errors.js";
import { mapLimit } from "../model/limit.js";

/**
 * The live history as the history-aware lint checks (TWL060–TWL067) read it: the runs of the watched projects alive
 * during the period, every key each logged (from `historyKeys`), and the finite values of the metrics asked for —
 * through the same cache as the backtest.
 */
export function liveLintHistory(specs: readonly AutomationSpec[], source: LiveSource): HistorySource {
  return {
    async read(asked) {
      const metrics = [...asked].sort();
      const runs: HistoryRun[] = [];
      try {
        for (const { entity, project } of watchedProjects(specs)) {
          const list = await listRuns(source.transport, entity, project, { from: source.from, to: source.to });
          if (list === undefined) continue;
          await mapLimit(list, source.parallelism ?? 8, async (run) => {
            const needed = metrics.some((m) => run.keys.includes(m));
            const { columns } = await historyOf(source, entity, project, run, metrics, needed);
            const values = new Map<string, number[]>();
            const steps = new Map<string, { first: number; last: number }>();
            for (const m of metrics) {
              const column = columns.values[m];
              if (column === undefined) continue;
              const kept: number[] = [];
              for (let i = 0; i < column.length; i++) {
                const v = column[i] as number;
                if (!Number.isFinite(v)) continue;
                kept.push(v);
                const step = columns.steps[i] as number;
                const s = steps.get(m);
                if (s === undefined) steps.set(m, { first: step, last: step });
                else s.last = step;
              }
              if (kept.length > 0) values.set(m, kept);
            }
            runs.push({ entity, project, id: run.id, name: run.name, user: run.user, logged: new Set(run.keys), values, steps });
          });
        }
      } catch (error) {
        if (!isReconcilerError(error)) throw error;
        return { diagnostics: [{ code: error.code, severity: "error", message: `the live history could not be read from ${source.transport.url}: ${error.message.replace(/^TW[A-Z]?\d+: /, "")}` }] };
      }
      runs.sort((a, b) => `${a.entity}/${a.project}/${a.id}`.localeCompare(`${b.entity}/${b.project}/${b.id}`));
      return { history: { runs, from: `the live run history of ${source.transport.url}, ${formatTimestamp(source.from).slice(0, 16)} → ${formatTimestamp(source.to).slice(0, 16)} UTC` }, diagnostics: [] };
    },
  };
}

