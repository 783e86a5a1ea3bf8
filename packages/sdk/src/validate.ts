import type { ActionSpec } from "./model/action.js";
import { AutomationSpecSchema, type AutomationSpec } from "./model/automation.js";
import { isArtifactEventType, MAX_WINDOW, type EventSpec } from "./model/event.js";
import { TEXT_LIMITS, type TextLimitField } from "./model/limits.js";
import { walkFilter, type FilterExpr, type FilterField } from "./model/filter.js";
import type { JsonValue } from "./model/json.js";
import { REGISTRY_PREFIX, scopeKey, type Scope } from "./model/scope.js";
import { classifyPlaceholder, PLACEHOLDER, placeholders, SECRET_NAME } from "./model/template.js";
import type { Issue, IssueCode, IssueSeverity, ValidationResult } from "./issues.js";
import { fieldsForEvent, scopeAllowsEvent, scopeEventMessage } from "./rules.js";

type Path = (string | number)[];

class Collector {
  readonly issues: Issue[] = [];
  constructor(readonly regexError: (pattern: string) => string | undefined) {}
  error(code: IssueCode, message: string, path: Path): void {
    this.add(code, "error", message, path);
  }
  warn(code: IssueCode, message: string, path: Path): void {
    this.add(code, "warning", message, path);
  }
  private add(code: IssueCode, severity: IssueSeverity, message: string, path: Path): void {
    this.issues.push({ code, severity, message, path });
  }
}

/**
 * W&B's limit on automation names.
 * @example name.length <= MAX_NAME_LENGTH
 */
export const MAX_NAME_LENGTH = 255;
/**
 * W&B's rule for webhook integration names (spec §A.5).
 * @example WEBHOOK_NAME.test("github-dispatch") // true
 */
export const WEBHOOK_NAME = /^[-\w]+([ ]+[-\w]+)*$/;

/**
 * How `validate` checks what it cannot decide alone.
 * @example validate(spec, { regexError: (pattern) => (pattern.includes("(?=") ? "lookahead is not supported" : undefined) })
 */
export interface ValidateOptions {
  /**
   * Why a filter's regular expression cannot be used, or `undefined` when it can. The evaluator's
   * `regexError` (RE2 syntax, what the evaluator runs) is what the CLI and the server pass; without it, a
   * pattern is checked with JavaScript's `RegExp`, so the SDK needs no regex engine of its own.
   */
  readonly regexError?: (pattern: string) => string | undefined;
}

function jsRegexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Checks one automation and returns every issue found (shape first, then meaning), never just the first.
 *
 * @example
 * const { ok, issues } = validate(toSpec(automation("x").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing())));
 */
export function validate(input: unknown, options: ValidateOptions = {}): ValidationResult<AutomationSpec> {
  const parsed = AutomationSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issues: Issue[] = parsed.error.issues.map((i) => ({
      code: "TW1000",
      severity: "error",
      message: i.message,
      path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    }));
    return { ok: false, issues };
  }
  const spec = parsed.data as AutomationSpec;
  const c = new Collector(options.regexError ?? jsRegexError);
  checkName(spec.name, ["name"], c);
  checkScope(spec.scope, ["scope"], c);
  checkEvent(spec, c);
  checkAction(spec.action, c);
  checkTextLimits(spec, c);
  for (const [i, old] of (spec.movedFrom ?? []).entries()) {
    if (old.length === 0 || old.length > MAX_NAME_LENGTH) c.error("TW1017", "an earlier name must be 1 to 255 characters", ["movedFrom", i]);
    else if (old === spec.name) c.error("TW1017", `movedFrom("${old}") names the automation's current name`, ["movedFrom", i]);
  }
  return result(c.issues, spec);
}

/**
 * Validates a set of automations together: each one, plus names unique per scope and renames that do not
 * collide. Issue paths start with the automation's index in `specs`.
 * @example const { ok, issues } = validateAll(definitions.map(toSpec));
 */
export function validateAll(specs: readonly unknown[], options: ValidateOptions = {}): ValidationResult<AutomationSpec[]> {
  const issues: Issue[] = [];
  const valid: AutomationSpec[] = [];
  const seen = new Map<string, number>();
  const claimed = new Map<string, number>();
  specs.forEach((input, index) => {
    const r = validate(input, options);
    issues.push(...r.issues.map((i) => ({ ...i, path: [index, ...i.path] })));
    if (!r.value) return;
    valid.push(r.value);
    const key = `${scopeKey(r.value.scope)}\u0000${r.value.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({
        code: "TW1014",
        severity: "error",
        message: `another automation in this scope is already named "${r.value.name}" (#${first + 1} in the list); names are unique per scope`,
        path: [index, "name"],
      });
    } else seen.set(key, index);
    for (const old of r.value.movedFrom ?? []) {
      const oldKey = `${scopeKey(r.value.scope)}\u0000${old}`;
      const other = claimed.get(oldKey);
      if (other !== undefined) {
        issues.push({
          code: "TW1017",
          severity: "error",
          message: `automation #${other + 1} also declares movedFrom("${old}"); one automation can take over an old name`,
          path: [index, "movedFrom"],
        });
      } else claimed.set(oldKey, index);
    }
  });
  return result(issues, valid);
}

function result<T>(issues: Issue[], value: T): ValidationResult<T> {
  return { ok: !issues.some((i) => i.severity === "error"), issues, value };
}

function checkName(name: string, path: Path, c: Collector): void {
  if (name.trim().length === 0) c.error("TW1001", "name must not be empty", path);
  else if (name.length > MAX_NAME_LENGTH) c.error("TW1001", `name is ${name.length} characters; W&B allows at most ${MAX_NAME_LENGTH}`, path);
  else if (name !== name.trim()) c.error("TW1001", "name must not start or end with spaces", path);
}

function checkPart(value: string, what: string, path: Path, c: Collector): void {
  if (value.trim().length === 0) c.error("TW1012", `${what} must not be empty`, path);
  else if (value.includes("/")) c.error("TW1012", `${what} "${value}" must not contain "/"`, path);
}

function checkScope(scope: Scope, path: Path, c: Collector): void {
  switch (scope.type) {
    case "project":
      checkPart(scope.entity, "entity", [...path, "entity"], c);
      checkPart(scope.project, "project", [...path, "project"], c);
      if (scope.project.startsWith(REGISTRY_PREFIX)) {
        c.error("TW1012", `"${scope.project}" is a registry's backing project: write registry("${scope.entity}/${scope.project.slice(REGISTRY_PREFIX.length)}")`, [...path, "project"]);
      }
      return;
    case "registry":
      checkPart(scope.org, "org", [...path, "org"], c);
      checkPart(scope.registry, "registry", [...path, "registry"], c);
      if (scope.registry.startsWith(REGISTRY_PREFIX)) {
        c.error("TW1012", `write the registry's own name without the "${REGISTRY_PREFIX}" prefix: registry("${scope.org}/${scope.registry.slice(REGISTRY_PREFIX.length)}")`, [...path, "registry"]);
      }
      return;
    case "collection":
      checkScope(scope.parent, [...path, "parent"], c);
      if (scope.collection.trim().length === 0) c.error("TW1012", "collection name must not be empty", [...path, "collection"]);
      return;
    case "collections":
      checkScope(scope.parent, [...path, "parent"], c);
      if (scope.filter) checkFilter(scope.filter, ["collectionName"], "a collection filter", [...path, "filter"], c);
      return;
    case "team":
      checkPart(scope.team, "team", [...path, "team"], c);
      return;
    case "org":
      checkPart(scope.org, "org", [...path, "org"], c);
      return;
  }
}

function checkFilter(expr: FilterExpr, allowed: readonly FilterField[], where: string, base: Path, c: Collector): void {
  walkFilter(expr, (node, rel) => {
    const path = [...base, ...rel];
    switch (node.op) {
      case "and":
      case "or":
      case "not":
        return;
      case "raw":
        c.warn("TW1015", `${where} holds a condition Tripwire cannot model, kept verbatim: ${JSON.stringify(node.json)}`, path);
        return;
      case "in":
        if (node.values.length === 0) c.error("TW1018", `${node.field} in [] never matches: list at least one value`, [...path, "values"]);
        break;
      case "regex": {
        const why = c.regexError(node.value);
        if (why !== undefined) c.error("TW1007", `${node.field} regex /${node.value}/ does not compile: ${why}`, [...path, "value"]);
        break;
      }
      default:
        break;
    }
    if (!allowed.includes(node.field)) {
      c.error("TW1008", `${where} cannot filter on ${node.field}; it can use ${allowed.join(", ")}`, [...path, "field"]);
    }
  });
}

function checkWindow(value: number, what: string, path: Path, c: Collector): void {
  if (!Number.isInteger(value) || value < 1) c.error("TW1003", `${what} must be at least 1 (a whole number of logged values), got ${value}`, path);
  else if (value > MAX_WINDOW) c.error("TW1030", `${what} of ${value} values is larger than the maximum of ${MAX_WINDOW}`, path);
}

function checkEvent(spec: AutomationSpec, c: Collector): void {
  const event: EventSpec = spec.event;
  const path: Path = ["event"];
  if (event.type === "raw") {
    if (event.wireType === "UPDATE_ARTIFACT_ALIAS") {
      c.error("TW1016", "the legacy UPDATE_ARTIFACT_ALIAS event cannot be created or updated through W&B's API; use onAddArtifactAlias", [...path, "wireType"]);
    } else {
      c.warn("TW1015", `event ${event.wireType} is kept verbatim: Tripwire cannot model or evaluate it`, path);
    }
    return;
  }
  if (!scopeAllowsEvent(spec.scope.type, event.type)) {
    c.error("TW1002", scopeEventMessage(spec.scope.type, event.type), ["event", "type"]);
  }
  const fields = fieldsForEvent(event.type);
  if (isArtifactEventType(event.type)) {
    if ("filter" in event && event.filter) checkFilter(event.filter, fields, `a ${event.type} filter`, [...path, "filter"], c);
    return;
  }
  if ("runFilter" in event && event.runFilter) checkFilter(event.runFilter, fields, "a run filter", [...path, "runFilter"], c);
  switch (event.type) {
    case "runState": {
      if (event.states.length === 0) c.error("TW1009", "list at least one run state: running, finished or failed", [...path, "states"]);
      return;
    }
    case "runMetricThreshold":
      checkMetricName(event.metric, c);
      if (event.agg === null && event.window !== 1) {
        c.error("TW1003", `the latest value has no window (got ${event.window}): aggregate with mean(n), min(n) or max(n)`, [...path, "window"]);
      } else checkWindow(event.window, "window", [...path, "window"], c);
      return;
    case "runMetricChange":
      checkMetricName(event.metric, c);
      if (event.agg === null) {
        if (event.window !== 1) c.error("TW1003", `the latest value has no window (got ${event.window}): aggregate with mean(n), min(n) or max(n)`, [...path, "window"]);
        if (event.priorWindow !== 1) c.error("TW1003", `the latest value has no prior window (got ${event.priorWindow}): aggregate with mean(n), min(n) or max(n)`, [...path, "priorWindow"]);
      } else {
        checkWindow(event.window, "window", [...path, "window"], c);
        checkWindow(event.priorWindow, "priorWindow", [...path, "priorWindow"], c);
      }
      if (!(event.amount > 0)) {
        c.error("TW1004", `the change amount must be greater than 0, got ${event.amount}`, [...path, "amount"]);
      }
      return;
    case "runMetricZScore":
      checkMetricName(event.metric, c);
      checkWindow(event.window, "window", [...path, "window"], c);
      if (event.window === 1) c.warn("TW1003", "a z-score over a window of 1 value never fires (its standard deviation is 0)", [...path, "window"]);
      if (!(event.threshold > 0)) {
        c.error("TW1005", `the z-score threshold must be greater than 0, got ${event.threshold}`, [...path, "threshold"]);
      }
      return;
  }
}

function checkMetricName(name: string, c: Collector): void {
  if (name.trim().length === 0) c.error("TW1013", "metric name must not be empty", ["event", "metric"]);
}

function checkAction(action: ActionSpec, c: Collector): void {
  const path: Path = ["action"];
  switch (action.type) {
    case "noop":
      return;
    case "raw":
      c.error("TW1016", `${action.wireType} actions cannot be created or updated through W&B's API`, [...path, "wireType"]);
      return;
    case "notification":
      if (action.integration.kind !== "slack") c.error("TW1011", "sendNotification needs a Slack integration: slack(channel)", [...path, "integration"]);
      if (action.integration.name.trim().length === 0) c.error("TW1011", "Slack channel name must not be empty", [...path, "integration", "name"]);
      return;
    case "webhook": {
      const name = action.integration.name;
      if (action.integration.kind !== "webhook") c.error("TW1011", "sendWebhook needs a webhook integration: webhook(name)", [...path, "integration"]);
      if (name.length === 0 || name.length > 64 || !WEBHOOK_NAME.test(name)) {
        c.error("TW1011", `webhook integration name "${name}" must be 1 to 64 letters, digits, "_", "-", with single spaces between words`, [...path, "integration", "name"]);
      }
      if (action.payload !== undefined && action.payloadText !== undefined) {
        c.error("TW1010", "give either payload (JSON) or payloadText, not both", [...path, "payloadText"]);
      }
      if (action.payload !== undefined) checkPayloadStrings(action.payload, [...path, "payload"], c);
      if (action.payloadText !== undefined) {
        checkTemplate(action.payloadText, [...path, "payloadText"], c);
        checkPayloadJson(action.payloadText, [...path, "payloadText"], c);
      }
      return;
    }
  }
}

/** The lengths W&B's wire fields are held to ({@link TEXT_LIMITS}), measured as they are sent. */
function checkTextLimits(spec: AutomationSpec, c: Collector): void {
  const check = (field: TextLimitField, value: string | undefined, path: Path): void => {
    if (value !== undefined && value.length > TEXT_LIMITS[field]) {
      c.error("TW1031", `${field} is ${value.length} characters long as sent; at most ${TEXT_LIMITS[field]} are allowed`, path);
    }
  };
  check("description", spec.description, ["description"]);
  const a = spec.action;
  if (a.type === "notification") {
    check("title", a.title, ["action", "title"]);
    check("message", a.message, ["action", "message"]);
  } else if (a.type === "webhook") {
    if (a.payload !== undefined) check("requestPayload", JSON.stringify(a.payload), ["action", "payload"]);
    else check("requestPayload", a.payloadText, ["action", "payloadText"]);
  }
}

function checkPayloadStrings(value: JsonValue, path: Path, c: Collector): void {
  if (typeof value === "string") checkTemplate(value, path, c);
  else if (Array.isArray(value)) value.forEach((v, i) => checkPayloadStrings(v, [...path, i], c));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      checkTemplate(k, path, c);
      checkPayloadStrings(v, [...path, k], c);
    }
  }
}

/**
 * Webhook bodies are sent as `application/json`, and a placeholder is replaced by its value's text with JSON
 * escapes but without quotes. So render with a sample word for every placeholder: an unquoted `${run_name}`
 * then shows up as invalid JSON. A warning, not an error: W&B itself sends whatever the text renders to.
 */
function checkPayloadJson(text: string, path: Path, c: Collector): void {
  // Values that are JSON themselves (an array, a number, metadata of any type) may stand unquoted; words may not.
  const rendered = text.replace(PLACEHOLDER, (_m, name: string) => {
    const kind = classifyPlaceholder(name);
    if (kind.kind === "metadata") return "0";
    if (kind.kind === "variable") return kind.name === "metric_values" ? "[0]" : kind.name === "artifact_version_index" ? "0" : "sample";
    return "sample";
  });
  try {
    JSON.parse(rendered);
  } catch (e) {
    c.warn(
      "TW1040",
      `payloadText does not render to valid JSON (${(e as Error).message}); placeholders are replaced by their text without quotes, so write text ones inside a JSON string: "\${run_name}"`,
      path,
    );
  }
}

function checkTemplate(text: string, path: Path, c: Collector): void {
  for (const name of placeholders(text)) {
    const kind = classifyPlaceholder(name);
    if (kind.kind === "metadata" && kind.key.length === 0) {
      c.warn("TW1019", "${artifact_metadata.} names no metadata key", path);
    } else if (kind.kind === "secret" && (!SECRET_NAME.test(name) || name !== name.toUpperCase())) {
      c.warn(
        "TW1019",
        `\${${name}} is not a W&B template variable; if it is a team secret, secret names are written in capitals (letters, digits, "_")`,
        path,
      );
    }
  }
}
