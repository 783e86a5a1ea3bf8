import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, runServerCli } from "@tripwire/server";
import { runMain } from "../io.js";
import { makeProject } from "../project.js";
import { runCli, startCli } from "./cli.js";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** The CLI in-process, as a user's shell runs it (no W&B variables unless given). */
async function tw(dir: string, env: Record<string, string>, ...argv: string[]) {
  return runMain(argv, dir, env);
}

const defs = (threshold: number) => `import { automation, project, metric, onRunMetric, doNothing } from "@tripwire/sdk";
export const high = automation("loss-high").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(${threshold}))).do(doNothing());
`;

const event = (run: string, loss: number) =>
  JSON.stringify({ type: "run.metric", entity: "acme", project: "llm", run: { id: run, name: `sweep-${run}`, user: "local" }, step: 0, timestamp: new Date().toISOString(), metrics: { loss } });

async function post(env: { WANDB_API_KEY: string; WANDB_BASE_URL: string }, body: string): Promise<number> {
  const res = await fetch(`${env.WANDB_BASE_URL}/api/v1/events`, {
    method: "POST",
    headers: { Authorization: `Basic ${Buffer.from(`api:${env.WANDB_API_KEY}`).toString("base64")}`, "Content-Type": "application/x-ndjson" },
    body,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { firings: number }).firings;
}

/** `tripwire server` on the project's embedded database, in-process; the environment its printed line sets. */
async function serve(dir: string): Promise<{ WANDB_API_KEY: string; WANDB_BASE_URL: string }> {
  const out: string[] = [];
  const stop = new AbortController();
  const exited = runServerCli(["--db", join(dir, ".tripwire", "local.db"), "--port", "0", "--durability", "normal", "--allow-private", "127.0.0.1"], { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => {} } }, stop.signal);
  closers.push(async () => {
    stop.abort();
    expect(await exited).toBe(0);
  });
  for (let i = 0; i < 500 && !out.join("").includes("\n"); i++) await new Promise((r) => setTimeout(r, 20));
  const m = /^WANDB_API_KEY=(\S+) WANDB_BASE_URL=(\S+)\n$/.exec(out.join(""));
  expect(m).not.toBeNull();
  return { WANDB_API_KEY: m?.[1] as string, WANDB_BASE_URL: m?.[2] as string };
}

describe("a new user's first session: apply, serve, send events, change, see history", () => {
  it("the printed line works, a change applied while the server runs takes effect without a restart, and history shows what fired", async () => {
    const dir = makeProject({ "automations/alerts.ts": defs(0.8) });
    expect((await tw(dir, {}, "apply", "--yes", "--no-typecheck")).code).toBe(0);
    // What the embedded default created belongs to the local admin, whose key the server prints.
    const store = openStore(join(dir, ".tripwire", "local.db"));
    expect(store.memberships(store.userByName("local")!.id).map((m) => [m.entity.name, m.role])).toEqual([["local", "admin"], ["acme", "admin"]]);
    store.close();
    const env = await serve(dir);

    // Three runs, loss 5 > 0.8: three firings (one per run: the 24 h per-run limit).
    let fired = 0;
    for (const run of ["a", "b", "c"]) fired += await post(env, event(run, 5));
    expect(fired).toBe(3);

    // The threshold goes to 100 through the embedded CLI path, while the server runs on the same file.
    writeFileSync(join(dir, "automations", "alerts.ts"), defs(100));
    const applied = await tw(dir, {}, "apply", "--yes", "--no-typecheck");
    expect(applied.code).toBe(0);
    expect(applied.stderr).toContain("project:acme/llm/loss-high: updated");
    fired = 0;
    for (const run of ["d", "e", "f"]) fired += await post(env, event(run, 5));
    expect(fired).toBe(0);

    // History, from the server and from the embedded database read directly: the same three executions, oldest first.
    const remote = await tw(dir, env, "history");
    expect(remote.code).toBe(0);
    const lines = remote.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    lines.forEach((l, i) => expect(l).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  loss-high  runMetricThreshold  run=sweep-${"abc"[i]}  NO_OP  finished  attempts=0  code=-$`)));
    const local = await tw(dir, {}, "history");
    expect(local.stdout).toBe(remote.stdout);

    const filtered = await tw(dir, env, "history", "--run", "b", "--json");
    const doc = JSON.parse(filtered.stdout) as { version: number; executions: { automation: string; run: string; runId: string; status: string; explanation: { value: number; threshold: number } }[] };
    expect(doc.version).toBe(1);
    expect(doc.executions.map((e) => [e.automation, e.run, e.runId, e.status])).toEqual([["loss-high", "sweep-b", "b", "finished"]]);
    expect(doc.executions[0]?.explanation).toMatchObject({ threshold: 0.8 });
    expect((await tw(dir, env, "history", "--status", "failed")).stdout).toBe("");
    expect((await tw(dir, env, "history", "--automation", "other")).stdout).toBe("");
    expect((await tw(dir, env, "history", "--since", "1h")).stdout).toBe(remote.stdout);
    expect((await tw(dir, env, "history", "--since", "2000-01-01T00:00:00Z", "--automation", "loss-high")).stdout).toBe(remote.stdout);
  }, 120_000);

  it("--follow --json streams one JSON object per new execution, for a bounded time", async () => {
    const dir = makeProject({ "automations/alerts.ts": defs(0.8) });
    expect((await tw(dir, {}, "apply", "--yes", "--no-typecheck")).code).toBe(0);
    const env = await serve(dir);
    await post(env, event("before", 5));
    const following = tw(dir, env, "history", "--follow", "--json", "--follow-for", "4s");
    await new Promise((r) => setTimeout(r, 1_500));
    await post(env, event("during", 5));
    const r = await following;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`following ${env.WANDB_BASE_URL} for 4s`);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { run: string; status: string });
    expect(lines.map((l) => [l.run, l.status])).toEqual([
      ["sweep-before", "finished"],
      ["sweep-during", "finished"],
    ]);
  }, 120_000);

  it("against W&B (no /api/v1/history) the error says what W&B lacks; a bad --since is a usage error; no database is not an error", async () => {
    const { createServer } = await import("node:http");
    // W&B answers 404 for a path it does not have.
    const wandb = createServer((_req, res) => {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("404 page not found");
    });
    await new Promise<void>((r) => wandb.listen(0, "127.0.0.1", () => r()));
    closers.push(() => new Promise<void>((r) => wandb.close(() => r())));
    const url = `http://127.0.0.1:${(wandb.address() as { port: number }).port}`;
    const dir = makeProject({});
    const r = await tw(dir, { WANDB_BASE_URL: url, WANDB_API_KEY: "k".repeat(40) }, "history");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error TW6601: ${url}: this backend has no execution-history API: W&B shows an automation's history only in its web UI (Automations → History); its public API has no documented query for it. tripwire history reads a Tripwire server (tripwire server) or, without WANDB_BASE_URL, the embedded database.\n`,
    );
    const bad = await tw(dir, {}, "history", "--since", "yesterday");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`--since must be a duration (30m, 24h, 7d) or a timestamp, not "yesterday"`);
    const none = await tw(dir, {}, "history", "--json");
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ version: 1, executions: [] });
    expect(none.stderr).toContain("no embedded database at");
  }, 60_000);

  it("`tripwire server` as typed in a shell: the pasted line authenticates, and the same line comes back on the next start", async () => {
    const dir = makeProject({ "automations/alerts.ts": defs(0.8) });
    expect((await runCli(["apply", "--yes", "--no-typecheck"], { cwd: dir })).code).toBe(0);
    const start = async () => {
      const child = startCli(["server", "--port", "0", "--durability", "normal"], { cwd: dir });
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout?.on("data", (c) => {
          out += c;
          if (out.includes("\n")) resolve(out);
        });
        child.on("close", () => reject(new Error(`server exited: ${out}`)));
      });
      const stop = async () => {
        child.kill("SIGTERM");
        expect(await new Promise((r) => child.on("close", r))).toBe(0);
      };
      return { line, stop };
    };
    const first = await start();
    const m = /^WANDB_API_KEY=([0-9a-f]{40}) WANDB_BASE_URL=(http:\/\/127\.0\.0\.1:\d+)\n$/.exec(first.line);
    expect(m).not.toBeNull();
    const env = { WANDB_API_KEY: m?.[1] as string, WANDB_BASE_URL: m?.[2] as string };
    expect(await post(env, event("a", 5))).toBe(1);
    const listed = await tw(dir, env, "history", "--json");
    expect((JSON.parse(listed.stdout) as { executions: { automation: string }[] }).executions.map((e) => e.automation)).toEqual(["loss-high"]);
    await first.stop();
    const second = await start();
    expect(second.line.startsWith(`WANDB_API_KEY=${env.WANDB_API_KEY} WANDB_BASE_URL=http://127.0.0.1:`)).toBe(true);
    await second.stop();
  }, 120_000);

  it("a SIGTERM sent the moment the server logs that it listens still stops it gracefully, exit 0", async () => {
    const dir = makeProject({});
    for (let i = 0; i < 3; i++) {
      const child = startCli(["server", "--port", "0", "--db", join(dir, `stop-${i}.db`)], { cwd: dir });
      let stderr = "";
      child.stderr?.on("data", (c) => {
        stderr += c;
        if (stderr.includes('"listening"') && child.exitCode === null && !child.killed) child.kill("SIGTERM");
      });
      const code = await new Promise<number | null>((r) => child.on("close", r));
      expect({ code, signalLogged: stderr.includes('"signal received"') }).toEqual({ code: 0, signalLogged: true });
    }
  }, 60_000);

  it("--follow prints a pending delivery again once it settles", async () => {
    const { createServer } = await import("node:http");
    let calls = 0;
    // A receiver that is briefly down: 503 three times (backoff: at least 1.75 s in all, so a poll sees it pending), then 200.
    const hook = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const status = calls++ < 3 ? 503 : 200;
        res.writeHead(status, { "Content-Type": "text/plain" });
        res.end(status === 200 ? "ok" : "down");
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    closers.push(() => new Promise<void>((r) => (hook.closeAllConnections(), hook.close(() => r()))));
    const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    const dir = makeProject({
      "tripwire.config.ts": `export default { embedded: { integrations: [{ kind: "webhook", entity: "acme", name: "deploy", url: "${url}" }] } };\n`,
      "automations/alerts.ts": `import { automation, project, metric, onRunMetric, sendWebhook, webhook } from "@tripwire/sdk";
export const high = automation("loss-hook").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(0.8))).do(sendWebhook(webhook("deploy"), { payload: { run: "\${run_name}" } }));
`,
    });
    expect((await tw(dir, {}, "apply", "--yes", "--no-typecheck")).code).toBe(0);
    const env = await serve(dir);
    const following = tw(dir, env, "history", "--follow", "--follow-for", "8s");
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await post(env, event("x", 5))).toBe(1);
    const r = await following;
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => l.split("  ").slice(1));
    // First seen pending (after 0 to 3 attempts, depending on when the poll fell), last seen finished after the fourth.
    expect(lines[0]?.slice(0, 5)).toEqual(["loss-hook", "runMetricThreshold", "run=sweep-x", "GENERIC_WEBHOOK", "pending"]);
    expect(lines.at(-1)).toEqual(["loss-hook", "runMetricThreshold", "run=sweep-x", "GENERIC_WEBHOOK", "finished", "attempts=4", "code=200"]);
    expect(new Set(lines.map((l) => l.join(" "))).size).toBe(lines.length);
  }, 120_000);
});
