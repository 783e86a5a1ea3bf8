// The backtest over the live backend's run history (issue 14): against a real Tripwire server on loopback with a
// recorded week ingested, `tripwire backtest --since 7d` with no files gives the firings of the JSONL backtest of
// the same week; the history cache makes a second backtest list the runs only, and a grown run is read again from
// where its cached history ended.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer } from "@tripwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHistoryRow } from "../src/backtest/runs.js";
import { resolvePeriod } from "../src/backtest/live.js";
import { makeProject } from "./project.js";
import { runMain } from "./io.js";

const KEY = "alice-key-0001";
const HOUR = 3_600_000;
const defs = {
  "automations/a.ts": `import { automation, project, onRunMetric, onRunState, onAddArtifactAlias, alias, metric, runName, doNothing } from "@tripwire/sdk";
const llm = project("acme/llm");
export const spike = automation("loss-spike").in(llm).on(onRunMetric(metric("loss").mean(3).gt(0.8)).where(runName.contains("sweep"))).do(doNothing());
export const low = automation("acc-low").in(llm).on(onRunMetric(metric("acc").lt(0.05))).do(doNothing());
export const failed = automation("run-failed").in(llm).on(onRunState(["failed", "crashed"])).do(doNothing());
export const promoted = automation("promoted").in(llm).on(onAddArtifactAlias(alias.eq("production"))).do(doNothing());
`,
};

/** A deterministic pseudo-random stream (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A recorded week: runs that start, log a few thousand steps (some logging many more keys than the automations
 * read, so their history is read per metric), and end finished, failed or crashed (or are still running).
 */
function week(end: number): unknown[] {
  const random = rng(14);
  const events: { timestamp: string; [k: string]: unknown }[] = [];
  const start = end - 6.5 * 24 * HOUR;
  for (let r = 0; r < 14; r++) {
    const run = { id: `run${r}`, name: r % 3 === 0 ? `debug-${r}` : `sweep-${r}`, user: "alice" };
    const t0 = start + Math.floor(random() * 5 * 24 * HOUR);
    const steps = 600 + Math.floor(random() * 2000);
    const wide = r % 4 === 1;
    const at = (ms: number) => new Date(ms).toISOString();
    events.push({ type: "run.state", entity: "acme", project: "llm", run, state: "running", timestamp: at(t0) });
    for (let s = 0; s < steps; s++) {
      const metrics: Record<string, number> = { loss: random() < 0.02 ? 0.95 + random() : random() * 0.9 };
      if (s % 7 !== 3) metrics.acc = random() < 0.003 ? 0.01 : 0.1 + random() * 0.9;
      if (wide) for (let k = 0; k < 20; k++) metrics[`extra/k${k}`] = k;
      events.push({ type: "run.metric", entity: "acme", project: "llm", run, step: s, timestamp: at(t0 + s * 20_000), metrics });
    }
    const final = r === 5 ? undefined : r % 5 === 2 ? "failed" : r % 7 === 3 ? "crashed" : "finished";
    if (final) events.push({ type: "run.state", entity: "acme", project: "llm", run, state: final, timestamp: at(t0 + steps * 20_000 + 5_000) });
  }
  return events.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

async function ingest(url: string, events: readonly unknown[]) {
  for (let i = 0; i < events.length; i += 2000) {
    const res = await fetch(`${url}/api/v1/events`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}`, "Content-Type": "application/x-ndjson" },
      body: events.slice(i, i + 2000).map((e) => JSON.stringify(e)).join("\n"),
    });
    expect(res.status).toBe(200);
  }
}

let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), "tripwire-live-"));
const now = Date.now();
const events = week(now - HOUR);
beforeAll(async () => {
  server = await startServer({
    db: join(dir, "live.db"),
    port: 0,
    allowPrivate: ["127.0.0.1"],
    seed: {
      users: [{ username: "alice", apiKeys: [KEY] }],
      teams: [{ name: "acme", admins: ["alice"] }],
      integrations: [{ kind: "slack", entity: "acme", channelName: "alerts", webhookUrl: "http://127.0.0.1:9/slack" }],
    },
  });
  await ingest(server.url, events);
});
afterAll(() => server.close());

type Report = { history: { runs: number; events: number; live?: { requests: number; minimumRequests: number; cachedRuns: number; runs: number; notes: string[] } }; automations: { address: string; name: string; firings: number; unsupported?: string }[] };

describe("backtest over the live history", () => {
  const project = makeProject(defs);
  writeFileSync(join(project, "week.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  const env = { WANDB_BASE_URL: server?.url, WANDB_API_KEY: KEY };

  it("gives the firings of the JSONL backtest of the same week, and lists the runs only the second time", async () => {
    const live = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    const files = await runMain(["backtest", "--no-typecheck", "--json", "--history", "week.jsonl"], project);
    expect(files.code).toBe(0);
    const fromFiles = JSON.parse(files.stdout) as Report;
    const cold = await runMain(["backtest", "--no-typecheck", "--json", "--since", "7d"], project, live);
    expect(cold.code).toBe(0);
    const fromLive = JSON.parse(cold.stdout) as Report;
    const runAutomations = (r: Report) => r.automations.filter((a) => !a.address.endsWith("/promoted"));
    expect(runAutomations(fromLive)).toEqual(runAutomations(fromFiles));
    // Every run automation fires: the equality is not one of empty reports.
    for (const a of runAutomations(fromFiles)) expect(a.firings).toBeGreaterThan(0);
    // An alias automation cannot be backtested from W&B's API (no time an alias was added): said, not a silent zero.
    expect(fromLive.automations.find((a) => a.address.endsWith("/promoted"))?.unsupported).toBe("W&B's API gives only the aliases versions hold now, with no time each was added: backtest it over exported history with --history");
    expect(fromLive.history.runs).toBe(14);
    const coldStats = fromLive.history.live;
    expect(coldStats?.cachedRuns).toBe(0);
    // The fewest requests the API allows: one listing page, and a window of 1,000 steps per request.
    expect(coldStats?.requests).toBe(coldStats?.minimumRequests);

    const text = await runMain(["backtest", "--no-typecheck"], project, live);
    expect(text.stderr).toContain("acme/llm: 14 of 14 runs\n");
    expect(text.stdout).toMatch(/^Backtest of 4 automations over [\d,]+ events of 14 runs, .* UTC, the live run history of acme\/llm \(http:\/\/127\.0\.0\.1:\d+\/graphql; 14 of 14 runs from the cache, 1 request\)\.\nnote: artifact automations on alias and tag changes, on registry links, and on creations filtered on aliases are not backtested: W&B's API gives only the aliases and tags versions and collections hold now, with no time each was added or removed, and no time a version was linked\n/);
    const warm = await runMain(["backtest", "--no-typecheck", "--json"], project, live);
    const again = JSON.parse(warm.stdout) as Report;
    expect(again.automations).toEqual(fromLive.automations);
    expect(again.history.live).toMatchObject({ requests: 1, cachedRuns: 14 });

    // A run that goes on logging: only its last window and the new ones are read again.
    const run5 = events.filter((e) => (e as { run?: { id: string } }).run?.id === "run5" && (e as { type: string }).type === "run.metric") as { step: number; timestamp: string; run: unknown }[];
    const last = run5.at(-1) as { step: number; timestamp: string; run: unknown };
    const more = Array.from({ length: 1500 }, (_, i) => ({
      type: "run.metric",
      entity: "acme",
      project: "llm",
      run: last.run,
      step: last.step + 1 + i,
      timestamp: new Date(Math.min(Date.parse(last.timestamp) + (i + 1) * 1000, Date.now() - 1000)).toISOString(),
      metrics: { loss: i === 700 || i === 701 || i === 702 ? 2 : 0.1, acc: 0.5 },
    }));
    await ingest(server.url, more);
    const grown = JSON.parse((await runMain(["backtest", "--no-typecheck", "--json"], project, live)).stdout) as Report;
    const from = Math.floor(last.step / 1000) * 1000;
    const newLast = last.step + 1500;
    expect(grown.history.live).toMatchObject({ cachedRuns: 13, requests: 1 + Math.ceil((newLast + 1 - from) / 1000) });
    const fresh = JSON.parse((await runMain(["backtest", "--no-typecheck", "--json", "--no-cache"], project, live)).stdout) as Report;
    expect(fresh.history.live).toMatchObject({ cachedRuns: 0 });
    expect(grown.automations).toEqual(fresh.automations);
    expect(grown.history.events).toBe(again.history.events + 1500);
  });

  it("refuses a period it cannot read, naming the flag", async () => {
    const r = await runMain(["backtest", "--no-typecheck", "--since", "a week"], project, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error TW4013: --since a week is not a duration: write a number and m, h, d or w, e.g. 7d or 36h");
    expect(resolvePeriod({ from: "2026-11-20", to: "2026-11-27T00:00:00" }, 0)).toEqual({ from: Date.parse("2026-11-20T00:00:00Z"), to: Date.parse("2026-11-27T00:00:00Z") });
    expect(resolvePeriod({ since: "7d", from: "2026-11-20" }, 0)).toEqual({ error: "choose one period: --since, or --from (and --to)" });
  });

  it("reads W&B's bare NaN and Infinity in history rows", () => {
    expect(parseHistoryRow('{"_step":1,"loss":NaN,"a":Infinity,"b":-Infinity,"s":"NaN Infinity"}')).toEqual({ _step: 1, loss: Number.NaN, a: Number.POSITIVE_INFINITY, b: Number.NEGATIVE_INFINITY, s: "NaN Infinity" });
  });
});

describe("plan --backtest over the live history", () => {
  it("shows each change's Slack messages a day, charts them, and warns past noise.maxPerDay (TW4012)", async () => {
    const project = makeProject({
      "tripwire.config.ts": "export default { noise: { maxPerDay: 3 } };\n",
      "automations/noisy.ts": `import { automation, project, onRunMetric, metric, sendNotification, slack } from "@tripwire/sdk";
export const noisy = automation("noisy-loss").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(0.9))).do(sendNotification(slack("alerts"), { title: "loss" }));
`,
    });
    const live = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    const json = await runMain(["plan", "--no-typecheck", "--json", "--backtest"], project, live);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      diagnostics: { code: string; severity: string; message: string }[];
      backtest: { days: number; history: { live?: { runs: number } }; changes: { action: string; after: { firings: number; perDay: number; busiestDay: { day: string; firings: number } } }[] };
    };
    expect(doc.backtest.days).toBe(7);
    expect(doc.backtest.history.live?.runs).toBe(14);
    const [change] = doc.backtest.changes;
    expect(change?.action).toBe("slack");
    // One firing per run and 24 hours: the runs of the busiest day.
    expect(change?.after.firings).toBeGreaterThan(3);
    expect(change?.after.perDay).toBe(Math.round(((change?.after.firings ?? 0) / 7) * 100) / 100);
    const busiest = change?.after.busiestDay as { day: string; firings: number };
    expect(busiest.firings).toBeGreaterThan(3);
    expect(doc.diagnostics).toContainEqual({
      code: "TW4012",
      severity: "warning",
      message: `project:acme/llm/noisy-loss would send ${busiest.firings} Slack messages on its busiest day (${busiest.day}) of the backtest, above noise.maxPerDay 3`,
    });
    const md = await runMain(["plan", "--no-typecheck", "--markdown", "--backtest"], project, live);
    expect(md.stdout).toContain(`| \`+\` | \`project:acme/llm/noisy-loss\` | **${change?.after.firings}** (new) |`);
    expect(md.stdout).toMatch(/\| \*\*[\d.]+\*\* Slack messages \|/);
    expect(md.stdout).toContain("```mermaid\nxychart-beta\n");
    expect(md.stdout).toContain("TW4012");
  });
});

describe("plan --lint --backtest over the live history", () => {
  it("runs the history-aware checks (TWL060–TWL067) over the backend's runs instead of saying no history was given", async () => {
    const project = makeProject({
      "automations/a.ts": `import { automation, project, onRunMetric, metric, doNothing } from "@tripwire/sdk";
const llm = project("acme/llm");
export const typo = automation("accuracy-low").in(llm).on(onRunMetric(metric("accuracy").lt(0.1))).do(doNothing());
export const never = automation("loss-huge").in(llm).on(onRunMetric(metric("loss").gt(100))).do(doNothing());
`,
    });
    const live = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    const r = await runMain(["plan", "--no-typecheck", "--json", "--lint", "--backtest"], project, live);
    const doc = JSON.parse(r.stdout) as { diagnostics: { code: string; message: string; subject?: string }[] };
    const codes = doc.diagnostics.filter((d) => d.code.startsWith("TWL06")).map((d) => [d.code, d.subject]);
    expect(codes).toEqual(expect.arrayContaining([["TWL061", "accuracy-low"], ["TWL064", "loss-huge"]]));
    expect(doc.diagnostics.find((d) => d.code === "TWL061")?.message).toBe('accuracy-low: no run of project acme/llm logged "accuracy" in the history (14 runs); logged: acc');
    expect(doc.diagnostics.some((d) => d.code === "TWL060")).toBe(false);

    // tripwire lint stays offline unless given a period: then the same checks read the same live history.
    const offline = await runMain(["lint", "--no-typecheck"], project, live);
    expect(offline.stderr).toContain("History-aware checks (TWL060–TWL067) did not run: pass --history files or folders, or --since 7d for the backend's run history.");
    const linted = await runMain(["lint", "--no-typecheck", "--json", "--since", "7d"], project, live);
    const lintDoc = JSON.parse(linted.stdout) as { history: string | null; diagnostics: { code: string; subject?: string }[] };
    expect(lintDoc.history).toBe("live");
    expect(lintDoc.diagnostics.filter((d) => d.code.startsWith("TWL06")).map((d) => [d.code, d.subject])).toEqual(codes);
  });
});

describe("system metrics over the live history", () => {
  const gpuDefs = (project: string) => ({
    "automations/gpu.ts": `import { automation, project, onRunMetric, metric, doNothing } from "@tripwire/sdk";
const p = project("acme/${project}");
export const hot = automation("gpu-hot").in(p).on(onRunMetric(metric("system/gpu.0.temp").mean(4).gt(85))).do(doNothing());
export const loss = automation("loss-high").in(p).on(onRunMetric(metric("loss").gt(0.9))).do(doNothing());
`,
  });
  /** Runs logging loss (history) and, apart from it, their GPU's temperature every 15 s (the system-metrics stream). */
  function gpuWeek(project: string, samples: number, runs: number): { timestamp: string; [k: string]: unknown }[] {
    const random = rng(7);
    const out: { timestamp: string; [k: string]: unknown }[] = [];
    const at = (ms: number) => new Date(ms).toISOString();
    for (let r = 0; r < runs; r++) {
      const run = { id: `${project}-${r}`, name: `train-${r}`, user: "alice" };
      const t0 = now - 5 * 24 * HOUR + r * 3 * HOUR;
      out.push({ type: "run.state", entity: "acme", project, run, state: "running", timestamp: at(t0) });
      for (let s = 0; s < 400; s++) out.push({ type: "run.metric", entity: "acme", project, run, step: s, timestamp: at(t0 + s * 30_000 + 1), metrics: { loss: random() < 0.03 ? 0.95 : random() * 0.8 } });
      // W&B's system rows have no step: they are numbered in time order, as the live backtest numbers them.
      for (let i = 0; i < samples; i++) {
        const hot = i % 97 >= 90;
        out.push({ type: "run.metric", entity: "acme", project, run, step: i, timestamp: at(t0 + i * 15_000 + 7), metrics: { "system/gpu.0.temp": hot ? 88 + random() * 4 : 60 + random() * 20 } });
      }
      out.push({ type: "run.state", entity: "acme", project, run, state: "finished", timestamp: at(t0 + Math.max(400 * 30_000, samples * 15_000) + 10) });
    }
    return out.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }

  it("an automation on system/gpu.0.temp fires in the live backtest as in the JSONL backtest of the same rows, and the second backtest reads them from the cache", async () => {
    const rows = gpuWeek("gpu", 600, 3);
    await ingest(server.url, rows);
    const project = makeProject(gpuDefs("gpu"));
    writeFileSync(join(project, "gpu.jsonl"), `${rows.map((e) => JSON.stringify(e)).join("\n")}\n`);
    const live = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    const fromFiles = JSON.parse((await runMain(["backtest", "--no-typecheck", "--json", "--history", "gpu.jsonl"], project)).stdout) as Report;
    const cold = await runMain(["backtest", "--no-typecheck", "--json", "--since", "7d"], project, live);
    expect(cold.code).toBe(0);
    const fromLive = JSON.parse(cold.stdout) as Report;
    expect(fromLive.automations).toEqual(fromFiles.automations);
    for (const a of fromFiles.automations) expect(a.firings).toBeGreaterThan(0);
    // Every row came back: nothing to say about sampling.
    expect(fromLive.history.live?.notes).toEqual([]);
    // One listing page, one history window per run (400 steps), one system-metrics request per run.
    expect(fromLive.history.live).toMatchObject({ runs: 3, requests: 7, minimumRequests: 7, cachedRuns: 0 });
    const warm = JSON.parse((await runMain(["backtest", "--no-typecheck", "--json", "--since", "7d"], project, live)).stdout) as Report;
    expect(warm.automations).toEqual(fromLive.automations);
    expect(warm.history.live).toMatchObject({ requests: 1, cachedRuns: 3, notes: [] });
  });

  it("says so when the backend returns a run's system metrics sampled", async () => {
    const rows = gpuWeek("gpulong", 10_500, 1);
    await ingest(server.url, rows);
    const project = makeProject(gpuDefs("gpulong"));
    const live = { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY };
    const report = JSON.parse((await runMain(["backtest", "--no-typecheck", "--json", "--since", "7d"], project, live)).stdout) as Report;
    const note =
      "system metrics (system/gpu.0.temp) are sampled for 1 run: W&B's API returned fewer rows than the run's system-metrics stream holds (at most 10,000 are asked for), so their firings are estimates from the samples, not exact";
    expect(report.history.live?.notes).toEqual([note]);
    expect(report.automations.find((a) => a.name === "gpu-hot")?.firings).toBeGreaterThan(0);
    // The cached sample keeps the note.
    const warm = JSON.parse((await runMain(["backtest", "--no-typecheck", "--json", "--since", "7d"], project, live)).stdout) as Report;
    expect(warm.history.live).toMatchObject({ cachedRuns: 1, requests: 1, notes: [note] });
    const text = await runMain(["backtest", "--no-typecheck", "--since", "7d"], project, live);
    expect(text.stdout).toContain(`note: ${note}\n`);
  });
});
