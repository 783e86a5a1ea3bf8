import { brand, type Branded } from "../brand.js";
import type { IntegrationRef, NoOpActionSpec, NotificationActionSpec, Severity, WebhookActionSpec } from "../model/action.js";
import type { JsonValue } from "../model/json.js";
import { TripwireError } from "../issues.js";
import { compact, deepFreeze } from "./util.js";

/** A Slack integration, named by its channel. */
export interface SlackIntegration extends Branded<"integration"> {
  readonly kind: "slack";
  readonly name: string;
  readonly entity?: string;
}
/** A webhook integration, named as in W&B. */
export interface WebhookIntegration extends Branded<"integration"> {
  readonly kind: "webhook";
  readonly name: string;
  readonly entity?: string;
}

/** Where to look up an integration: defaults to the entity of the automation's scope. */
export interface IntegrationOptions {
  readonly entity?: string;
}

/**
 * The Slack integration posting to `channel` (as W&B names it, without `#`).
 * @example sendNotification(slack("ml-alerts"), { title: "Loss spiked", severity: "WARN" })
 */
export function slack(channel: string, options: IntegrationOptions = {}): SlackIntegration {
  return Object.freeze(brand("integration", compact({ kind: "slack" as const, name: channel.replace(/^#/, ""), entity: options.entity })));
}

/**
 * The webhook integration named `name` in W&B (its URL and secrets live in W&B, never in code).
 * @example sendWebhook(webhook("deploy"), { payload: { version: "${artifact_version_string}" } })
 */
export function webhook(name: string, options: IntegrationOptions = {}): WebhookIntegration {
  return Object.freeze(brand("integration", compact({ kind: "webhook" as const, name, entity: options.entity })));
}

function ref(integration: SlackIntegration | WebhookIntegration, kind: "slack" | "webhook", caller: string): IntegrationRef {
  if (integration?.kind !== kind) {
    throw new TripwireError("TW1011", `${caller} needs ${kind === "slack" ? "slack(channel)" : "webhook(name)"} as its integration`);
  }
  return compact({ kind, name: integration.name, entity: integration.entity });
}

export interface NotificationOptions {
  readonly title?: string;
  readonly message?: string;
  /** Same as `message` (W&B's Python SDK spells it `text`). */
  readonly text?: string;
  readonly severity?: Severity | Lowercase<Severity>;
  /** Same as `severity` (W&B's Python SDK spells it `level`). */
  readonly level?: Severity | Lowercase<Severity>;
}

/**
 * A Slack message with the event summary, a link to W&B, and your title and message.
 * @example sendNotification(slack("ml-alerts"), { title: "Run failed", message: "Check the logs", severity: "ERROR" })
 */
export function sendNotification(integration: SlackIntegration, options: NotificationOptions = {}): NotificationActionSpec {
  const severity = String(options.severity ?? options.level ?? "INFO").trim().toUpperCase();
  return deepFreeze({
    type: "notification",
    integration: ref(integration, "slack", "sendNotification"),
    title: options.title ?? "",
    message: options.message ?? options.text ?? "",
    severity: severity as Severity,
  });
}

export type WebhookOptions =
  | { readonly payload?: JsonValue; readonly payloadText?: never }
  | { readonly payloadText: string; readonly payload?: never };

/**
 * POST a JSON payload to a webhook. Strings may hold `${…}` template variables (`${event_type}`,
 * `${artifact_version_string}`, `${run_name}`, team secrets such as `${ACCESS_TOKEN}`, …).
 * Use `payloadText` for templates that are not JSON before substitution.
 * @example
 * sendWebhook(webhook("deploy"), {
 *   payload: { event_type: "BUILD_AND_DEPLOY", client_payload: { version: "${artifact_version_string}" } },
 * })
 */
export function sendWebhook(integration: WebhookIntegration, options: WebhookOptions = {}): WebhookActionSpec {
  return deepFreeze(
    compact({
      type: "webhook" as const,
      integration: ref(integration, "webhook", "sendWebhook"),
      payload: options.payload === undefined ? undefined : structuredClone(options.payload),
      payloadText: options.payloadText,
    }),
  );
}

/**
 * No action: the automation only records an execution. Useful to trial an automation before it notifies anyone.
 * @example automation("trial").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing())
 */
export function doNothing(): NoOpActionSpec {
  return deepFreeze({ type: "noop" });
}
