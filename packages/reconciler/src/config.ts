import { z } from "zod";

const SlackIntegration = z
  .object({
    kind: z.literal("slack"),
    /** Entity (team) that owns the integration. */
    entity: z.string().min(1),
    /** Channel name, as automations reference it with slack(channel). */
    channel: z.string().min(1),
    /** Slack incoming-webhook URL the local server posts to. */
    url: z.string().url(),
    /** Slack workspace name shown by W&B (teamName). */
    workspace: z.string().optional(),
  })
  .strict();

const WebhookIntegration = z
  .object({
    kind: z.literal("webhook"),
    entity: z.string().min(1),
    name: z.string().min(1),
    url: z.string().url(),
    /** Name of the team secret used to sign payloads (X-Wandb-Signature). */
    secret: z.string().optional(),
    /** Name of the team secret sent as `Authorization: Bearer`. */
    accessToken: z.string().optional(),
  })
  .strict();

/** `tripwire.config.ts`: where the definitions are, what Tripwire prunes, and the embedded default's setup. */
export const ConfigSchema = z
  .object({
    /** Files or folders of definitions, relative to the config file (default: `automations`). */
    automations: z.array(z.string().min(1)).optional(),
    /**
     * Entities (teams, organisations) whose Tripwire-managed automations are read, so those removed from code are
     * deleted. Entities the definitions mention are always read.
     */
    entities: z.array(z.string().min(1)).optional(),
    /** Concurrent requests during apply (default 8). */
    parallelism: z.number().int().min(1).max(64).optional(),
    /** The embedded default (no `WANDB_BASE_URL`): the local database and what exists in it. */
    embedded: z
      .object({
        db: z.string().min(1).optional(),
        integrations: z.array(z.discriminatedUnion("kind", [SlackIntegration, WebhookIntegration])).optional(),
        /** Team secrets by entity: `{ acme: { GITHUB_TOKEN: process.env.GITHUB_TOKEN ?? "" } }`. Never printed. */
        secrets: z.record(z.string(), z.record(z.string(), z.string())).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type TripwireConfig = z.infer<typeof ConfigSchema>;
export type EmbeddedIntegration = NonNullable<NonNullable<TripwireConfig["embedded"]>["integrations"]>[number];

/**
 * Types a `tripwire.config.ts` (a plain object export works too).
 * @example
 * export default defineConfig({
 *   automations: ["automations"],
 *   entities: ["acme"],
 *   embedded: { integrations: [{ kind: "webhook", entity: "acme", name: "deploy", url: "http://127.0.0.1:9000/hook" }] },
 * });
 */
export function defineConfig(config: TripwireConfig): TripwireConfig {
  return config;
}

/** File names looked up in the working directory when no `--config` is given. */
export const CONFIG_FILES = ["tripwire.config.ts", "tripwire.config.mts", "tripwire.config.js", "tripwire.config.mjs"];
