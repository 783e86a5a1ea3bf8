// Plan and apply every example on the embedded default (a local SQLite backend, no W&B account):
//   npx tripwire apply --config examples/tripwire.config.ts --yes
// Against W&B instead, set WANDB_BASE_URL and WANDB_API_KEY: the integrations must then exist in W&B, and the
// embedded section below is ignored.
import { defineConfig } from "@tripwire/reconciler";

// Where the local server (`tripwire server`) delivers; point these at your own receivers to watch them arrive.
const receiver = process.env.TRIPWIRE_EXAMPLE_RECEIVER ?? "http://127.0.0.1:8787";

export default defineConfig({
  owner: "examples",
  automations: ["training-health", "registry-promotion", "dataset-pipeline", "collection-filter", "team-policies"],
  entities: ["acme", "acme-ml"],
  embedded: {
    integrations: [
      // The ML team's channels and pipelines.
      { kind: "slack", entity: "acme-ml", channelName: "ml-alerts", webhookUrl: `${receiver}/slack/ml-alerts` },
      { kind: "slack", entity: "acme-ml", channelName: "alice-runs", webhookUrl: `${receiver}/slack/alice-runs` },
      { kind: "slack", entity: "acme-ml", channelName: "ml-checkpoints", webhookUrl: `${receiver}/slack/ml-checkpoints` },
      { kind: "webhook", entity: "acme-ml", name: "retrain", url: `${receiver}/retrain` },
      { kind: "webhook", entity: "acme-ml", name: "regional-compliance", url: `${receiver}/compliance` },
      // The organisation's registry and audit integrations.
      { kind: "slack", entity: "acme", channelName: "ml-audit", webhookUrl: `${receiver}/slack/ml-audit` },
      { kind: "webhook", entity: "acme", name: "eval-service", url: `${receiver}/evaluate`, secret: "EVAL_SIGNING_SECRET" },
      { kind: "webhook", entity: "acme", name: "github-dispatch", url: `${receiver}/repos/acme/deploy/dispatches`, accessToken: "GITHUB_TOKEN" },
    ],
    secrets: [
      { entity: "acme-ml", name: "COMPLIANCE_TOKEN", value: process.env.COMPLIANCE_TOKEN ?? "local-compliance-token" },
      { entity: "acme", name: "EVAL_SIGNING_SECRET", value: process.env.EVAL_SIGNING_SECRET ?? "local-signing-secret" },
      { entity: "acme", name: "GITHUB_TOKEN", value: process.env.GITHUB_TOKEN ?? "local-github-token" },
    ],
  },
});
