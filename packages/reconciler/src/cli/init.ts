import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIG_FILES } from "../model/config-files.js";
import type { Command } from "./command.js";
import type { Io } from "./io.js";

export const EXAMPLES = ["training", "registry", "pipeline"] as const;
export type InitExample = (typeof EXAMPLES)[number];

export interface InitArgs {
  readonly example: InitExample;
}

/**
 * The CI workflow has one home, the package's `templates/` folder: `examples/ci/tripwire.yml` is a link to it, so
 * what `tripwire init` writes is what the repository documents. `src/cli/`, and the bundle's `dist/cli/` and
 * `dist/chunks/` (bundle.mjs), sit at the same depth, so the path holds for all.
 */
export const WORKFLOW_TEMPLATE = fileURLToPath(new URL("../../templates/github-workflow.yml", import.meta.url));

// Where the local server (`tripwire server`) delivers in the generated config; users point these at real receivers.
const RECEIVER = "http://127.0.0.1:8787";

interface Example {
  readonly file: string;
  readonly source: string;
  readonly entities: readonly string[];
  readonly integrations: readonly string[];
}

const EXAMPLE_FILES: Record<InitExample, Example> = {
  training: {
    file: "automations/training.ts",
    entities: ["my-team"],
    integrations: [`{ kind: "slack", entity: "my-team", channelName: "ml-alerts", webhookUrl: "${RECEIVER}/slack/ml-alerts" }`],
    source: `// Training runs: one automation per run event. Rename the team and project to yours, then \`npx tripwire plan\`.
import { automation, metric, onRunMetric, onRunState, project, runName, sendNotification, slack } from "@tripwire/sdk";

// The project whose runs are watched ("entity/project"), and the Slack channel that hears about them.
const training = project("my-team/my-project");
const alerts = slack("ml-alerts");

// Run metric: the mean loss of the last 5 logged values of a sweep run goes above 0.6.
export const lossSpike = automation("loss-spike")
  .in(training)
  .on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(runName.contains("sweep-")))
  .do(sendNotification(alerts, { title: "Loss spiked", message: "Mean loss over the last 5 steps is above 0.6", severity: "WARN" }))
  .describe("Sweep runs whose loss spikes above 0.6");

// Run state: a run failed (a crash counts as failed).
export const runFailed = automation("run-failed")
  .in(training)
  .on(onRunState(["failed"]))
  .do(sendNotification(alerts, { title: "Training run failed", severity: "ERROR" }));
`,
  },
  registry: {
    file: "automations/registry.ts",
    entities: ["my-org"],
    integrations: [`{ kind: "webhook", entity: "my-org", name: "eval-service", url: "${RECEIVER}/evaluate" }`],
    source: `// Model registry: one automation per registry event. Rename the organisation, registry and collection to yours.
import { alias, automation, onAddArtifactAlias, onLinkArtifact, registry, sendWebhook, webhook } from "@tripwire/sdk";

// The registry collection ("org/registry", then the collection) and the webhook that hears about it.
const model = registry("my-org/model").collection("my-model");
const evalService = webhook("eval-service");

// Link: a new version is linked into the collection; evaluate it.
export const evaluateOnLink = automation("evaluate-on-link")
  .in(model)
  .on(onLinkArtifact())
  .do(sendWebhook(evalService, { payload: { model: "\${artifact_version_string}", linked_by: "\${event_author}" } }))
  .describe("Evaluate every version linked into my-model");

// Alias: a version gets the "production" alias; deploy it.
export const deployProduction = automation("deploy-production")
  .in(model)
  .on(onAddArtifactAlias(alias.eq("production")))
  .do(sendWebhook(evalService, { payload: { deploy: "\${artifact_version_string}", alias: "\${alias}" } }));
`,
  },
  pipeline: {
    file: "automations/pipeline.ts",
    entities: ["my-team"],
    integrations: [`{ kind: "webhook", entity: "my-team", name: "retrain", url: "${RECEIVER}/retrain" }`],
    source: `// Data pipeline: one automation per artifact event. Rename the team, project and collection to yours.
import { automation, onAddArtifactTag, onCreateArtifact, project, sendWebhook, tag, webhook } from "@tripwire/sdk";

// The project whose artifacts are watched ("entity/project"), and the webhook that starts the jobs.
const data = project("my-team/data-pipeline");
const retrain = webhook("retrain");

// Create: a new version of the training set is logged; retrain on it.
export const retrainOnNewDataset = automation("retrain-on-new-dataset")
  .in(data.collection("training-set"))
  .on(onCreateArtifact())
  .do(sendWebhook(retrain, { payload: { dataset: "\${artifact_version_string}" } }))
  .describe("Retrain on every new version of the training set");

// Tag: a version is tagged "validated"; start the job that promotes it.
export const promoteValidated = automation("promote-validated")
  .in(data)
  .on(onAddArtifactTag(tag.eq("validated")))
  .do(sendWebhook(retrain, { payload: { promote: "\${artifact_version_string}", tag: "\${tag}" } }));
`,
  },
};

function configSource(example: Example): string {
  return `// Tripwire's configuration: where the definitions are, and what the embedded default (no WANDB_BASE_URL set: a
// local database in .tripwire/, no account needed) holds. Against W&B, set WANDB_BASE_URL and WANDB_API_KEY: the
// integrations must then exist in W&B, and the embedded section is ignored.
export default {
  // Tripwire changes and deletes only automations this owner manages, so other repositories can share the entity.
  owner: "default",
  automations: ["automations"],
  // Entities whose managed automations are read, so one removed from code is deleted.
  entities: ${JSON.stringify(example.entities)},
  embedded: {
    // Integrations the definitions name, created in the local database. \`tripwire server\` delivers to these URLs.
    integrations: [
      ${example.integrations.join(",\n      ")},
    ],
  },
};
`;
}

// "preserve" with bundler resolution: the definitions are loaded by Tripwire, not by Node's module system, and this
// type-checks them the same whether or not the package.json says "type": "module".
const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: { strict: true, target: "ES2022", module: "preserve", moduleResolution: "bundler", skipLibCheck: true, noEmit: true },
    include: ["tripwire.config.ts", "automations"],
  },
  null,
  2,
)}\n`;

const IGNORED = ".tripwire/";

/** Whether a .gitignore already ignores `.tripwire/` (with or without the leading or trailing slash). */
export function ignoresTripwire(gitignore: string): boolean {
  return gitignore.split(/\r?\n/).some((line) => /^\/?\.tripwire\/?\s*$/.test(line.trim()));
}

/** What init did with each path, in the order it went through them. */
export interface InitStep {
  readonly path: string;
  readonly action: "created" | "updated" | "skipped" | "failed";
  readonly why?: string;
}

/**
 * Sets up a repository for Tripwire without overwriting anything: writes only what is missing and reports the rest.
 */
export function initProject(dir: string, example: InitExample): InitStep[] {
  const steps: InitStep[] = [];
  const write = (path: string, text: string) => {
    try {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text, { flag: "wx" });
      steps.push({ path, action: "created" });
    } catch (error) {
      // A file where a folder should be, a read-only checkout: the user's to fix; the other steps still run.
      steps.push({ path, action: "failed", why: `cannot write it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    }
  };
  const chosen = EXAMPLE_FILES[example];

  const config = CONFIG_FILES.find((f) => existsSync(join(dir, f)));
  if (config) steps.push({ path: config, action: "skipped", why: "exists" });
  else write("tripwire.config.ts", configSource(chosen));

  const automations = join(dir, "automations");
  if (existsSync(automations) && readdirSync(automations).length > 0) steps.push({ path: "automations/", action: "skipped", why: "already holds definitions" });
  else write(chosen.file, chosen.source);

  if (existsSync(join(dir, "tsconfig.json"))) steps.push({ path: "tsconfig.json", action: "skipped", why: "exists" });
  else write("tsconfig.json", TSCONFIG);

  const gitignore = join(dir, ".gitignore");
  if (!existsSync(gitignore)) write(".gitignore", `${IGNORED}\n`);
  else {
    const text = readFileSync(gitignore, "utf8");
    if (ignoresTripwire(text)) steps.push({ path: ".gitignore", action: "skipped", why: `already ignores ${IGNORED}` });
    else {
      appendFileSync(gitignore, `${text.length > 0 && !text.endsWith("\n") ? "\n" : ""}${IGNORED}\n`);
      steps.push({ path: ".gitignore", action: "updated", why: `ignores ${IGNORED}` });
    }
  }

  const workflow = ".github/workflows/tripwire.yml";
  if (existsSync(join(dir, workflow))) steps.push({ path: workflow, action: "skipped", why: "exists" });
  else write(workflow, readFileSync(WORKFLOW_TEMPLATE, "utf8"));
  return steps;
}

/** The commands a new user runs next, in order. */
export const NEXT_COMMANDS = ["npx tripwire validate", "npx tripwire plan", "npx tripwire apply"] as const;

/** `tripwire init`: sets up the working directory as a repository of automation definitions. */
export async function initCommand(args: InitArgs, io: Io): Promise<number> {
  const steps = initProject(resolve(io.cwd), args.example);
  for (const s of steps) io.stdout.write(`  ${s.action.padEnd(7)} ${s.path}${s.why ? ` (${s.why})` : ""}\n`);
  const failed = steps.filter((s) => s.action === "failed");
  if (failed.length > 0) {
    io.stderr.write(`\nerror TW6211: tripwire init could not write ${failed.map((f) => f.path).join(", ")}: fix the path (a file where a folder belongs?) or its permissions, and run it again\n`);
    return 1;
  }
  const created = steps.filter((s) => s.action !== "skipped").length;
  io.stdout.write(created === 0 ? "\nNothing to add: the repository is already set up.\n" : "\n");
  io.stdout.write(
    `Next:\n` +
      `  ${NEXT_COMMANDS[0]}   # check the definitions offline\n` +
      `  ${NEXT_COMMANDS[1]}       # what apply would change (the embedded default, until WANDB_BASE_URL is set)\n` +
      `  ${NEXT_COMMANDS[2]}      # make it so\n`,
  );
  return 0;
}

export const initCmd: Command = {
  command: "init",
  describe: "set up this repository: config, example automations, tsconfig, .gitignore, CI workflow (never overwrites)",
  builder: (y) => y.option("example", { type: "string", choices: EXAMPLES, default: "training" as InitExample, describe: "which example automations to write" }),
  run: (a, io) => initCommand({ example: a.example }, io),
};
