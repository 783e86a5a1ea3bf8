/**
 * The engine's public types: what it is given (automations, options), what it gives back (firings and their
 * explanations), its snapshot and its columnar input. `engine/index.ts` implements `Engine`; these are the contract.
 */
import type { Aggregation, AutomationSpec, ChangeType, Comparison, Direction, EventType, RunState, Scope } from "@tripwire/sdk";
import type { EventRunState, TripwireEvent, TripwireEventType } from "../events/index.js";
import type { OrgOf } from "../scope.js";
import type { StdKind } from "../windows/reference.js";

/** An automation with a stable key (the server passes W&B's trigger ID). */
export interface EngineAutomation {
  readonly id: string;
  readonly spec: AutomationSpec;
}

export interface EngineOptions {
  /**
   * Evaluate windows that are not full yet (default false: an automation waits for a full window). With it, a
   * threshold evaluates from the first value over the values so far, a change once the current window is full
   * and the prior window holds at least one value, a z-score once its window holds two values.
   */
  readonly partialWindows?: boolean;
  /** The per-run limit: at most one firing per automation per run in this period (default 24 h). */
  readonly cooldownMs?: number;
  /** Whether the per-run limit applies to run-state automations too (default true). */
  readonly runStateCooldown?: boolean;
  /**
   * The organisation an entity belongs to, for org scopes: `org("acme")` contains events whose entity is `acme`
   * itself or maps to `acme`. A function or a table; assumed stable while the engine runs.
   */
  readonly orgOf?: OrgOf;
  /**
   * Which values form a z-score's window of `w`: `including-latest` (default) the latest `w` values, the
   * latest among them; `preceding` the `w` values logged before the latest one.
   */
  readonly zscoreWindow?: "including-latest" | "preceding";
  /** Standard deviation of a z-score window: `population` (default, divides by n) or `sample` (n − 1). */
  readonly zscoreStd?: StdKind;
}

/** Why a run-metric threshold fired: the window (oldest first), its aggregate and the comparison that held. */
export interface ThresholdExplanation {
  readonly kind: "threshold";
  readonly metric: string;
  readonly agg: Aggregation | null;
  readonly window: number;
  readonly values: number[];
  readonly value: number;
  readonly cmp: Comparison;
  readonly threshold: number;
}
export interface ChangeExplanation {
  readonly kind: "change";
  readonly metric: string;
  readonly agg: Aggregation | null;
  readonly window: number;
  readonly priorWindow: number;
  readonly currentValues: number[];
  readonly priorValues: number[];
  readonly current: number;
  readonly prior: number;
  readonly change: ChangeType;
  /** current − prior (absolute) or (current − prior) / |prior| (relative). */
  readonly delta: number;
  readonly direction: Direction;
  readonly amount: number;
}
export interface ZScoreExplanation {
  readonly kind: "zscore";
  readonly metric: string;
  readonly window: number;
  readonly windowValues: "including-latest" | "preceding";
  readonly values: number[];
  readonly latest: number;
  readonly mean: number;
  readonly std: number;
  readonly stdKind: StdKind;
  readonly zscore: number;
  readonly direction: Direction;
  readonly threshold: number;
}
export interface RunStateExplanation {
  readonly kind: "runState";
  /** The state before the event (`null` when the engine had not seen the run). */
  readonly from: EventRunState | null;
  readonly to: EventRunState;
  /** The listed state that matched (`crashed` matches `failed`). */
  readonly matched: RunState;
  readonly states: RunState[];
}
export interface ArtifactExplanation {
  readonly kind: "artifact";
  readonly event: TripwireEventType;
  /** The values the automation's filter saw (aliases of the version, the added alias, or the tag). */
  readonly field: "alias" | "tag";
  readonly values: string[];
  /** For alias additions: the version that held the alias before (`null`: none). */
  readonly previousHolder?: number | null;
}
export type Explanation = ThresholdExplanation | ChangeExplanation | ZScoreExplanation | RunStateExplanation | ArtifactExplanation;

/** One automation firing for one event. */
export interface Firing {
  readonly automationId: string;
  readonly automation: string;
  readonly scope: Scope;
  readonly eventType: EventType;
  readonly at: string;
  readonly event: TripwireEvent;
  readonly run?: { id: string; name: string; user: string };
  readonly step?: number;
  readonly artifact?: {
    entity: string;
    project?: string;
    registry?: string;
    collection: string;
    version?: number;
    alias?: string;
    tag?: string;
  };
  readonly explanation: Explanation;
}

/** Plain JSON state of an engine: windows, cooldowns, run states, alias holders. */
export interface EngineSnapshot {
  readonly version: 1;
  /** The newest epoch in use (automations started together share one; see `restoreEngine`). */
  readonly epoch: number;
  readonly automations: { id: string; fingerprint: string; epoch: number }[];
  readonly runs: { entity: string; project: string; id: string; name: string; user: string; state: EventRunState | null }[];
  readonly series: { run: number; metric: string; epoch: number; count: number; lastStep: number; values: number[] }[];
  readonly cooldowns: { automation: string; run: number; at: number }[];
  readonly aliases: { key: string; alias: string; version: number }[];
}

/**
 * Columnar run history (a backtest's input): one row per logged step, `run` indexing `runs`, `time` in epoch
 * milliseconds, one column per metric (`NaN`: not logged at that row). Rows of a run must be in step order.
 */
export interface MetricColumns {
  readonly runs: readonly { entity: string; project: string; id: string; name: string; user: string }[];
  readonly run: ArrayLike<number>;
  readonly step: ArrayLike<number>;
  readonly time: ArrayLike<number>;
  readonly metrics: Readonly<Record<string, ArrayLike<number>>>;
}

export interface Engine {
  /** Evaluates one event; returns the firings it caused, in the order of the automation list. */
  push(event: TripwireEvent): Firing[];
  /** Same as pushing each event in turn. */
  pushBatch(events: readonly TripwireEvent[]): Firing[];
  /** Evaluates rows `[from, to)` of columnar history (the backtest path; same semantics as `push`). */
  pushColumns(columns: MetricColumns, from?: number, to?: number): Firing[];
  /** The whole state as plain JSON-serialisable data. */
  snapshot(): EngineSnapshot;
  /** Automations that never fire because the evaluator cannot decide them, and why (e.g. a raw filter operator). */
  readonly unsupported: readonly { automationId: string; reason: string }[];
  /**
   * Bytes of the metric windows in use, last firing times included (`allocated`: with the growth slack of the
   * typed arrays, up to twice as much), for capacity planning and the benchmark.
   */
  windowBytes(): number;
  allocatedWindowBytes(): number;
}
