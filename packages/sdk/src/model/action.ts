import * as z from "zod";
import { JsonValueSchema } from "./json.js";

/**
 * Slack notification severities.
 * @example sendNotification(slack("alerts"), { severity: SEVERITIES[1] }) // "WARN"
 */
export const SEVERITIES = ["INFO", "WARN", "ERROR"] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * An integration is referenced by name, never by ID: a Slack integration by its channel name, a webhook
 * by the name it was given in W&B. `entity` defaults to the entity of the automation's scope.
 * @example IntegrationRefSchema.parse({ kind: "webhook", name: "deploy" })
 */
export const IntegrationRefSchema = z
  .object({ kind: z.enum(["slack", "webhook"]), name: z.string(), entity: z.string().optional() })
  .strict();
export type IntegrationRef = z.infer<typeof IntegrationRefSchema>;

/**
 * A Slack notification action.
 * @example NotificationActionSchema.parse(sendNotification(slack("alerts")))
 */
export const NotificationActionSchema = z
  .object({
    type: z.literal("notification"),
    integration: IntegrationRefSchema,
    title: z.string(),
    message: z.string(),
    severity: z.enum(SEVERITIES),
  })
  .strict();

/**
 * A webhook POSTs `payload` (JSON, with `${…}` template variables in its strings) or, when the template
 * is not JSON before substitution (`{"value": ${metric_value}}`), `payloadText` verbatim. Neither means no body.
 * @example WebhookActionSchema.parse(sendWebhook(webhook("deploy"), { payload: { v: "${alias}" } }))
 */
export const WebhookActionSchema = z
  .object({
    type: z.literal("webhook"),
    integration: IntegrationRefSchema,
    payload: JsonValueSchema.optional(),
    payloadText: z.string().optional(),
  })
  .strict();

/**
 * The no-op action: only an execution record.
 * @example NoOpActionSchema.parse(doNothing())
 */
export const NoOpActionSchema = z.object({ type: z.literal("noop") }).strict();

/**
 * An action W&B can store but not create through its API (`QUEUE_JOB`, `PUSH_NOTIFICATION`, future ones).
 * @example RawActionSchema.safeParse(decoded.action).success
 */
export const RawActionSchema = z
  .object({ type: z.literal("raw"), wireType: z.string(), data: JsonValueSchema })
  .strict();

/**
 * Any action.
 * @example ActionSpecSchema.parse(JSON.parse(text))
 */
export const ActionSpecSchema = z.discriminatedUnion("type", [
  NotificationActionSchema,
  WebhookActionSchema,
  NoOpActionSchema,
  RawActionSchema,
]);

export type NotificationActionSpec = z.infer<typeof NotificationActionSchema>;
export type WebhookActionSpec = z.infer<typeof WebhookActionSchema>;
export type NoOpActionSpec = z.infer<typeof NoOpActionSchema>;
export type RawActionSpec = z.infer<typeof RawActionSchema>;
export type ActionSpec = NotificationActionSpec | WebhookActionSpec | NoOpActionSpec | RawActionSpec;
