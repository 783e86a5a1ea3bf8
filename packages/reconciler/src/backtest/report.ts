/**
 * What a backtest reports per automation: how often it would have fired, on which runs (and steps) or artifact
 * versions, and its busiest day. Accumulated firing by firing; memory grows with the firings (at most one per
 * automation, run and 24 hours), never with the history.
 */
import { subjectKey, type AutomationBacktest, type Subject, type SubjectFirings } from "../model/backtest.js";
import { formatTimestamp, parseTimestamp, type Firing } from "@tripwire/evaluator";

function subjectOf(f: Firing): Subject {
  const e = f.event;
  if (e.type === "run.metric" || e.type === "run.state") return { kind: "run", entity: e.entity, project: e.project, id: e.run.id, name: e.run.name };
  return {
    kind: "artifact",
    entity: e.entity,
    ...(e.project !== undefined ? { project: e.project } : {}),
    ...(e.registry !== undefined ? { registry: e.registry } : {}),
    collection: e.collection,
    ...("version" in e && e.version !== undefined ? { version: e.version } : {}),
  };
}

/** `2026-11-25` for a day number (days since the epoch, UTC). */
const dayName = (day: number) => formatTimestamp(day * 86_400_000).slice(0, 10);

interface Acc {
  subject: Subject;
  at: number[];
  steps: number[] | undefined;
}

/** Collects firings per automation id. */
export class FiringRecorder {
  private readonly byId = new Map<string, { count: number; subjects: Map<string, Acc>; days: Map<number, number> }>();

  record(firings: readonly Firing[]): void {
    for (const f of firings) {
      let a = this.byId.get(f.automationId);
      if (a === undefined) this.byId.set(f.automationId, (a = { count: 0, subjects: new Map(), days: new Map() }));
      a.count++;
      const subject = subjectOf(f);
      const key = subjectKey(subject);
      let s = a.subjects.get(key);
      if (s === undefined) a.subjects.set(key, (s = { subject, at: [], steps: f.step === undefined ? undefined : [] }));
      const t = parseTimestamp(f.at);
      s.at.push(t);
      if (s.steps !== undefined) s.steps.push(f.step ?? -1);
      const day = Math.floor(t / 86_400_000);
      a.days.set(day, (a.days.get(day) ?? 0) + 1);
    }
  }

  /** The backtest of one automation (`id` as given to the engine). */
  result(id: string, address: string, name: string, unsupported?: string): AutomationBacktest {
    const a = this.byId.get(id);
    const base = { address, name, ...(unsupported !== undefined ? { unsupported } : {}) };
    if (a === undefined) return { ...base, firings: 0, subjects: [], busiestDay: null, daily: [] };
    const subjects = [...a.subjects.values()].map((s): SubjectFirings & { first: number } => {
      // Artifact events and pushes after a batch may arrive out of time order: order each subject's firings.
      const order = s.at.map((_, i) => i).sort((i, j) => (s.at[i] as number) - (s.at[j] as number) || (s.steps ? (s.steps[i] as number) - (s.steps[j] as number) : 0));
      return {
        subject: s.subject,
        firings: s.at.length,
        at: order.map((i) => formatTimestamp(s.at[i] as number)),
        ...(s.steps ? { steps: order.map((i) => (s.steps as number[])[i] as number) } : {}),
        first: s.at[order[0] as number] as number,
      };
    });
    subjects.sort((x, y) => y.firings - x.firings || x.first - y.first || subjectKey(x.subject).localeCompare(subjectKey(y.subject)));
    let busiest: { day: number; firings: number } | undefined;
    for (const [day, n] of a.days) if (busiest === undefined || n > busiest.firings || (n === busiest.firings && day < busiest.day)) busiest = { day, firings: n };
    return {
      ...base,
      firings: a.count,
      subjects: subjects.map(({ first: _f, ...s }) => s),
      busiestDay: busiest ? { day: dayName(busiest.day), firings: busiest.firings } : null,
      daily: [...a.days].sort(([x], [y]) => x - y).map(([day, firings]) => ({ day: dayName(day), firings })),
    };
  }
}
