/**
 * What a backtest reports per automation: how often it would have fired, on which runs (and steps) or artifact
 * versions, and its busiest day. Accumulated firing by firing; memory grows with the firings (at most one per
 * automation, run and 24 hours), never with the history.
 */
import { formatTimestamp, parseTimestamp, type Firing } from "@tripwire/evaluator";
import type { LiveStats } from "./live.js";

/** What a firing is about: a run, or an artifact version (or collection, for collection tag events). */
export type Subject =
  | { readonly kind: "run"; readonly entity: string; readonly project: string; readonly id: string; readonly name: string }
  | {
      readonly kind: "artifact";
      readonly entity: string;
      readonly project?: string;
      readonly registry?: string;
      readonly collection: string;
      readonly version?: number;
    };

/** One subject's firings: when, and for runs at which steps (one entry per firing, in time order). */
export interface SubjectFirings {
  readonly subject: Subject;
  readonly firings: number;
  /** UTC ISO times of the firings. */
  readonly at: readonly string[];
  /** For runs: the step of each firing (metric automations); absent for run-state and artifact firings. */
  readonly steps?: readonly number[];
}

/** One automation's backtest. */
export interface AutomationBacktest {
  /** The automation's address (`project:acme/llm/loss-spike`). */
  readonly address: string;
  readonly name: string;
  readonly firings: number;
  /** Runs and artifacts it fired for, the most firings first (then by first firing). */
  readonly subjects: readonly SubjectFirings[];
  /** The UTC day with the most firings (the earliest of equals); `null` when it never fired. */
  readonly busiestDay: { readonly day: string; readonly firings: number } | null;
  /** Firings per UTC day, the days it fired on, in day order. */
  readonly daily: readonly { readonly day: string; readonly firings: number }[];
  /** Set when the evaluator cannot decide this automation (it never fires in a backtest), and why. */
  readonly unsupported?: string;
}

/** What was replayed. */
export interface HistoryStats {
  /** History files, relative to the working directory, in the order they were read. */
  readonly files: readonly string[];
  readonly events: number;
  readonly runs: number;
  /** The earliest and latest event times (UTC ISO); `null` for an empty history. */
  readonly from: string | null;
  readonly to: string | null;
  /** Read from the live backend (no files): the period is `from`–`to`, and what was read and how. */
  readonly live?: LiveStats;
}

/** A backtest: the history replayed, and per automation (in definition order) what it would have done. */
export interface BacktestReport {
  readonly history: HistoryStats;
  readonly automations: readonly AutomationBacktest[];
}

/** The key of a subject: equal subjects, equal keys. */
export function subjectKey(s: Subject): string {
  if (s.kind === "run") return `run:${s.entity}/${s.project}/${s.id}`;
  const where = s.registry !== undefined ? `registry:${s.registry}` : `project:${s.project ?? ""}`;
  return `artifact:${s.entity}/${where}/${s.collection}${s.version === undefined ? "" : `:v${s.version}`}`;
}

/** `sweep-1 (r1)`, `acme/llm/dataset:v3`, `acme/wandb-registry-model/llm-7b:v2`. */
export function subjectLabel(s: Subject): string {
  if (s.kind === "run") return s.name === s.id || s.name === "" ? s.id : `${s.name} (${s.id})`;
  const where = s.registry !== undefined ? `wandb-registry-${s.registry}` : (s.project ?? "");
  return `${s.entity}/${where}/${s.collection}${s.version === undefined ? "" : `:v${s.version}`}`;
}

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
