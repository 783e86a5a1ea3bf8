import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import AjvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { memoryIo } from "../io.js";
import { makeProject } from "../project.js";

const config = `import { defineConfig } from "@tripwire/reconciler";
export default defineConfig({ automations: ["automations"], lint: { TWL002: "off", TWL040: "error" }, loops: { deploy: ["acme/model"] },
  embedded: {
    integrations: [
      { kind: "slack", entity: "acme", channelName: "audit", webhookUrl: "http://127.0.0.1:9/audit" },
      { kind: "webhook", entity: "acme", name: "deploy", url: "http://127.0.0.1:9/deploy" },
    ],
  },
});
`;
const defs = `import { alias, automation, doNothing, metric, onAddArtifactAlias, onRunMetric, org, project, registry, runName, sendNotification, sendWebhook, slack, webhook } from "@tripwire/sdk";
export const audit = automation("audit").in(org("acme")).on(onAddArtifactAlias()).do(sendNotification(slack("audit")));
export const deploy = automation("deploy")
  .in(registry("acme/model"))
  .on(onAddArtifactAlias(alias.eq("production")))
  .do(sendWebhook(webhook("deploy"), { payload: { run: "\${run_name}", typo: "\${RUN_NAME}" } }))
  .lintIgnore("TWL030", "the deploy job only moves the staging alias");
export const spike = automation("spike").in(project("acme/llm")).on(onRunMetric(metric("loss").mean(50).gt(0.5)).where(runName.regex("^sweep-"))).do(doNothing());
`;
const line = (step: number, loss: number, name = "train-1") =>
  JSON.stringify({ type: "run.metric", entity: "acme", project: "llm", run: { id: name, name, user: "alice" }, step, timestamp: `2026-11-20T09:${String(step / 1000).padStart(2, "0")}:00Z`, metrics: { loss } });
const history = `${[0, 1000, 2000, 3000, 4000, 5000].map((s) => line(s, 0.4)).join("\n")}\n`;

describe("tripwire lint", () => {
  const dir = makeProject({ "tripwire.config.ts": config, "automations/a.ts": defs, "history/week.jsonl": history });

  it("prints findings like tsc with the config's severities and .lintIgnore() applied; an error exits 3", async () => {
    const r = memoryIo(dir);
    expect(await main(["lint", "--no-typecheck"], r.io)).toBe(3);
    expect(r.stdout()).toBe("");
    expect(r.stderr()).toBe(
      [
        "automations/a.ts:2:22 - error TWL040: audit: posts to Slack #audit for every addArtifactAlias event in org acme: add a filter (.where(...), or an alias / tag filter)",
        "automations/a.ts:3:23 - warning TWL001: deploy: ${run_name} is always empty for addArtifactAlias events; W&B fills it for runState, runMetricThreshold, runMetricChange, runMetricZScore",
        "",
        "Found 1 error.",
        "History-aware checks (TWL060–TWL067) did not run: pass --history files or folders, or --since 7d for the backend's run history.",
        "",
      ].join("\n"),
    );
  });

  it("runs the history-aware checks with --history, and --list names every check", async () => {
    const r = memoryIo(dir);
    expect(await main(["lint", "--no-typecheck", "--json", "--history", "history"], r.io)).toBe(3);
    const doc = JSON.parse(r.stdout()) as { diagnostics: { code: string; message: string }[] };
    expect(doc.diagnostics.filter((d) => d.code.startsWith("TWL06")).map((d) => [d.code, d.message])).toEqual([
      ["TWL066", 'spike: runName regex /^sweep-/ matches none of the 1 run names in the history (train-1)'],
      ["TWL062", 'spike: "loss" is logged too rarely for a window of 50: the most any run logged it is 6 times ("train-1", over steps 0–5000 (about every 1000 steps))'],
    ]);
    const list = memoryIo(dir);
    expect(await main(["lint", "--list"], list.io)).toBe(0);
    expect(list.stdout().split("\n")[0]).toBe("TWL001  warning  offline   template variable the event never fills");
  });

  it("--format github prints one annotation per finding, escaped as workflow commands", async () => {
    const r = memoryIo(dir);
    expect(await main(["lint", "--no-typecheck", "--format", "github"], r.io)).toBe(3);
    expect(r.stdout()).toBe(
      [
        "::error file=automations/a.ts,line=2,col=22,title=TWL040::audit: posts to Slack #audit for every addArtifactAlias event in org acme: add a filter (.where(...), or an alias / tag filter)",
        "::warning file=automations/a.ts,line=3,col=23,title=TWL001::deploy: ${run_name} is always empty for addArtifactAlias events; W&B fills it for runState, runMetricThreshold, runMetricChange, runMetricZScore",
        "",
      ].join("\n"),
    );
    // Every line is a workflow command: ::level key=value,…::message, with no raw newline inside.
    for (const l of r.stdout().trimEnd().split("\n")) expect(l).toMatch(/^::(error|warning|notice)( (file|line|col|endLine|endColumn|title)=[^,:]*(,(file|line|col|endLine|endColumn|title)=[^,:]*)*)?::[^\r\n]*$/);
  });

  it("--sarif writes a SARIF 2.1.0 log that validates against the official schema", async () => {
    const r = memoryIo(dir);
    expect(await main(["lint", "--no-typecheck", "--sarif", "out.sarif", "--history", "history"], r.io)).toBe(3);
    const log = JSON.parse(readFileSync(join(dir, "out.sarif"), "utf8"));
    const schemaFile = createRequire(import.meta.url).resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    // The schema's patterns are ECMAScript regexes without the u flag (one is not valid with it).
    // Both are CommonJS with an `exports.default`: under NodeNext the default import is the module object.
    const Ajv = AjvDraft04.default;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    ajvFormats.default(ajv);
    const check = ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
    const valid = check(log);
    expect(check.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const results = log.runs[0].results as { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
    expect(results.map((x) => [x.ruleId, x.level, x.locations[0]?.physicalLocation.artifactLocation.uri, x.locations[0]?.physicalLocation.region.startLine])).toEqual([
      ["TWL040", "error", "automations/a.ts", 2],
      ["TWL001", "warning", "automations/a.ts", 3],
      ["TWL066", "warning", "automations/a.ts", 8],
      ["TWL062", "warning", "automations/a.ts", 8],
    ]);
    expect(log.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toContain("TWL067");
    // A log with a result at a bad level fails the schema: the validation is real.
    expect(check({ ...log, runs: [{ ...log.runs[0], results: [{ ...results[0], level: "fatal" }] }] })).toBe(false);
  });

  it("a severity for a check that does not exist is a config error", async () => {
    const bad = makeProject({ "tripwire.config.ts": `export default { lint: { TWL999: "off", TWL001: "loud" } };\n`, "automations/a.ts": defs });
    const r = memoryIo(bad);
    expect(await main(["lint", "--no-typecheck", "--json"], r.io)).toBe(3);
    const doc = JSON.parse(r.stdout()) as { diagnostics: { code: string; message: string }[] };
    expect(doc.diagnostics.filter((d) => d.code === "TW2001").map((d) => d.message)).toEqual([
      'Invalid option: expected one of "off"|"warning"|"error" (at lint.TWL001)',
      'Unrecognized key: "TWL999" (at lint)',
    ]);
  });

  it("validate runs the offline checks", async () => {
    const r = memoryIo(dir);
    expect(await main(["validate", "--no-typecheck"], r.io)).toBe(3);
    expect(r.stderr()).toContain("error TWL040: audit:");
  });

  it("plan --lint adds the findings to the plan, history-aware ones over --backtest, and says when there is none", async () => {
    const withHistory = memoryIo(dir);
    await main(["plan", "--no-typecheck", "--lint", "--json", "--backtest", "history"], withHistory.io);
    const plan = JSON.parse(withHistory.stdout()) as { diagnostics: { code: string }[] };
    expect(plan.diagnostics.map((d) => d.code)).toEqual(["TWL040", "TWL001", "TWL066", "TWL062"]);
    const without = memoryIo(dir);
    expect(await main(["plan", "--no-typecheck", "--lint", "--json"], without.io)).toBe(3);
    const bare = JSON.parse(without.stdout()) as { diagnostics: { code: string; message: string }[] };
    expect(bare.diagnostics.filter((d) => d.code === "TWL060").map((d) => d.message)).toEqual(["spike: no history was given (--history): the history-aware checks did not run"]);
    const plain = memoryIo(dir);
    await main(["plan", "--no-typecheck", "--json"], plain.io);
    expect((JSON.parse(plain.stdout()) as { diagnostics: unknown[] }).diagnostics).toEqual([]);
  });
});
