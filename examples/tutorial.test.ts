// docs/tutorial.md, followed to the letter: every command of sections 1–6 runs as a child process in a copy of
// examples/tutorial/ beside it (examples/.tutorial-*/, inside the examples workspace, as the reader's own folder is),
// each `npx tripwire …` line through `npx` as the reader types it — npm runs a workspace's bin in the workspace root,
// so this is what proves the CLI works in the folder it was typed in — with a local `tripwire server` (also started
// through npx) standing in for W&B; every output the page shows must appear, the edit it asks for is made, and the
// files it shows are the files written.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess, type CliResult } from "../packages/reconciler/test/e2e/cli.js";
import { REPO } from "../packages/reconciler/test/project.js";

type Block = { kind: "code"; lang: string; text: string } | { kind: "prose"; text: string };

/** The page's sections 1–6 (section 7 points at W&B itself) as prose and fenced code, in order. */
function blocks(markdown: string): Block[] {
  const body = markdown.split("\n## 7.")[0] as string;
  const out: Block[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  let last = 0;
  for (const m of body.matchAll(fence)) {
    out.push({ kind: "prose", text: body.slice(last, m.index) });
    out.push({ kind: "code", lang: m[1] as string, text: m[2] as string });
    last = (m.index as number) + m[0].length;
  }
  out.push({ kind: "prose", text: body.slice(last) });
  return out;
}

/** Each line the page shows must be in the output; `…` stands for whatever varies (an ID, a duration). */
function expectShown(shown: string, output: string): void {
  for (const line of shown.split("\n").filter((l) => l.trim() !== "")) {
    const pattern = line.split("…").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*");
    expect(output, `the tutorial shows: ${line}`).toMatch(new RegExp(pattern));
  }
}

/** Commands the page shows that a test cannot run: posting to GitHub needs a pull request (tested on its own). */
const NOT_RUN = /^npx tripwire comment /;
/** `--detailed-exitcode` exits 2 while a change is pending: the pull request's plan, before the apply. */
const EXIT: Record<string, number> = { "npx tripwire plan --markdown --detailed-exitcode --backtest --from 2026-11-20 --to 2026-11-23 > plan.md": 2 };

const npx = process.platform === "win32" ? "npx.cmd" : "npx";

/**
 * The reader's shell: no W&B settings, and no npm variables from the npm that started the test run (npx sets its own
 * `INIT_CWD`, the folder it is typed in), plus what the page has exported so far.
 */
function shellEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("WANDB_") && !k.startsWith("npm_") && k !== "INIT_CWD" && k !== "NODE_OPTIONS") out[k] = v;
  return { ...out, NO_COLOR: "1", ...env };
}

let server: ChildProcess | undefined;
let copy: string | undefined;
afterAll(() => {
  // npx runs the CLI as its child: the server is stopped with its process group (it was started detached for that).
  if (server?.pid !== undefined && server.exitCode === null) process.kill(-server.pid, "SIGTERM");
  if (copy) rmSync(copy, { recursive: true, force: true });
});

/** `npx tripwire server`, as the page starts it, on a free port instead of 8080; resolves with its URL. */
function startServer(args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  const child = spawn(npx, ["tripwire", ...args.map((a) => (a === "8080" ? "0" : a))], { cwd, env: shellEnv(env), detached: true });
  server = child;
  return new Promise((resolve, reject) => {
    let log = "";
    const read = (c: Buffer) => {
      log += c;
      const url = /"msg":"listening","url":"([^"]+)"/.exec(log)?.[1];
      if (url) resolve(url);
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => reject(new Error(`npx tripwire server exited (${code}): ${log}`)));
  });
}

/** A command of the page as the reader's shell runs it: `file args…` in `cwd`, stdin closed. */
function run(file: string, args: string[], cwd: string, env: Record<string, string>): Promise<CliResult> {
  return runProcess(file, args, { cwd, env: shellEnv(env) });
}

describe("the tutorial (docs/tutorial.md)", () => {
  it("runs as written: import, an unchanged plan, a reviewed change with its backtest, apply, backtest, tests", async () => {
    const page = readFileSync(join(REPO, "docs/tutorial.md"), "utf8");
    copy = mkdtempSync(join(REPO, "examples", ".tutorial-"));
    const dir = copy;
    cpSync(join(REPO, "examples/tutorial"), dir, { recursive: true });
    const env: Record<string, string> = {};
    let url = "";
    let previous: CliResult | undefined;
    let prose = "";
    const ran: string[] = [];
    const checked = { outputs: 0, files: 0 };

    for (const block of blocks(page)) {
      if (block.kind === "prose") {
        prose = block.text;
        // "In `automations/imported.ts`, change `.gt(0.6)` to `.gt(0.5)`": the edit the reader makes.
        const edit = /In `([^`]+)`, change `([^`]+)` to `([^`]+)`/.exec(prose.replace(/\s+/g, " "));
        if (edit) {
          const [, file, from, to] = edit as unknown as [string, string, string, string];
          const text = readFileSync(join(dir, file), "utf8");
          expect(text).toContain(from);
          writeFileSync(join(dir, file), text.replace(from, to));
        }
        continue;
      }
      if (block.lang === "yaml") {
        const file = [...prose.matchAll(/`([\w.-]+\.ya?ml)`/g)].pop()?.[1];
        expect(file, "a YAML block names its file just before it").toBeDefined();
        writeFileSync(join(dir, file as string), block.text);
        checked.files++;
      } else if (block.lang === "ts") {
        // The page shows part of the generated file: it must be there, exactly.
        expect(readFileSync(join(dir, "automations/imported.ts"), "utf8")).toContain(block.text);
        checked.files++;
      } else if (block.lang === "") {
        expect(previous, "an output block follows a command").toBeDefined();
        const { stdout, stderr } = previous as CliResult;
        expectShown(block.text, `${stdout}\n${stderr}`);
        checked.outputs++;
      } else if (block.lang === "sh") {
        for (const command of block.text.split("\n").filter((l) => l.trim() !== "")) {
          ran.push(command);
          const words = command.split(/\s+/);
          if (command === "cd examples/tutorial" || NOT_RUN.test(command)) continue;
          if (words[0] === "export") {
            for (const [k, v] of words.slice(1).map((w) => w.split("=") as [string, string])) env[k] = k === "WANDB_BASE_URL" ? url : v;
          } else if (command.startsWith("npx tripwire server ")) {
            url = await startServer(words.slice(2), dir, env);
          } else if (words[0] === "node") {
            previous = await run(process.execPath, words.slice(1), dir, env);
            expect(previous.code, `${command}\n${previous.stderr}`).toBe(0);
          } else if (command.startsWith("npx tripwire ")) {
            const [cli, redirect] = command.slice("npx tripwire ".length).split(" > ") as [string, string | undefined];
            previous = await run(npx, ["tripwire", ...cli.split(/\s+/)], dir, env);
            if (redirect) writeFileSync(join(dir, redirect), previous.stdout);
            expect(previous.code, `${command}\n${previous.stdout}\n${previous.stderr}`).toBe(EXIT[command] ?? 0);
          } else {
            throw new Error(`the tutorial runs a command this test does not know: ${command}`);
          }
        }
      }
    }

    // The steps are the ones this test was written for; a new step needs a look at what it expects.
    expect(ran).toEqual([
      "cd examples/tutorial",
      "npx tripwire server --db wandb.db --port 8080 --seed seed.json --allow-private 127.0.0.1",
      "export WANDB_BASE_URL=http://127.0.0.1:8080 WANDB_API_KEY=tutorial-key-0000001",
      "node record-runs.mjs",
      "node ui-automations.mjs",
      "npx tripwire import --entity acme-ml --project llm --out automations/imported.ts",
      "npx tripwire plan --detailed-exitcode",
      "npx tripwire plan --backtest --from 2026-11-20 --to 2026-11-23",
      "npx tripwire plan --markdown --detailed-exitcode --backtest --from 2026-11-20 --to 2026-11-23 > plan.md",
      'npx tripwire comment plan.md --repo "$GITHUB_REPOSITORY" --pr "$PR_NUMBER"',
      "npx tripwire apply --yes",
      "npx tripwire backtest --history history --html report.html",
      "npx tripwire test loss-spike.test.yaml",
    ]);
    // Eight outputs shown (record-runs, ui-automations, import, both plans, apply, backtest, test), the generated file and the YAML.
    expect(checked).toEqual({ outputs: 8, files: 2 });
    // The pull-request comment carries the change and its notification volume.
    const comment = readFileSync(join(dir, "plan.md"), "utf8");
    expect(comment).toContain("**Plan: 0 to add, 1 to change, 0 to destroy.**");
    expect(comment).toContain("| `~` | `project:acme-ml/llm/loss-spike` | 1 → **2** (+1) | 1 → 2 (1 newly, 0 no longer) | 0.33 → **0.67** Slack messages |");
    // …with the firings per day as a chart GitHub renders, read from the backend's history (no exported files).
    expect(comment).toContain('```mermaid\nxychart-beta\n    title "project:acme-ml/llm/loss-spike: firings per day"\n    x-axis ["11-20", "11-21", "11-22", "11-23"]');
    expect(comment).toContain("the live run history of acme-ml/llm");
    // The backtest's report is one page with its charting library inside (rendered in Chromium by backtest-html.test.ts).
    const report = readFileSync(join(dir, "report.html"), "utf8");
    expect(report).toContain("<h2>project:acme-ml/llm/loss-spike</h2>");
    expect(report).not.toMatch(/<script[^>]+src=/);
    // After the apply, the live state is the code again.
    const after = await run(npx, ["tripwire", "plan", "--detailed-exitcode"], dir, env);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain("No changes. The live automations match the code.");
  }, 300_000);
});
