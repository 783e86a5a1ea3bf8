// Integrations and secrets use the server's seed format, declared in the SDK: the CLI validates a config without
// loading (or even installing) the server.
import { IntegrationSeedSchema, SecretSeedSchema } from "@tripwire/sdk/seed";
import * as z from "zod";
import { CHECK_CODES, LINT_LEVELS } from "./checks.js";
import { OWNER_NAME } from "./ownership.js";
import { PolicyEntrySchema } from "./policy.js";

const SeedIntegrations = z.array(IntegrationSeedSchema);
const SeedSecrets = z.array(SecretSeedSchema);

/** `tripwire.config.ts`: where the definitions are, what Tripwire prunes, and the embedded default's setup. */
export const ConfigSchema = z
  .object({
    /**
     * Who manages these automations (default "default"). Tripwire only changes and deletes automations whose
     * ownership marker names this owner, so several repositories can manage automations in the same W&B entity.
     */
    owner: z.string().regex(OWNER_NAME, 'letters, digits, ".", "_" and "-", at most 64').optional(),
    /** Files or folders of definitions, relative to the config file (default: `automations`). */
    automations: z.array(z.string().min(1)).optional(),
    /**
     * Entities (teams, organisations) whose Tripwire-managed automations are read, so those removed from code are
     * deleted. Entities the definitions mention are always read.
     */
    entities: z.array(z.string().min(1)).optional(),
    /** What W&B accepts but its own Python SDK cannot read back (see load/interop.ts). */
    interop: z
      .object({
        /** Interop warnings not to report, by code (`TW6520`: `==` / `!=` thresholds). */
        silence: z.array(z.enum(["TW6520"])).optional(),
        /** Send webhook `payloadText` that is not a JSON object as written (W&B's Python SDK cannot list it). */
        allowNonJsonPayload: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /**
     * `plan --backtest` warns (TW4012) when a change makes an automation send more than `maxPerDay` Slack messages or
     * webhook calls on its busiest day of the backtest, and more than before.
     */
    noise: z.object({ maxPerDay: z.number().int().min(0) }).strict().optional(),
    /** Concurrent requests during apply (default 8). */
    parallelism: z.number().int().min(1).max(64).optional(),
    /** `tripwire lint` severities per check: `{ TWL020: "off", TWL040: "error" }` (docs: packages/reconciler/docs/lint.md). */
    lint: z.partialRecord(z.enum(CHECK_CODES), z.enum(LINT_LEVELS)).optional(),
    /**
     * Webhooks that act on artifacts, and where: `{ deploy: ["acme/model"] }` says the `deploy` webhook's receiver
     * moves aliases or tags in registry (or project) `acme/model`; `"acme/model:llm-7b"` names one collection. Lint
     * reports automations that would trigger themselves, or each other, through them.
     */
    loops: z.record(z.string(), z.array(z.string().min(1))).optional(),
    /**
     * The teams of each organization, for lint: `{ "acme-org": ["ml", "research"] }` lets TWL020 see that an
     * organization-scope automation and a team's both fire on the team's events (W&B's API does not tell an
     * automation's definitions which teams an organization holds).
     */
    organizations: z.record(z.string(), z.array(z.string().min(1))).optional(),
    /**
     * Policies every plan must pass (a violation fails `plan` with exit 3, and `apply` refuses the plan): built-ins by
     * name (`"description-and-owner"`, `{ policy: "webhook-hosts", hosts: ["hooks.acme.com"] }`,
     * `{ policy: "org-scope-label", label: "platform" }`, `{ policy: "max-daily-slack", max: 20 }`) or your own
     * `{ name, check(ctx) }` over the plan document and its backtest.
     */
    policies: z.array(PolicyEntrySchema).optional(),
    /** The embedded default (no `WANDB_BASE_URL`): the local database and what exists in it. */
    embedded: z
      .object({
        db: z.string().min(1).optional(),
        /** Slack (`{ kind: "slack", entity, channelName, webhookUrl }`) and webhook (`{ kind: "webhook", entity, name, url, secret?, accessToken? }`) integrations, as in the server's seed file. */
        integrations: SeedIntegrations.optional(),
        /** Team secrets: `[{ entity: "acme", name: "GITHUB_TOKEN", value: process.env.GITHUB_TOKEN ?? "" }]`. Values are never printed. */
        secrets: SeedSecrets.optional(),
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

export { CONFIG_FILES } from "./config-files.js";

/** How automations name an integration: a webhook by its name, Slack by its channel (without `#`). */
export function integrationName(i: EmbeddedIntegration): string {
  return i.kind === "slack" ? i.channelName.replace(/^#/, "") : i.name;
}
