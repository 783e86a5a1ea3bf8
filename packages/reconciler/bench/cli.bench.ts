// `npm run bench cli`: the installed CLI's response times. The packages are packed and installed into a temp project
// outside the checkout (as a team installs them), and each command's median wall time over ROUNDS runs is compared
// with `node -e 0` measured in the same rounds (commands run round-robin, so a busy machine slows all alike).
// Type-checking is also measured at its source: TypeScript 7's native tsc against ts-morph's JavaScript API.
import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build, cleanEnv, installProject, packAll, REPO, writeFiles } from "../../../test/packed.js";

const ROUNDS = Number(process.env.TRIPWIRE_BENCH_ROUNDS ?? 5);

const t0 = performance.now();
build();
const work = join(REPO, "node_modules", ".cache", "tripwire-cli-bench");
rmSync(work, { recursive: true, force: true });
const packed = packAll(join(work, "tarballs"));
// @types/node: the examples' config reads process.env, and type-checking it needs Node's types.
const dir = installProject(packed, { extra: ["@types/node@^20.19.0"] });
console.log(`setup: packed and installed into ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const TSCONFIG = `${JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", skipLibCheck: true, noEmit: true, types: ["node"] } }, null, 2)}\n`;
// The small project (what a new user starts with): a config and one automation.
writeFiles(dir, {
  "tsconfig.json": TSCONFIG,
  "tripwire.config.ts": `import { defineConfig } from "@tripwire/reconciler";

export default defineConfig({
  automations: ["automations"],
  embedded: { integrations: [{ kind: "slack", entity: "acme-ml", channelName: "ml-alerts", webhookUrl: "http://127.0.0.1:9/slack" }] },
});
`,
  "automations/training.ts": `import { automation, project, metric, onRunMetric, sendNotification, slack } from "@tripwire/sdk";

export const lossSpike = automation("loss-spike")
  .in(project("acme-ml/llm-pretrain"))
  .on(onRunMetric(metric("loss").mean(5).gt(0.6)))
  .do(sendNotification(slack("ml-alerts"), { title: "Loss spiked", severity: "WARN" }));
`,
});
// The repository's examples, in a folder of the same project.
const examples = join(dir, "examples");
for (const name of readdirSync(join(REPO, "examples"))) {
  if (name === "tripwire.config.ts" || ["training-health", "registry-promotion", "dataset-pipeline", "collection-filter", "team-policies"].includes(name)) {
    cpSync(join(REPO, "examples", name), join(examples, name), { recursive: true, filter: (f) => !/\.test\.(ts|ya?ml)$/.test(f) });
  }
}

const bin = join(dir, "node_modules", "@tripwire", "reconciler", "bin", "tripwire.js");
const tsc = join(dir, "node_modules", "@typescript", `typescript-${process.platform}-${process.arch}`, "lib", "tsc");
const cache = join(dir, ".tripwire", "typecheck");
const forgetTypecheck = () => rmSync(cache, { recursive: true, force: true });
// The tsconfig `tripwire plan` generates for the small project (one cache folder per set of files).
spawnSync(process.execPath, [bin, "validate"], { cwd: dir, env: cleanEnv() });
const [key] = readdirSync(cache);
const generated = join(cache, key ?? "", "tsconfig.json");
const forgetBuildInfo = () => rmSync(join(cache, key ?? "", "tsbuildinfo"), { force: true });
// The JavaScript API path, as `typecheckFiles` did it before: ts-morph (its bundled TypeScript) on the same files.
const TS_MORPH = `
const { Project } = require("ts-morph");
const project = new Project({ tsConfigFilePath: "tsconfig.json", skipAddingFilesFromTsConfig: true, compilerOptions: { noEmit: true } });
for (const f of ["automations/training.ts", "tripwire.config.ts"]) project.addSourceFileAtPath(f);
project.resolveSourceFileDependencies();
process.stdout.write(String(project.getPreEmitDiagnostics().length));
`;

interface Case {
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly before?: () => void;
  /** The exit code a correct run has. */
  readonly exit: number;
  readonly goal?: number;
}

const cases: Case[] = [
  { label: "node -e 0", file: process.execPath, args: ["-e", "0"], cwd: dir, exit: 0 },
  { label: "tripwire --version", file: process.execPath, args: [bin, "--version"], cwd: dir, exit: 0, goal: 3 },
  { label: "tripwire plan --no-typecheck (1 automation, embedded)", file: process.execPath, args: [bin, "plan", "--no-typecheck"], cwd: dir, exit: 0, goal: 6 },
  { label: "tripwire plan, type-check cold", file: process.execPath, args: [bin, "plan"], cwd: dir, before: forgetTypecheck, exit: 0, goal: 15 },
  { label: "tripwire plan, type-check warm", file: process.execPath, args: [bin, "plan"], cwd: dir, exit: 0, goal: 8 },
  { label: "tripwire validate (15 examples, type-check warm)", file: process.execPath, args: [bin, "validate"], cwd: examples, exit: 0, goal: 10 },
  // As `tripwire plan` runs it: build mode, whose up-to-date check answers a warm run without building a program.
  { label: "type-check only: native tsc -b, cold", file: tsc, args: ["-b", generated, "--pretty", "false"], cwd: dir, before: forgetBuildInfo, exit: 0 },
  { label: "type-check only: native tsc -b, warm", file: tsc, args: ["-b", generated, "--pretty", "false"], cwd: dir, exit: 0 },
  { label: "type-check only: native tsc -p, warm", file: tsc, args: ["-p", generated, "--pretty", "false"], cwd: dir, exit: 0 },
  { label: "type-check only: ts-morph (JS API)", file: process.execPath, args: ["-e", TS_MORPH], cwd: dir, exit: 0 },
];

function once(c: Case): number {
  c.before?.();
  const start = performance.now();
  const r = spawnSync(c.file, c.args, { cwd: c.cwd, env: cleanEnv(), encoding: "utf8" });
  const ms = performance.now() - start;
  if (r.status !== c.exit) throw new Error(`${c.label}: exit ${r.status} (expected ${c.exit})\n${r.stdout}\n${r.stderr}`);
  return ms;
}

// Warm-up: the embedded database, jiti's transpile cache and the type-check cache exist before the measured rounds.
spawnSync(process.execPath, [bin, "apply", "--yes"], { cwd: dir, env: cleanEnv() });
spawnSync(process.execPath, [bin, "apply", "--yes"], { cwd: examples, env: cleanEnv() });
for (const c of cases) once(c);

const times = new Map<string, number[]>(cases.map((c) => [c.label, []]));
for (let round = 0; round < ROUNDS; round++) for (const c of cases) times.get(c.label)?.push(once(c));

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const base = median(times.get("node -e 0") ?? []);
console.log(`\nmedian of ${ROUNDS} runs each, ratio to node -e 0 (${base.toFixed(0)} ms) in the same rounds:`);
for (const c of cases) {
  const m = median(times.get(c.label) ?? []);
  const ratio = m / base;
  const goal = c.goal === undefined ? "" : `  (goal ≤ ${c.goal}×: ${ratio <= c.goal ? "met" : "NOT met"})`;
  console.log(`${c.label.padEnd(52)} ${m.toFixed(0).padStart(6)} ms  ${ratio.toFixed(1).padStart(5)}×${goal}`);
}
rmSync(dir, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
