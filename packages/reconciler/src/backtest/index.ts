/** The backtest stage: recorded history replayed through the evaluator (see README "tripwire backtest"). */
export { runBacktest, type BacktestAutomation, type BacktestOptions, type BacktestOutcome } from "./backtest.js";
export { backtestPlan, type BacktestChange, type BacktestSide, type PlanBacktest } from "./compare.js";
export { subjectKey, subjectLabel, type AutomationBacktest, type BacktestReport, type HistoryStats, type Subject, type SubjectFirings } from "./report.js";
export { HISTORY_CODES, sidecarOf } from "./history.js";
