export { renderText, type TextOptions } from "./text.js";
export { renderMarkdown, renderDiagnosticsMarkdown, GITHUB_COMMENT_LIMIT, type MarkdownOptions } from "./markdown.js";
export { renderJson } from "./json.js";
export { formatDiagnostic } from "../model/diagnostics.js";
export { summaryLine } from "./format.js";
export { renderBacktestText, renderBacktestJson, historyLine } from "./backtest.js";
export { renderTestResults, renderJunit } from "./tests.js";
