// The issue's "done when", through the CLI: apply on the embedded default, `tripwire server` (in-process), paste the
// printed line, send an event, and see the firing in `tripwire history` and on the web page — with the automation
// shown as SDK code, written by the import generator the CLI hands the server.
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/io.js";
import { serverCommand } from "../../src/cli/server.js";
import { launchBrowser, recordingPage, signIn } from "../../../server/test/browser.js";
import { makeProject } from "../project.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

function io(dir: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: Io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, stdin: Readable.from([]), env: { NO_COLOR: "1", ...env }, cwd: dir };
  return { io: value, out, err };
}

async function tw(dir: string, env: Record<string, string>, ...argv: string[]) {
  const t = io(dir, env);
  const code = await main(argv, t.io);
  return { code, stdout: t.out.join(""), stderr: t.err.join("") };
}

const DEFS = `import { automation, project, metric, onRunMetric, doNothing } from "@tripwire/sdk";
export const high = automation("loss-high").in(project("acme/llm")).on(onRunMetric(metric("loss").mean(3).gt(0.8))).do(doNothing());
`;

describe("tripwire server's web page, started through the CLI", () => {
  it("signs in with the printed key, shows the automation as SDK code and the firing in its history, as tripwire history does", async () => {
    const dir = makeProject({ "automations/alerts.ts": DEFS });
    expect((await tw(dir, {}, "apply", "--yes", "--no-typecheck")).code).toBe(0);

    const served = io(dir);
    const stop = new AbortController();
    const exited = serverCommand({ port: 0, host: "127.0.0.1", durability: "normal", logLevel: "error" }, served.io, stop.signal);
    closers.push(async () => {
      stop.abort();
      expect(await exited).toBe(0);
    });
    for (let i = 0; i < 500 && !served.out.join("").includes("\n"); i++) await new Promise((r) => setTimeout(r, 20));
    const m = /^WANDB_API_KEY=(\S+) WANDB_BASE_URL=(\S+)\n$/.exec(served.out.join(""));
    expect(m).not.toBeNull();
    const env = { WANDB_API_KEY: m?.[1] as string, WANDB_BASE_URL: m?.[2] as string };

    const body = [1, 2, 3]
      .map((loss, step) => JSON.stringify({ type: "run.metric", entity: "acme", project: "llm", run: { id: "r1", name: "sweep-1", user: "local" }, step, timestamp: new Date().toISOString(), metrics: { loss } }))
      .join("\n");
    const res = await fetch(`${env.WANDB_BASE_URL}/api/v1/events`, { method: "POST", headers: { Authorization: `Basic ${Buffer.from(`api:${env.WANDB_API_KEY}`).toString("base64")}`, "Content-Type": "application/x-ndjson" }, body });
    expect(await res.json()).toMatchObject({ accepted: 3, firings: 1 });
    const history = await tw(dir, env, "history");
    expect(history.stdout).toMatch(/^\S+Z  loss-high  runMetricThreshold  run=sweep-1  NO_OP  finished  attempts=0  code=-\n$/);

    const browser = await launchBrowser();
    closers.push(() => browser.close());
    const { page, problems } = await recordingPage(browser);
    await signIn(page, env.WANDB_BASE_URL, env.WANDB_API_KEY);
    expect(await page.textContent("#user")).toBe("signed in as local");
    expect(await page.$$eval("section.scope", (s) => s.map((x) => x.getAttribute("data-scope")))).toEqual(["project acme/llm"]);
    await page.click('details[data-name="loss-high"] summary');
    // The import generator loads the TypeScript compiler on first use: allow it time on a shared machine.
    const sdk = await page.textContent('details[data-name="loss-high"] pre.definition.sdk', { timeout: 20_000 });
    expect(sdk).toBe(SDK_CODE);
    expect(await page.$('details[data-name="loss-high"] pre.definition.raw')).toBeNull();

    await page.waitForSelector("#history tbody tr");
    await page.click("#history tbody tr");
    expect(await page.textContent("#execution .explanation", { timeout: 10_000 })).toBe("mean of loss over the last 3 values [1, 2, 3] = 2 > 0.8");
    expect(await page.textContent("#execution figcaption")).toBe("loss of sweep-1, 3 values around step 2 (0.8 to 3); threshold 0.8");
    expect(problems).toEqual([]);
  }, 60_000);
});

/** What `tripwire import` writes for it (Tripwire's ownership marker is not shown). */
const SDK_CODE = `import { automation, doNothing, metric, onRunMetric, project } from "@tripwire/sdk";

const llm = project("acme/llm");

export const lossHigh = automation("loss-high")
  .in(llm)
  .on(onRunMetric(metric("loss").mean(3).gt(0.8)))
  .do(doNothing());
`;
