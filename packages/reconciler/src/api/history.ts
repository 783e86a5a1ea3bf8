// The history files of the history-aware lint checks, read as `tripwire backtest` reads them: an adapter between
// two stages, so it lives here (the live run history's is api/live-history.ts, loaded when a command reads it).
import type { TripwireEvent } from "@tripwire/evaluator";
import { historyFiles, readHistoryFile } from "../backtest/history.js";
import type { HistorySource } from "../lint/history.js";
import type { Diagnostic } from "../model/types.js";

interface MutableRun {
  entity: string;
  project: string;
  id: string;
  name: string;
  user: string;
  logged: Set<string>;
  values: Map<string, number[]>;
  steps: Map<string, { first: number; last: number }>;
}

/** History files or folders, in the formats of `tripwire backtest` (JSONL events, W&B CSV exports). */
export function fileHistory(paths: readonly string[], cwd: string): HistorySource {
  return {
    async read(metrics) {
      const { files, diagnostics } = historyFiles(paths, cwd);
      if (diagnostics.length > 0) return { diagnostics };
      const runs = new Map<string, MutableRun>();
      const runOf = (e: { entity: string; project: string; run: { id: string; name: string; user: string } }) => {
        const key = `${e.entity}\0${e.project}\0${e.run.id}`;
        let r = runs.get(key);
        if (r === undefined) {
          r = { entity: e.entity, project: e.project, id: e.run.id, name: e.run.name, user: e.run.user, logged: new Set(), values: new Map(), steps: new Map() };
          runs.set(key, r);
        }
        return r;
      };
      const target = {
        metric: (e: Extract<TripwireEvent, { type: "run.metric" }>) => {
          const r = runOf(e);
          for (const [name, v] of Object.entries(e.metrics)) {
            r.logged.add(name);
            if (!metrics.has(name) || typeof v !== "number" || !Number.isFinite(v)) continue;
            let values = r.values.get(name);
            if (values === undefined) r.values.set(name, (values = []));
            values.push(v);
            const s = r.steps.get(name);
            if (s === undefined) r.steps.set(name, { first: e.step, last: e.step });
            else s.last = e.step;
          }
        },
        event: (e: TripwireEvent) => {
          if (e.type === "run.metric") target.metric(e);
          else if (e.type === "run.state") runOf(e);
        },
      };
      const all: Diagnostic[] = [];
      for (const file of files) all.push(...(await readHistoryFile(file, cwd, target)));
      if (all.some((d) => d.severity === "error")) return { diagnostics: all };
      return { history: { runs: [...runs.values()], from: paths.join(", ") }, diagnostics: all };
    },
  };
}
