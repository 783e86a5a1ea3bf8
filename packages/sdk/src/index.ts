/**
 * `@tripwire/sdk`: Weights & Biases Automations as typed, immutable TypeScript values.
 *
 * @example
 * import { automation, project, metric, onRunMetric, runName, sendNotification, slack } from "@tripwire/sdk";
 * export default automation("loss-spike")
 *   .in(project("acme/llm-pretrain"))
 *   .on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(runName.contains("sweep-")))
 *   .do(sendNotification(slack("ml-alerts"), { title: "Loss spiked", severity: "WARN" }));
 */
export * from "./model/index.js";
export * from "./builders/index.js";
export { validate, validateAll, MAX_NAME_LENGTH, WEBHOOK_NAME, type ValidateOptions } from "./validate.js";
export { ISSUE_CODES, ISSUE_FORMERLY, formatIssue, formatPath, TripwireError, isTripwireError } from "./issues.js";
export type { Issue, IssueCode, IssueSeverity, ValidationResult } from "./issues.js";
export { scopeAllowsEvent, scopeEventMessage, fieldsForEvent, COLLECTION_SCOPES } from "./rules.js";
export { BRAND, isBranded } from "./brand.js";
export { normalizeSpec, specsEqual, normalizeFilter } from "./normalize.js";
