/**
 * The Slack message of a notification action (spec §A.4: "a message … with details about the triggering event.
 * The message includes event summary and a link to view more details in W&B"): an incoming-webhook body with a
 * plain-text fallback and Block Kit blocks (title, summary, the action's message, severity, link).
 */
import { REGISTRY_PREFIX, type NotificationActionSpec } from "@tripwire/sdk";
import type { Firing } from "../engine/types.js";
import { EVENT_TYPE_NAMES, templateVariables } from "./template.js";

const SEVERITY_MARK = { INFO: ":information_source:", WARN: ":warning:", ERROR: ":rotating_light:" } as const;

/** Slack mrkdwn escaping: only `&`, `<` and `>` are special. */
function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Where to look at a firing in W&B: the run's page, the project's artifacts, or the registry.
 * @example firingLink(firing, "https://wandb.ai") // "https://wandb.ai/acme/llm/runs/r1"
 */
export function firingLink(firing: Firing, baseUrl = "https://wandb.ai"): string {
  const base = baseUrl.replace(/\/+$/, "");
  const e = firing.event;
  const enc = encodeURIComponent;
  if (e.type === "run.metric" || e.type === "run.state") return `${base}/${enc(e.entity)}/${enc(e.project)}/runs/${enc(e.run.id)}`;
  if (e.registry !== undefined) return `${base}/orgs/${enc(e.entity)}/registry/${enc(e.registry)}`;
  return `${base}/${enc(e.entity)}/${enc(e.project ?? "")}/artifacts`;
}

/**
 * One line describing what happened.
 * @example summarizeFiring(firing) // "Run sweep-1 in acme/llm: mean(loss, 5) = 0.71 (mean(loss, 5) > 0.6)"
 */
export function summarizeFiring(firing: Firing): string {
  const v = templateVariables(firing);
  const e = firing.event;
  if (e.type === "run.metric") return `Run ${v.run_name} in ${e.entity}/${e.project}: ${v.metric_current_status} (${v.metric_filter})`;
  if (e.type === "run.state") return `Run ${v.run_name} in ${e.entity}/${e.project} is now ${e.state}`;
  const what = EVENT_TYPE_NAMES[firing.eventType].toLowerCase().replace(/_/g, " ");
  const where = v.artifact_version_string || `${e.entity}/${e.registry !== undefined ? REGISTRY_PREFIX + e.registry : (e.project ?? "")}/${e.collection}`;
  const detail = v.alias ? ` (alias ${v.alias})` : v.tag ? ` (tag ${v.tag})` : "";
  return `${what}: ${where}${detail}${v.event_author ? ` by ${v.event_author}` : ""}`;
}

/**
 * A Slack incoming-webhook body for a notification firing.
 * @example
 * const body = slackMessage(action, firing, { baseUrl: "https://wandb.ai" });
 * await fetch(slackHookUrl, { method: "POST", body: JSON.stringify(body) });
 */
export function slackMessage(action: NotificationActionSpec, firing: Firing, options: { baseUrl?: string } = {}): { text: string; blocks: unknown[] } {
  const title = action.title || firing.automation;
  const summary = summarizeFiring(firing);
  const link = firingLink(firing, options.baseUrl);
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: title.slice(0, 150), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: esc(summary) } },
  ];
  if (action.message) blocks.push({ type: "section", text: { type: "mrkdwn", text: esc(action.message) } });
  blocks.push({
    type: "context",
    elements: [{ type: "mrkdwn", text: `${SEVERITY_MARK[action.severity]} ${action.severity} · automation *${esc(firing.automation)}* · ${esc(firing.at)}` }],
  });
  blocks.push({ type: "section", text: { type: "mrkdwn", text: `<${link}|View in W&B>` } });
  // The fallback is what notifications and some clients show: escaped like the blocks, so a run name holding
  // `<!channel>`, `<@U…>` or `<https://…|link>` stays text instead of pinging everyone or linking elsewhere.
  return { text: `[${action.severity}] ${esc(title)}: ${esc(summary)}`, blocks };
}
