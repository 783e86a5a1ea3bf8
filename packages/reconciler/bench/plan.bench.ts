// `npm run bench plan`: tripwire plan for 10,000 automations across 100 projects against the server on loopback,
// compared in the same run with only fetching and JSON-parsing the same live state (the floor).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { apply, plan } from "../src/api.js";
import { loadDefinitions } from "../src/load/load.js";
import { remoteBackend } from "../src/remote/backend.js";
import type { Backend } from "../src/model/backend.js";
import { PAGE_SIZE } from "../src/remote/client.js";
import { ENTITY_AUTOMATIONS } from "../src/remote/documents.js";
import { BENCH_KEY, benchServer } from "./server.js";

const PROJECTS = 100;
const PER_PROJECT = 100;
const N = PROJECTS * PER_PROJECT;
const KEY = BENCH_KEY;
const repo = fileURLToPath(new URL("../../..", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "tripwire-plan-bench-"));
mkdirSync(join(dir, "automations"));
mkdirSync(join(dir, "node_modules", "@tripwire"), { recursive: true });
symlinkSync(join(repo, "packages", "sdk"), join(dir, "node_modules", "@tripwire", "sdk"));
writeFileSync(join(dir, "package.json"), '{"type":"module"}');
writeFileSync(
  join(dir, "automations", "generated.ts"),
  `import { automation, project, metric, onRunMetric, onRunState, runName, sendWebhook, webhook, doNothing } from "@tripwire/sdk";
const out = [];
for (let p = 0; p < ${PROJECTS}; p++) {
  const scope = project(\`acme/p\${String(p).padStart(3, "0")}\`);
  for (let i = 0; i < ${PER_PROJECT}; i++) {
    const name = \`auto-\${i}\`;
    const a = i % 3 === 0
      ? automation(name).in(scope).on(onRunMetric(metric(\`m\${i % 10}\`).mean(5).gt(i / 10)).where(runName.contains("sweep"))).do(sendWebhook(webhook("deploy"), { payload: { n: "\\\${run_name}", i } }))
      : i % 3 === 1
        ? automation(name).in(scope).on(onRunState(["failed", "finished"])).do(doNothing())
        : automation(name).in(scope).on(onRunMetric(metric("loss").mean(10).decreasesBy({ frac: 0.25 }))).do(doNothing());
    out.push(a);
  }
}
export default out;
`,
);

const server = await benchServer(join(dir, "bench.db"), {
  projects: Array.from({ length: PROJECTS }, (_, p) => ({ entity: "acme", name: `p${String(p).padStart(3, "0")}` })),
  integrations: [{ kind: "webhook", entity: "acme", name: "deploy", url: "http://127.0.0.1:9/hook" }],
});
const env = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };

/** The backend, with every request counted and mutations (writes) counted apart. */
function counted(): { open: () => Promise<Backend>; requests: () => number; writes: () => number } {
  let backend: Backend | undefined;
  let writes = 0;
  return {
    open: async () => {
      const b = remoteBackend(server.url, KEY);
      const transport = b.client.transport;
      const original = transport.request.bind(transport);
      transport.request = async (req) => {
        if (/^\s*mutation/.test(req.query)) writes++;
        return original(req);
      };
      backend = b;
      return b;
    },
    requests: () => backend?.client.transport.requestCount ?? 0,
    writes: () => writes,
  };
}

const ms = (t: number) => `${t.toFixed(0)} ms`;
/**
 * CPU time of this process (user + system), in ms. The server runs in this process, so a figure covers the client
 * and the server alike; on a machine shared with other work it varies far less than wall time.
 */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
console.log(`plan benchmark: ${N} automations across ${PROJECTS} projects, server on loopback (${server.url})`);

let t = performance.now();
const setup = counted();
const applied = await apply({ cwd: dir, env, typecheck: false, yes: true, parallelism: 16, openBackend: setup.open });
console.log(`setup  apply of ${N} creates: ${ms(performance.now() - t)} (${setup.requests()} requests, exit ${applied.exitCode})`);
if (applied.exitCode !== 0) throw new Error(`setup apply failed: ${JSON.stringify(applied.results.filter((r) => !r.ok).slice(0, 3))}`);

/** The floor: fetch every automation of the entity, page by page, and JSON.parse the answers. */
async function floor(): Promise<{ ms: number; cpu: number; requests: number; automations: number }> {
  const start = performance.now();
  const cpuStart = cpuMs();
  let cursor: string | null = null;
  let requests = 0;
  let automations = 0;
  const auth = `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}`;
  for (;;) {
    requests++;
    const res = await request(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: auth },
      body: JSON.stringify({ query: ENTITY_AUTOMATIONS, variables: { entity: "acme", cursor, perPage: PAGE_SIZE } }),
    });
    const body = JSON.parse(await res.body.text()) as { data: { scope: { triggers: { edges: unknown[]; pageInfo: { endCursor: string; hasNextPage: boolean } } } } };
    const conn = body.data.scope.triggers;
    automations += conn.edges.length;
    if (!conn.pageInfo.hasNextPage) break;
    cursor = conn.pageInfo.endCursor;
  }
  return { ms: performance.now() - start, cpu: cpuMs() - cpuStart, requests, automations };
}

const floors = [];
const plans = [];
for (let round = 0; round < 3; round++) {
  floors.push(await floor());
  const c = counted();
  t = performance.now();
  const cpuStart = cpuMs();
  const outcome = await plan({ cwd: dir, env, typecheck: false, detailedExitCode: true, openBackend: c.open });
  plans.push({ ms: performance.now() - t, cpu: cpuMs() - cpuStart, requests: c.requests(), writes: c.writes(), exit: outcome.exitCode, ops: outcome.plan?.operations.length ?? -1 });
}
// Loading the definitions alone (jiti transpiles the files; the SDK is loaded from TypeScript in this repository).
const loads = [];
const loadCpus = [];
for (let round = 0; round < 3; round++) {
  t = performance.now();
  const cpuStart = cpuMs();
  await loadDefinitions({ cwd: dir });
  loads.push(performance.now() - t);
  loadCpus.push(cpuMs() - cpuStart);
}
const bestLoad = Math.min(...loads);
const bestFloor = floors.reduce((a, b) => (a.ms < b.ms ? a : b));
const bestPlan = plans.reduce((a, b) => (a.ms < b.ms ? a : b));
const listFloor = Math.ceil(N / PAGE_SIZE);
console.log(`floor  fetch + JSON.parse of the live state: ${ms(bestFloor.ms)} (${bestFloor.requests} requests, ${bestFloor.automations} automations; runs ${floors.map((f) => ms(f.ms)).join(", ")})`);
console.log(`plan   tripwire plan, no changes:           ${ms(bestPlan.ms)} (${bestPlan.requests} requests, ${bestPlan.writes} writes, ${bestPlan.ops} operations, exit ${bestPlan.exit}; runs ${plans.map((p) => ms(p.ms)).join(", ")})`);
console.log(`load   loading the ${N} definitions alone:   ${ms(bestLoad)} (runs ${loads.map(ms).join(", ")})`);
console.log(`ratio  plan / floor = ${(bestPlan.ms / bestFloor.ms).toFixed(2)}× (goal ≤ 1.5×); without loading the definitions: ${((bestPlan.ms - bestLoad) / bestFloor.ms).toFixed(2)}×`);
const minCpu = (xs: readonly number[]) => Math.min(...xs);
const [floorCpu, planCpu, loadCpu] = [minCpu(floors.map((f) => f.cpu)), minCpu(plans.map((p) => p.cpu)), minCpu(loadCpus)];
console.log(`cpu    process CPU time (client and server), best of 3: floor ${ms(floorCpu)}, plan ${ms(planCpu)}, load ${ms(loadCpu)}`);
console.log(`ratio  by CPU time: plan / floor = ${(planCpu / floorCpu).toFixed(2)}×; without loading the definitions: ${((planCpu - loadCpu) / floorCpu).toFixed(2)}×`);
console.log(`listing requests: ${bestFloor.requests} for ${N} automations in one entity (ceil(N / page ${PAGE_SIZE}) = ${listFloor}; goal ≤ that per scope)`);
console.log(`no-change re-plan writes: ${bestPlan.writes} (goal 0)`);
await server.close();
