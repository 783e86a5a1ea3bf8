// `npm run bench import`: `tripwire import --dry-run` of 300 automations made "in the W&B UI" (created through
// GraphQL, unmanaged) from a Tripwire server on loopback, compared in the same run with reading the same live state
// alone (the floor an import cannot go below); the code generation on its own is timed beside them.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  and,
  automation,
  doNothing,
  metric,
  normalizeSpec,
  not,
  onRunMetric,
  onRunState,
  project,
  runName,
  runUser,
  sendNotification,
  sendWebhook,
  slack,
  toSpec,
  webhook,
  type AnyAutomation,
  type AutomationSpec,
} from "@tripwire/sdk";
import { encodeAutomation } from "@tripwire/sdk/wire";
import { importAutomations } from "../src/api/import.js";
import { generateSource } from "../src/import/generate.js";
import { readLiveState } from "../src/remote/live.js";
import { remoteBackend } from "../src/remote/backend.js";
import { makeProject } from "../test/project.js";
import { rng } from "./random.js";
import { BENCH_KEY, benchServer } from "./server.js";

const ROUNDS = Number(process.env.TRIPWIRE_BENCH_ROUNDS ?? 5);
const PROJECTS = 3;
const N = 300;
const KEY = BENCH_KEY;
const projects = Array.from({ length: PROJECTS }, (_, p) => `p${p}`);

const server = await benchServer(join(mkdtempSync(join(tmpdir(), "tripwire-import-bench-")), "w.db"), {
  projects: projects.map((name) => ({ entity: "acme", name })),
  integrations: [
    { kind: "slack", entity: "acme", channelName: "ml-alerts", webhookUrl: "http://127.0.0.1:9/slack" },
    { kind: "webhook", entity: "acme", name: "deploy", url: "http://127.0.0.1:9/hook" },
  ],
});

// A catalog as teams have one: metric thresholds, changes and z-scores, run states, run filters, Slack and webhooks.
const random = rng(11);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
function definition(i: number, p: string): AnyAutomation {
  const scope = project(`acme/${p}`);
  const name = `${pick(["loss", "acc", "gpu", "grad-norm", "val-loss"])}-${pick(["spike", "drop", "watch", "alert"])}-${i}`;
  const m = metric(pick(["loss", "acc", "val/loss", "gpu_util", "grad_norm"]));
  const event = pick([
    () => onRunMetric(m.mean(1 + (i % 10)).gt(i / 7)),
    () => onRunMetric(m.min(5).decreasesBy({ frac: 0.25, priorWindow: 50 })).where(runName.contains("sweep-")),
    () => onRunMetric(m.zscore(30).abs().gt(3)).where(and(runName.regex("^train-\\d+$"), not(runUser.in(["ci-bot", "nightly"])))),
    () => onRunState(["failed", "finished"]).where(runUser.ne("ci-bot")),
  ])();
  const action = pick([
    () => sendNotification(slack("ml-alerts"), { title: `${name} fired`, message: "Run ${run_name}: ${metric_values}", severity: "WARN" }),
    () => sendWebhook(webhook("deploy"), { payload: { event: "${event_type}", run: "${run_name}", context: { project: p, threshold: i / 7, tags: ["auto", "bench"] } } }),
    () => doNothing(),
  ])();
  const a = automation(name).in(scope).on(event).do(action);
  return i % 4 === 0 ? a.describe(`Watches ${name} for the team (made in the W&B UI)`) : a;
}

// Saved as the W&B UI saves them: through GraphQL (the reconciler's own client), with no Tripwire marker.
const setupStart = performance.now();
const ui = remoteBackend(server.url, KEY);
const scopeIds = new Map<string, string>();
for (const p of projects) scopeIds.set(p, (await ui.client.project("acme", p))?.id as string);
const integrations = await ui.client.integrations("acme");
const integrationId = (spec: AutomationSpec) =>
  spec.action.type === "notification" ? integrations.find((n) => n.__typename === "SlackIntegration")?.id : spec.action.type === "webhook" ? integrations.find((n) => n.__typename === "GenericWebhookIntegration")?.id : undefined;
const specs: AutomationSpec[] = [];
for (let i = 0; i < N; i++) {
  const p = projects[i % PROJECTS] as string;
  const spec = normalizeSpec(toSpec(definition(i, p)));
  specs.push(spec);
  await ui.client.createAutomation(encodeAutomation(spec, { scopeId: scopeIds.get(p) as string, integrationId: integrationId(spec) ?? "" }));
}
await ui.close();
console.log(`import benchmark: ${N} automations in ${PROJECTS} projects, server on loopback (${server.url}); setup ${ms(performance.now() - setupStart)}`);

function ms(t: number): string {
  return `${t.toFixed(0)} ms`;
}
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
/** CPU time of this process (user + system), in ms: on a machine shared with other work it varies far less than wall time. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const env = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
const dir = makeProject({ "tripwire.config.ts": `export default { owner: "bench" };\n` });

// The first generation in this process also loads the code generator's libraries (what the first import pays).
let t = performance.now();
let c = cpuMs();
const first = await generateSource({ automations: specs.map((spec) => ({ spec })) });
const cold = performance.now() - t;
const coldCpu = cpuMs() - c;
const lines = first.text.split("\n").length;

const floors: number[] = [];
const generations: number[] = [];
const generationCpus: number[] = [];
const imports: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  t = performance.now();
  const backend = remoteBackend(server.url, KEY);
  const live = await readLiveState(backend.client, ["acme"], 8);
  await backend.close();
  floors.push(performance.now() - t);
  if (live.automations.length !== N) throw new Error(`the floor read ${live.automations.length} automations, not ${N}`);

  t = performance.now();
  c = cpuMs();
  const generated = await generateSource({ automations: specs.map((spec) => ({ spec })) });
  generations.push(performance.now() - t);
  generationCpus.push(cpuMs() - c);
  if (generated.text !== first.text) throw new Error("generation is not deterministic");

  t = performance.now();
  const outcome = await importAutomations({ cwd: dir, env, entity: "acme", dryRun: true, typecheck: false });
  imports.push(performance.now() - t);
  const imported = outcome.automations.filter((a) => a.status === "imported").length;
  if (outcome.exitCode !== 0 || imported !== N) throw new Error(`import --dry-run: exit ${outcome.exitCode}, ${imported} of ${N} imported`);
}
const [floor, generation, dryRun] = [median(floors), median(generations), median(imports)];
const runs = (xs: readonly number[]) => xs.map(ms).join(", ");
console.log(`cold   first generateSource in the process (loads the generator's libraries): ${ms(cold)}, CPU ${ms(coldCpu)} (${lines} lines)`);
console.log(`floor  reading the live state alone:           median ${ms(floor)} (runs ${runs(floors)})`);
console.log(`gen    generateSource of ${N} automations:     median ${ms(generation)}, CPU median ${ms(median(generationCpus))} (runs ${runs(generations)})`);
console.log(`import tripwire import --dry-run (${N}):        median ${ms(dryRun)} (runs ${runs(imports)})`);
console.log(`ratio  import / floor = ${(dryRun / floor).toFixed(2)}×; generation / import = ${(generation / dryRun).toFixed(2)}`);
await server.close();
