// The integration and secret declarations that both the server's seed file and `tripwire.config.ts`'s `embedded`
// section accept. They live in the SDK (zod only) so the CLI can validate a config without loading the server.
import * as z from "zod";
import { SECRET_NAME } from "./model/template.js";
import { WEBHOOK_NAME } from "./validate.js";

/**
 * A team secret to create: its entity, its name (as `${SECRET_NAME}` placeholders spell it) and its value.
 * @example
 * SecretSeedSchema.parse({ entity: "acme", name: "GITHUB_TOKEN", value: process.env.GITHUB_TOKEN ?? "" });
 */
export const SecretSeedSchema = z.object({ entity: z.string().min(1), name: z.string().regex(SECRET_NAME), value: z.string() }).strict();

/**
 * A Slack or webhook integration to create in an entity.
 * @example
 * IntegrationSeedSchema.parse({ kind: "webhook", entity: "acme", name: "deploy", url: "http://127.0.0.1:9000/hook", secret: "SIGNING" });
 * IntegrationSeedSchema.parse({ kind: "slack", entity: "acme", channelName: "ml-alerts", webhookUrl: "https://hooks.slack.com/services/T/B/X" });
 */
export const IntegrationSeedSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("slack"),
      entity: z.string().min(1),
      channelName: z.string().min(1),
      teamName: z.string().optional(),
      /** The Slack incoming-webhook URL messages are POSTed to. */
      webhookUrl: z.url(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("webhook"),
      entity: z.string().min(1),
      name: z.string().max(64).regex(WEBHOOK_NAME),
      url: z.url(),
      /** Name of the team secret used to sign payloads (`X-Wandb-Signature`). */
      secret: z.string().regex(SECRET_NAME).optional(),
      /** Name of the team secret sent as `Authorization: Bearer`. */
      accessToken: z.string().regex(SECRET_NAME).optional(),
      timeoutMs: z.number().int().positive().optional(),
    })
    .strict(),
]);

/** An integration declaration as `IntegrationSeedSchema` parses it. */
export type IntegrationSeed = z.infer<typeof IntegrationSeedSchema>;
/** A secret declaration as `SecretSeedSchema` parses it. */
export type SecretSeed = z.infer<typeof SecretSeedSchema>;
