/**
 * `@tripwire/reconciler`: load automation definitions, diff them against the live state, render and apply plans.
 * The `tripwire` CLI is a thin shell over these functions.
 */
export { validate, plan, apply, EXIT, type CommonOptions, type PlanOptions, type ApplyOptions, type PlanOutcome, type ApplyOutcome, type ValidateOutcome, type ExitCode } from "./api.js";
export { defineConfig, ConfigSchema, type TripwireConfig } from "./model/config.js";
export { loadDefinitions, loadConfig, type LoadOptions, type LoadResult } from "./load/load.js";
export { importAutomations, type ImportOptions, type ImportOutcome, type ImportedAutomation, type ImportStatus } from "./api/import.js";
export { generateSource, type GenerateInput, type GenerateResult, type GeneratedAutomation, type SkippedAutomation } from "./import/generate.js";
export { formatOptionsFor, DEFAULT_FORMAT, type FormatOptions } from "./import/format.js";
export { typecheckFiles } from "./load/typecheck.js";
export { computePlan, type PlanInput } from "./plan/plan.js";
export { PLAN_FORMAT_VERSION, type Plan, type Operation } from "./model/plan.js";
export { renderText, renderMarkdown, renderJson, renderDiagnosticsMarkdown, formatDiagnostic, summaryLine } from "./render/index.js";
export { postPlanComment, type PostCommentOptions } from "./github/comment.js";
export { ReconcilerError, isReconcilerError } from "./model/errors.js";
export type { Reporter } from "./model/reporter.js";
export type { Diagnostic, DesiredAutomation, LiveAutomation, ResolvedAutomation } from "./model/types.js";
export { runBacktest, backtestPlan, type BacktestReport, type PlanBacktest, type AutomationBacktest } from "./backtest/index.js";
export { lint, type LintOptions, type LintOutcome } from "./api/lint.js";
export { CHECKS, CHECK_CODES, type CheckCode, type LintLevel } from "./model/checks.js";
export type { HistorySource, LintHistory, HistoryRun } from "./lint/history.js";
export { fileHistory } from "./api/history.js";
export { renderGithubAnnotations } from "./render/github.js";
export { renderSarif } from "./render/sarif.js";
export { builtinPolicy, checkPolicies } from "./policy/policy.js";
export { BUILTIN_POLICY_NAMES, type Policy, type PolicyContext, type PolicyViolation, type PolicyEntry, type BuiltinPolicy } from "./model/policy.js";
