// The code generator's libraries (ts-morph, Prettier) load with the commands that generate code only: `--version`
// and `plan` run without them. Checked in child processes (what a process loads is about the process itself), each
// started with a preload that records every ts-morph or Prettier module it loads, through require (how ts-morph is
// loaded) and import (how Prettier is) alike.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { BIN, runProcess } from "./e2e/cli.js";
import { makeProject, REPO } from "./project.js";

const WATCHED = /[\\/]node_modules[\\/](prettier|ts-morph)[\\/]/;

/** A preload writing the name of each watched package the process loads to `log`, one per line. */
function preload(dir: string, log: string): string {
  const hooks = `import { appendFileSync } from "node:fs";
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const found = await next(specifier, context);
  const m = ${WATCHED}.exec(found.url);
  if (m) appendFileSync(log, m[1] + "\\n");
  return found;
}
`;
  const file = join(dir, "preload.mjs");
  writeFileSync(join(dir, "hooks.mjs"), hooks);
  writeFileSync(
    file,
    `import Module, { register } from "node:module";
import { appendFileSync } from "node:fs";
const log = ${JSON.stringify(log)};
register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)}, { data: { log } });
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const loaded = load.call(this, request, parent, isMain);
  const path = Module._resolveFilename(request, parent, isMain);
  const m = ${WATCHED}.exec(path);
  if (m) appendFileSync(log, m[1] + "\\n");
  return loaded;
};
`,
  );
  return file;
}

async function loadedBy(args: readonly string[], cwd: string): Promise<{ code: number | null; loaded: string[] }> {
  const log = join(cwd, `loaded-${Math.random().toString(36).slice(2)}.log`);
  const { WANDB_BASE_URL: _b, WANDB_API_KEY: _k, WANDB_ENTITY: _e, ...env } = process.env;
  const r = await runProcess(process.execPath, ["--import", pathToFileURL(preload(cwd, log)).href, ...args], { cwd, env: { ...env, NO_COLOR: "1" } });
  if (r.code !== 0) throw new Error(`${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  const loaded = existsSync(log) ? [...new Set(readFileSync(log, "utf8").split("\n").filter((l) => l !== ""))].sort() : [];
  return { code: r.code, loaded };
}

describe("the code generator's libraries load only when code is generated", () => {
  it("tripwire --version and tripwire plan load neither ts-morph nor Prettier; generating code loads both", async () => {
    const dir = makeProject({
      "automations/a.ts": `import { automation, project, onRunState, doNothing } from "@tripwire/sdk";\nexport const a = automation("a").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing());\n`,
    });
    expect(await loadedBy([BIN, "--version"], dir)).toEqual({ code: 0, loaded: [] });
    expect(await loadedBy([BIN, "plan", "--no-typecheck"], dir)).toEqual({ code: 0, loaded: [] });
    // The same preload sees both as soon as the generator runs, so the two above cannot pass by seeing nothing.
    const generate = pathToFileURL(join(REPO, "packages", "reconciler", "dist", "index.js")).href;
    const script = `const { generateSource } = await import(${JSON.stringify(generate)}); await generateSource({ automations: [] });`;
    expect(await loadedBy(["--input-type=module", "-e", script], dir)).toEqual({ code: 0, loaded: ["prettier", "ts-morph"] });
  }, 120_000);
});
