import type { Connection } from "./connection.js";
import type { RunUpsert } from "./types.js";

/** The runs ingestion has seen, with their last known state. */
export class Runs {
  constructor(private readonly c: Connection) {}

  upsertRuns(runs: readonly RunUpsert[]): void {
    const stmt = this.c.q(`INSERT INTO runs (project_id, run_id, name, username, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (project_id, run_id) DO UPDATE SET name = COALESCE(excluded.name, runs.name), username = COALESCE(excluded.username, runs.username),
      state = COALESCE(excluded.state, runs.state), updated_at = excluded.updated_at`);
    for (const r of runs) stmt.run(r.projectId, r.runId, r.name, r.username, r.state, r.at, r.at);
  }
  runState(projectId: number, runId: string): string | null | undefined {
    const r = this.c.q("SELECT state FROM runs WHERE project_id = ? AND run_id = ?").get(projectId, runId) as { state: string | null } | undefined;
    return r === undefined ? undefined : r.state;
  }
}
