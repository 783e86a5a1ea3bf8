/** The backtest stage: recorded history replayed through the evaluator (see README "tripwire backtest"). */
export { runBacktest, type BacktestAutomation, type BacktestOptions, type BacktestOutcome } from "./backtest.js";
export { backtestPlan } from "./compare.js";
export type { BacktestChange, BacktestSide, PlanBacktest } from "../model/backtest.js";
export { subjectKey, subjectLabel, type AutomationBacktest, type BacktestReport, type HistoryStats, type Subject, type SubjectFirings } from "../model/backtest.js";
export { HISTORY_CODES, sidecarOf } from "./history.js";
