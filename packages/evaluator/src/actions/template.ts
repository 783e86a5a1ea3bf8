/**
 * Webhook payload templates (spec §E.2): the `${…}` variables of a firing, and rendering a payload with them.
 * Every inserted value is JSON-escaped (as the inside of a JSON string), so a payload whose placeholders sit in
 * JSON strings stays valid JSON whatever a run name holds (quotes, newlines, unicode). A variable that does not
 * apply to the event renders as an empty string, and so does an unknown name; other names are secrets.
 * `compileTemplate` is the one reading of the placeholders; the webhook request (`webhook.ts`) is built on it.
 */
import {
  classifyPlaceholder,
  METADATA_PREFIX,
  PLACEHOLDER,
  REGISTRY_PREFIX,
  TEMPLATE_VARIABLES,
  type EventType,
  type JsonValue,
  type TemplateVariable,
  type WebhookActionSpec,
} from "@tripwire/sdk";
import type { Explanation, Firing } from "../engine/types.js";

/**
 * `${event_type}` spellings: W&B's public names (`LINK_ARTIFACT`, not the wire's `LINK_MODEL`).
 * @example EVENT_TYPE_NAMES.linkArtifact // "LINK_ARTIFACT"
 */
export const EVENT_TYPE_NAMES: Record<EventType, string> = {
  createArtifact: "CREATE_ARTIFACT",
  linkArtifact: "LINK_ARTIFACT",
  unlinkArtifact: "UNLINK_ARTIFACT",
  addArtifactAlias: "ADD_ARTIFACT_ALIAS",
  addArtifactTag: "ADD_ARTIFACT_TAG",
  removeArtifactTag: "REMOVE_ARTIFACT_TAG",
  addCollectionTag: "ADD_COLLECTION_TAG",
  removeCollectionTag: "REMOVE_COLLECTION_TAG",
  runState: "RUN_STATE",
  runMetricThreshold: "RUN_METRIC_THRESHOLD",
  runMetricChange: "RUN_METRIC_CHANGE",
  runMetricZScore: "RUN_METRIC_ZSCORE",
};

const CMP_TEXT = { gt: ">", gte: ">=", lt: "<", lte: "<=", eq: "==", ne: "!=" } as const;

const num = (x: number): string => (Number.isFinite(x) ? String(x) : "NaN");
/** Computed values in human text: 10 significant digits (the explanation keeps the exact numbers). */
const approx = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(10))) : "NaN");
const aggText = (agg: string | null, metric: string, window: number): string => (agg === null ? metric : `${agg}(${metric}, ${window})`);

/** The condition of a metric automation, in words (`${metric_filter}`), short form, and its current value. */
function metricTexts(x: Explanation): { filter: string; short: string; status: string; values: number[] } | undefined {
  switch (x.kind) {
    case "threshold": {
      const lhs = aggText(x.agg, x.metric, x.window);
      return {
        filter: `${lhs} ${CMP_TEXT[x.cmp]} ${num(x.threshold)}`,
        short: `${x.metric} ${CMP_TEXT[x.cmp]} ${num(x.threshold)}`,
        status: `${lhs} = ${approx(x.value)}`,
        values: x.values,
      };
    }
    case "change": {
      const verb = x.direction === "increase" ? "increases" : x.direction === "decrease" ? "decreases" : "changes";
      const amount = x.change === "relative" ? `${num(x.amount * 100)}%` : num(x.amount);
      const cur = aggText(x.agg, x.metric, x.window);
      return {
        filter: `${cur} ${verb} by at least ${amount} against the ${x.priorWindow} values before`,
        short: `${x.metric} ${verb} by ${amount}`,
        status: `${cur} went from ${approx(x.prior)} to ${approx(x.current)} (${x.change === "relative" ? `${approx(x.delta * 100)}%` : approx(x.delta)})`,
        values: x.currentValues,
      };
    }
    case "zscore": {
      const cond = x.direction === "increase" ? `>= ${num(x.threshold)}` : x.direction === "decrease" ? `<= -${num(x.threshold)}` : `beyond ±${num(x.threshold)}`;
      return {
        filter: `zscore(${x.metric}, ${x.window}) ${cond}`,
        short: `zscore(${x.metric}) ${cond}`,
        status: `zscore(${x.metric}, ${x.window}) = ${approx(x.zscore)} (mean ${approx(x.mean)}, std ${approx(x.std)})`,
        values: x.values,
      };
    }
    default:
      return undefined;
  }
}

const text = (v: JsonValue | undefined): string => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** Every variable, empty. */
const NO_VALUES = Object.fromEntries(TEMPLATE_VARIABLES.map((v) => [v, ""])) as Readonly<Record<TemplateVariable, string>>;

/**
 * The `${…}` values of spec §E.2 for one firing: every variable name is present (an empty string where it does
 * not apply), plus `artifact_metadata.<KEY>` for each top-level metadata key of the artifact version.
 * @example templateVariables(firing).run_name // "sweep-1"
 */
export function templateVariables(firing: Firing): Record<string, string> {
  // A copy of a prepared object: Object.fromEntries per firing cost most of this function's time.
  const vars = { ...NO_VALUES } as Record<TemplateVariable, string> & Record<string, string>;
  const e = firing.event;
  vars.automation_name = firing.automation;
  vars.event_type = EVENT_TYPE_NAMES[firing.eventType];
  vars.entity_name = e.entity;
  if (e.type === "run.metric" || e.type === "run.state") {
    vars.project_name = e.project;
    vars.event_author = e.run.user;
    vars.run_name = firing.run?.name ?? e.run.name;
    if (e.type === "run.state") vars.run_status = e.state;
    const m = metricTexts(firing.explanation);
    if (m !== undefined && "metric" in firing.explanation) {
      vars.metric_name = firing.explanation.metric;
      vars.metric_values = JSON.stringify(m.values);
      vars.metric_filter = m.filter;
      vars.metric_filter_short = m.short;
      vars.metric_current_status = m.status;
    }
    return vars;
  }
  const project = e.registry !== undefined ? `${REGISTRY_PREFIX}${e.registry}` : (e.project ?? "");
  vars.project_name = project;
  vars.event_author = e.user ?? "";
  vars.artifact_collection_name = e.collection;
  if (firing.artifact?.alias !== undefined) vars.alias = firing.artifact.alias;
  if (firing.artifact?.tag !== undefined) vars.tag = firing.artifact.tag;
  if ("version" in e) {
    const path = `${e.entity}/${project}/${e.collection}:v${e.version}`;
    vars.artifact_version_index = String(e.version);
    vars.artifact_version_string = path;
    vars.artifact_version = e.artifactId !== undefined ? `wandb-artifact://_id/${e.artifactId}` : `wandb-artifact:///${path}`;
    for (const [key, value] of Object.entries(e.metadata ?? {})) vars[`${METADATA_PREFIX}${key}`] = text(value);
  }
  return vars;
}

/**
 * A value as the inside of a JSON string literal.
 * @example jsonEscape('say "hi"') // 'say \\"hi\\"'
 */
export function jsonEscape(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** One piece of a template: literal text, or a placeholder read from the firing's variables. */
type Part = string | { readonly variable: string };

/**
 * A payload template prepared once for a set of secrets: the one reading of W&B's `${…}` placeholders (variables,
 * `artifact_metadata.<KEY>`, secrets by name, `${ACCESS_TOKEN}` included), each value JSON-escaped and unknown
 * names empty. Literal text and secret values are folded together, so rendering only fills in the variables.
 * @example compileTemplate('{"run":"${run_name}","key":"${API_KEY}"}', { API_KEY: "k" }).render({ run_name: "r1" }) // '{"run":"r1","key":"k"}'
 */
export function compileTemplate(template: string, secrets: Readonly<Record<string, string>>): { readonly variables: number; render(vars: Readonly<Record<string, string>>): string } {
  const parts: Part[] = [];
  let literal = "";
  let variables = 0;
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    literal += template.slice(last, m.index);
    last = m.index + m[0].length;
    const name = m[1] ?? "";
    if (classifyPlaceholder(name).kind === "secret") literal += jsonEscape(Object.hasOwn(secrets, name) ? (secrets[name] as string) : "");
    else {
      parts.push(literal, { variable: name });
      literal = "";
      variables++;
    }
  }
  literal += template.slice(last);
  parts.push(literal);
  return {
    variables,
    render(vars: Readonly<Record<string, string>>): string {
      if (variables === 0) return literal;
      let out = "";
      for (const p of parts) out += typeof p === "string" ? p : jsonEscape(Object.hasOwn(vars, p.variable) ? (vars[p.variable] as string) : "");
      return out;
    },
  };
}

/** The payload text of a webhook action: `payloadText`, or `payload` as compact JSON; undefined when it has none. */
export function payloadTextOf(action: WebhookActionSpec): string | undefined {
  return action.payloadText ?? (action.payload === undefined ? undefined : JSON.stringify(action.payload));
}

/**
 * Substitutes `${…}` placeholders in a template text: W&B variables, `artifact_metadata.<KEY>`, and secrets by
 * name (`${ACCESS_TOKEN}` included). Unknown names render as empty strings; every value is JSON-escaped.
 * @example renderTemplate('{"run":"${run_name}"}', { run_name: 'a "quoted" run' }, {}) // '{"run":"a \\"quoted\\" run"}'
 */
export function renderTemplate(template: string, vars: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>>): string {
  return compileTemplate(template, secrets).render(vars);
}

/**
 * The body of a webhook for a firing: the action's `payload` (as compact JSON) or `payloadText`, with its
 * placeholders substituted. `undefined` when the action has no body configured.
 * @example renderPayload(sendWebhook(webhook("deploy"), { payload: { v: "${artifact_version_string}" } }), firing, {})
 */
export function renderPayload(action: WebhookActionSpec, firing: Firing, ctx: { secrets?: Readonly<Record<string, string>> }): string | undefined {
  const template = payloadTextOf(action);
  if (template === undefined) return undefined;
  return renderTemplate(template, templateVariables(firing), ctx.secrets ?? {});
}
