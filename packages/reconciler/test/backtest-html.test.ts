// `tripwire backtest --html`: one self-contained page, rendered in headless Chromium (Debian's, with
// playwright-core): it draws, shows a mark at each firing of the runs it plots, lists every firing, and logs no errors.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { makeProject } from "./project.js";
import { runMain } from "./io.js";

const defs = {
  "automations/a.ts": `import { automation, project, onRunMetric, onRunState, metric, doNothing } from "@tripwire/sdk";
const llm = project("acme/llm");
export const spike = automation("loss-spike").in(llm).on(onRunMetric(metric("loss").mean(3).gt(0.8))).do(doNothing());
export const failed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());
`,
};

/** Six runs of 600 steps a minute apart (10 hours), loss spikes in some of them; two fail. */
function history(): string {
  const lines: string[] = [];
  const t0 = Date.parse("2026-11-20T00:00:00Z");
  for (let r = 0; r < 6; r++) {
    const run = { id: `r${r}`, name: `sweep-${r}`, user: "alice" };
    const start = t0 + r * 6 * 3_600_000;
    for (let s = 0; s < 600; s++) {
      const spike = r % 2 === 0 && (s % 200 >= 100 && s % 200 < 104);
      lines.push(JSON.stringify({ type: "run.metric", entity: "acme", project: "llm", run, step: s, timestamp: new Date(start + s * 60_000).toISOString(), metrics: { loss: spike ? 1.2 : 0.3 + (s % 10) / 100 } }));
    }
    if (r % 3 === 1) lines.push(JSON.stringify({ type: "run.state", entity: "acme", project: "llm", run, state: "failed", timestamp: new Date(start + 600 * 60_000).toISOString() }));
  }
  return `${lines.join("\n")}\n`;
}

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

describe("backtest --html", () => {
  it("writes a self-contained page that renders in Chromium with a mark at every firing", async () => {
    const dir = makeProject(defs);
    writeFileSync(join(dir, "h.jsonl"), history());
    const r = await runMain(["backtest", "--no-typecheck", "--json", "--history", "h.jsonl", "--html", "report.html"], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { automations: { address: string; firings: number; subjects: { firings: number }[] }[] };
    const spike = report.automations.find((a) => a.address.endsWith("/loss-spike"));
    const failed = report.automations.find((a) => a.address.endsWith("/run-failed"));
    // r0, r2, r4 spike at steps 100-103 and 300-303, 500-503: one firing per run and 24 h (10-hour runs).
    expect(spike?.firings).toBe(3);
    expect(failed?.firings).toBe(2);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    // Self-contained: no external scripts, styles or images.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=/);

    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      // Nothing may be fetched: the page is the whole report.
      const requests: string[] = [];
      page.on("request", (q) => {
        if (!q.url().startsWith("file:")) requests.push(q.url());
      });
      await page.goto(`file://${join(dir, "report.html")}`);
      await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
      const charts = await page.$$eval("figure.chart", (fs) => fs.map((f) => ({ label: f.querySelector("figcaption")?.textContent ?? "", marks: Number((f as unknown as { dataset: Record<string, string> }).dataset.marks), expected: Number((f as unknown as { dataset: Record<string, string> }).dataset.expected), canvas: f.querySelectorAll("canvas").length })));
      // The three runs that fired and one that did not, each drawn on a canvas, a mark per firing.
      expect(charts.map((c) => c.label)).toEqual(["sweep-0 (r0): 1 firing", "sweep-2 (r2): 1 firing", "sweep-4 (r4): 1 firing", "sweep-1 (r1): did not fire"]);
      expect(charts.map((c) => [c.marks, c.canvas])).toEqual([
        [1, 1],
        [1, 1],
        [1, 1],
        [0, 1],
      ]);
      // Every firing is in a table: the metric automation's three and the run-state automation's two.
      const at = (a: typeof spike) => report.automations.indexOf(a as NonNullable<typeof spike>);
      expect(await page.$$eval(`#automation-${at(spike)} tr.firing`, (rows) => rows.length)).toBe(3);
      expect(await page.$$eval(`#automation-${at(failed)} tr.firing`, (rows) => rows.length)).toBe(2);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.screenshot({ path: join(dir, "report.png"), fullPage: true });
      if (process.env.TRIPWIRE_SCREENSHOT) writeFileSync(process.env.TRIPWIRE_SCREENSHOT, readFileSync(join(dir, "report.png")));
    } finally {
      await browser.close();
    }
  });
});
