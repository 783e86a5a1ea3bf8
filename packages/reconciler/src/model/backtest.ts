// What a backtest reports (per automation, and per change of a plan): the data render/ shows and policies read.
import type { Operation } from "./plan.js";

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

/** What was read from the backend, and how. */
export interface LiveStats {
  readonly backend: string;
  readonly projects: readonly string[];
  /** Runs alive during the period, and how many of them needed no history request (the cache held them). */
  readonly runs: number;
  readonly cachedRuns: number;
  /** Artifact versions created up to the period's end in the collections the `createArtifact` automations watch. */
  readonly artifactVersions: number;
  /** Requests made, and the fewest the API allows for the same history with no cache. */
  readonly requests: number;
  readonly minimumRequests: number;
  /** What the live history cannot give, said instead of a silent zero. */
  readonly notes: readonly string[];
}

/** One definition's backtest, in short. */
export interface BacktestSide {
  readonly firings: number;
  /** Distinct runs or artifact versions it fired for. */
  readonly subjects: number;
  readonly busiestDay: { readonly day: string; readonly firings: number } | null;
  /** Firings per day on average over the period (two decimals). */
  readonly perDay: number;
  /** Firings per UTC day, the days it fired on. */
  readonly daily: readonly { readonly day: string; readonly firings: number }[];
  /** The evaluator cannot decide this definition (it never fires here), and why. */
  readonly unsupported?: string;
}

/** What one firing sends: a Slack message, a webhook call, or nothing. */
export type BacktestAction = "slack" | "webhook" | "none";

/** An operation's old and new definitions, side by side. */
export interface BacktestChange {
  readonly address: string;
  readonly op: Operation["op"];
  /** The live definition's backtest; `null` for a create. */
  readonly before: BacktestSide | null;
  /** The code's definition's backtest; `null` for a delete. */
  readonly after: BacktestSide | null;
  /** Runs or artifact versions the new definition fires for and the old one did not. */
  readonly newlyFiring: readonly Subject[];
  /** Runs or artifact versions the old definition fired for and the new one does not. */
  readonly noLongerFiring: readonly Subject[];
  /** What each firing of the code's definition (a delete: the live one's) sends. */
  readonly action: BacktestAction;
}

/** The backtest part of a plan (`plan --backtest`). */
export interface PlanBacktest {
  readonly history: HistoryStats;
  /** Days the history covers (at least 1 when it holds events): what per-day volumes are averaged over. */
  readonly days: number;
  readonly changes: readonly BacktestChange[];
}


/** One run's watched metrics over steps, decimated to a bounded number of points (backtest/series.ts). */
export interface RunSeries {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  name: string;
  /** 1: every row kept; k: every k-th. */
  stride: number;
  seen: number;
  readonly steps: number[];
  readonly times: number[];
  /** One array per watched metric, in the sink's metric order (`NaN`: not logged). */
  readonly values: number[][];
}

/** The series a backtest report draws: the watched metrics, and each run's series by `entity/project/id`. */
export interface BacktestSeries {
  readonly metrics: readonly string[];
  readonly runs: ReadonlyMap<string, RunSeries>;
}
