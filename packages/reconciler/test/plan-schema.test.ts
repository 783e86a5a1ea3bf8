import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "../src/model/plan-schema.js";
import { runMain } from "./io.js";
import { makeProject } from "./project.js";

const defs = `import { alias, automation, metric, onAddArtifactAlias, onRunMetric, project, registry, runName, sendNotification, sendWebhook, slack, webhook } from "@tripwire/sdk";
export const deploy = automation("deploy").in(registry("acme/model")).on(onAddArtifactAlias(alias.eq("production"))).do(sendWebhook(webhook("deploy")));
export const loss = automation("loss").in(project("acme/llm")).on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(runName.contains("sweep-"))).do(sendNotification(slack("alerts")));
`;
const config = `import { defineConfig } from "@tripwire/reconciler";
export default defineConfig({
  automations: ["automations"],
  embedded: {
    integrations: [
      { kind: "slack", entity: "acme", channelName: "alerts", webhookUrl: "http://127.0.0.1:9/slack" },
      { kind: "webhook", entity: "acme", name: "deploy", url: "https://hooks.acme.com/deploy" },
    ],
  },
});
`;

describe("a saved plan is checked against PlanSchema before apply trusts it", () => {
  it("a plan saved by tripwire plan --out reads back whole; a damaged one is refused with the path of the damage", async () => {
    const dir = makeProject({ "tripwire.config.ts": config, "automations/a.ts": defs });
    expect((await runMain(["plan", "--no-typecheck", "--out", "plan.json"], dir)).code).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"));
    const read = parsePlan(saved);
    // The document is the plan plus `applyable` (render/json.ts), which apply does not read back.
    const { applyable, ...planned } = saved;
    expect(applyable).toBe(true);
    expect(read).toEqual({ ok: true, plan: planned });
    expect(read.ok && read.plan.operations.map((o) => `${o.op} ${o.name}`).sort()).toEqual(["create deploy", "create loss"]);

    const damaged = structuredClone(saved);
    damaged.operations[1].after.event = { type: "runMetricThreshold", metric: 3 };
    writeFileSync(join(dir, "damaged.json"), JSON.stringify(damaged));
    const r = await runMain(["apply", "damaged.json", "--yes"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error TWE005: damaged\.json is not a valid Tripwire plan: operations\.1\.after\.event(\.[a-z]+)?: /);

    writeFileSync(join(dir, "old.json"), JSON.stringify({ ...saved, format_version: "2.0" }));
    expect((await runMain(["apply", "old.json", "--yes"], dir)).stderr).toBe("error TWE005: old.json is not a Tripwire plan of format 1.1\n");

    // The undamaged plan still applies: what the schema accepts is exactly what plan --out writes.
    expect((await runMain(["apply", "plan.json", "--yes"], dir)).code).toBe(0);
    expect((await runMain(["plan", "--no-typecheck", "--detailed-exitcode"], dir)).code).toBe(0);
  }, 120_000);
});
