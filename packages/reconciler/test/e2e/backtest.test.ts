import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeProject } from "../project.js";
import { runCli } from "./cli.js";

const alerts = (threshold: number, extra = "") => `import { automation, project, metric, onRunMetric, onRunState, doNothing, runName } from "@tripwire/sdk";
const llm = project("acme/llm");
export const spike = automation("loss-spike").in(llm).on(onRunMetric(metric("loss").mean(3).gt(${threshold})).where(runName.contains("sweep-"))).do(doNothing());
export const failed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());
${extra}`;

/**
 * Three runs logging every 4 hours for 36 hours: sweep-1's loss cycles 0.5–0.65, sweep-2's 0.7–0.85, debug-3's
 * 0.9–1.05 (filtered out by the run name); sweep-2 fails at the end.
 */
function history(): string {
  const lines: string[] = [];
  const t0 = Date.parse("2026-11-25T10:00:00Z");
  const runs = [
    ["r1", "sweep-1", 0.5],
    ["r2", "sweep-2", 0.7],
    ["r3", "debug-3", 0.9],
  ] as const;
  for (let s = 0; s < 10; s++) {
    for (const [id, name, base] of runs) {
      lines.push(JSON.stringify({ type: "run.metric", entity: "acme", project: "llm", run: { id, name, user: "alice" }, step: s, timestamp: new Date(t0 + s * 4 * 3_600_000).toISOString(), metrics: { loss: base + (s % 4) * 0.05 } }));
    }
  }
  lines.push(JSON.stringify({ type: "run.state", entity: "acme", project: "llm", run: { id: "r2", name: "sweep-2", user: "alice" }, state: "failed", timestamp: "2026-11-27T12:00:00Z" }));
  return `${lines.join("\n")}\n`;
}

const tw = (dir: string, ...args: string[]) => runCli([...args, "--no-typecheck"], { cwd: dir });

describe("tripwire backtest", () => {
  it("prints per automation its firings, runs, steps and busiest day; --json is one document", async () => {
    const dir = makeProject({ "automations/alerts.ts": alerts(0.6), "history/2026-11-25.jsonl": history() });
    const text = await tw(dir, "backtest", "--history", "history");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatchInlineSnapshot(`
      "Backtest of 2 automations over 31 events of 3 runs, 2026-11-25 10:00 → 2026-11-27 12:00 UTC, 1 file.

      project:acme/llm/run-failed: 1 firing on 1 run; busiest day 2026-11-27 (1)
          sweep-2 (r2)  1 firing at 2026-11-27 12:00

      project:acme/llm/loss-spike: 2 firings on 1 run; busiest day 2026-11-25 (1)
          sweep-2 (r2)  2 firings at steps 2, 8
      "
    `);
    expect(text.stderr).toBe("backtesting over history/2026-11-25.jsonl\n");

    const json = await tw(dir, "backtest", "--history", "history", "--json");
    expect(json.code).toBe(0);
    expect(json.stderr).toBe("");
    const doc = JSON.parse(json.stdout) as { format_version: string; history: unknown; automations: { address: string; firings: number; subjects: { steps?: number[] }[] }[] };
    expect(doc.format_version).toBe("1.0");
    expect(doc.history).toEqual({ files: ["history/2026-11-25.jsonl"], events: 31, runs: 3, from: "2026-11-25T10:00:00.000Z", to: "2026-11-27T12:00:00.000Z" });
    expect(doc.automations.map((a) => [a.address, a.firings, a.subjects.map((s) => s.steps)])).toEqual([
      ["project:acme/llm/run-failed", 1, [undefined]],
      ["project:acme/llm/loss-spike", 2, [[2, 8]]],
    ]);
  }, 60_000);

  it("bad history: diagnostics name the file and line, exit 1; invalid definitions exit 3", async () => {
    const dir = makeProject({ "automations/alerts.ts": alerts(0.6), "history/a.jsonl": `${history()}{"type":"run.metric"}\n` });
    const bad = await tw(dir, "backtest", "--history", "history");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("history/a.jsonl:32:1 - error TW4003: invalid event: entity: Invalid input: expected string, received undefined;");
    expect(bad.stderr).toContain("\nFound 1 error.\n");

    writeFileSync(join(dir, "automations", "alerts.ts"), alerts(0.6).replace("mean(3)", "mean(0)"));
    const invalid = await tw(dir, "backtest", "--history", "history");
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/automations\/alerts\.ts:3:\d+ - error TW\d+: /);

    // With no --history, the backtest reads the live backend's run history: here the embedded default's, empty.
    writeFileSync(join(dir, "automations", "alerts.ts"), alerts(0.6));
    const live = await tw(dir, "backtest");
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(
      /^Backtest of 2 automations over 0 events of 0 runs, \S+ \S+ → \S+ \S+ UTC, the live run history of acme\/llm \(file:\.tripwire\/local\.db; 0 of 0 runs from the cache, 1 request\)\.\n/,
    );
    expect(live.stdout).toContain("note: project acme/llm does not exist on the backend: no runs\n");
    expect(live.stdout).toContain("project:acme/llm/loss-spike: never fired\n");
  }, 60_000);
});

describe("tripwire plan --backtest", () => {
  it("shows each change's firings, old and new definition, in text, Markdown and JSON", async () => {
    const dir = makeProject({ "automations/alerts.ts": alerts(0.6), "history/2026-11-25.jsonl": history() });
    expect((await tw(dir, "apply", "--yes")).code).toBe(0);
    // Lower the threshold (sweep-1 starts firing) and add an automation.
    writeFileSync(join(dir, "automations", "alerts.ts"), alerts(0.55, `export const finished = automation("run-finished").in(llm).on(onRunState(["finished"])).do(doNothing());\n`));

    const text = await tw(dir, "plan", "--backtest", "history", "--detailed-exitcode");
    expect(text.code).toBe(2);
    expect(text.stdout.slice(text.stdout.indexOf("Backtest over"))).toBe(
      [
        "Backtest over 31 events of 3 runs, 2026-11-25 10:00 → 2026-11-27 12:00 UTC, 1 file:",
        "  ~ project:acme/llm/loss-spike: 2 → 4 firings (+2); runs 1 → 2 (1 newly firing, 0 no longer); busiest day 2026-11-25 (1) → 2026-11-25 (2)",
        "      newly firing: sweep-1 (r1)",
        "  + project:acme/llm/run-finished: new: never fires",
        "",
      ].join("\n"),
    );

    const md = await tw(dir, "plan", "--backtest", "history", "--markdown");
    expect(md.code).toBe(0);
    expect(md.stdout).toContain(
      [
        "#### Notification volume (backtest)",
        "",
        "Replayed 31 events of 3 runs, 2026-11-25 10:00 → 2026-11-27 12:00 UTC, 1 file.",
        "",
        "| | automation | firings | runs or artifacts | a day | busiest day |",
        "|---|---|---|---|---|---|",
        "| `~` | `project:acme/llm/loss-spike` | 2 → **4** (+2) | 1 → 2 (1 newly, 0 no longer) | 0.96 → **1.92** | 2026-11-25 (1) → 2026-11-25 (2) |",
        "| `+` | `project:acme/llm/run-finished` | **0** (new) | 0 runs | **0** | none |",
        "",
        // Firings per day, the code's definition as bars and the live one as a line (GitHub renders Mermaid).
        "```mermaid",
        "xychart-beta",
        '    title "project:acme/llm/loss-spike: firings per day"',
        '    x-axis ["11-25", "11-26", "11-27"]',
        '    y-axis "firings" 0 --> 2',
        "    bar [2, 2, 0]",
        "    line [1, 1, 0]",
        "```",
        "",
        "<sub>project:acme/llm/loss-spike: bars: this change; line: the live definition.</sub>",
        "",
        "<details><summary>project:acme/llm/loss-spike: 1 run newly firing, 0 no longer</summary>",
        "",
        "```diff",
        "newly firing (1):",
        "+ sweep-1 (r1)",
        "```",
      ].join("\n"),
    );

    const json = await tw(dir, "plan", "--backtest", "history", "--json");
    const doc = JSON.parse(json.stdout) as { format_version: string; backtest: { history: { events: number }; changes: unknown[] } };
    expect(doc.format_version).toBe("1.1");
    expect(doc.backtest.history.events).toBe(31);
    expect(doc.backtest.changes).toEqual([
      {
        address: "project:acme/llm/loss-spike",
        op: "update",
        before: { firings: 2, subjects: 1, busiestDay: { day: "2026-11-25", firings: 1 }, perDay: 0.96, daily: [{ day: "2026-11-25", firings: 1 }, { day: "2026-11-26", firings: 1 }] },
        after: { firings: 4, subjects: 2, busiestDay: { day: "2026-11-25", firings: 2 }, perDay: 1.92, daily: [{ day: "2026-11-25", firings: 2 }, { day: "2026-11-26", firings: 2 }] },
        newlyFiring: [{ kind: "run", entity: "acme", project: "llm", id: "r1", name: "sweep-1" }],
        noLongerFiring: [],
        action: "none",
      },
      {
        address: "project:acme/llm/run-finished",
        op: "create",
        before: null,
        after: { firings: 0, subjects: 0, busiestDay: null, perDay: 0, daily: [] },
        newlyFiring: [],
        noLongerFiring: [],
        action: "none",
      },
    ]);

    // A saved plan carries its backtest and still applies; the re-plan is empty.
    expect((await tw(dir, "plan", "--backtest", "history", "--out", "plan.json")).code).toBe(0);
    expect((await tw(dir, "apply", "plan.json", "--yes")).code).toBe(0);
    const again = await tw(dir, "plan", "--backtest", "history", "--detailed-exitcode");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("no created or changed automations to backtest");
  }, 120_000);

  it("a history that cannot be read: the plan is shown, the diagnostics follow, exit 1", async () => {
    const dir = makeProject({ "automations/alerts.ts": alerts(0.6), "history/a.jsonl": "{oops\n" });
    const r = await tw(dir, "plan", "--backtest", "history");
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(r.stdout).not.toContain("Backtest over");
    expect(r.stderr).toMatch(/history\/a\.jsonl:1:1 - error TW4002: not valid JSON: /);
  }, 60_000);
});
