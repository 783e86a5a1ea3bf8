import { describe, expect, it } from "vitest";
import { loadDefinitions } from "../src/load/load.js";
import { makeProject } from "./project.js";

const defs = `import { automation, metric, onRunMetric, project, sendWebhook, webhook } from "@tripwire/sdk";
export const eq = automation("exactly-one").in(project("acme/llm")).on(onRunMetric(metric("epoch").eq(1))).do(sendWebhook(webhook("deploy")));
export const ne = automation("not-zero").in(project("acme/llm")).on(onRunMetric(metric("loss").mean(3).ne(0))).do(sendWebhook(webhook("deploy")));
export const gt = automation("high").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(1))).do(sendWebhook(webhook("deploy"), { payloadText: '{"run": "\${run_name}"}' }));
export const raw = automation("raw-text").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(2))).do(sendWebhook(webhook("deploy"), { payloadText: '{"values": \${metric_values}}' }));
export const list = automation("a-list").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(3))).do(sendWebhook(webhook("deploy"), { payloadText: "[1, 2]" }));
`;

const load = async (config: string) => {
  const dir = makeProject({ "tripwire.config.ts": config, "automations/a.ts": defs });
  const { diagnostics } = await loadDefinitions({ cwd: dir });
  return diagnostics.map((d) => `${d.source?.file}:${d.source?.line} ${d.severity} ${d.code} ${d.subject}`);
};

describe("interop with W&B's Python SDK", () => {
  it("warns once per == / != threshold and refuses payloadText that is not a JSON object", async () => {
    expect(await load("export default {};\n")).toEqual([
      "automations/a.ts:2 warning TW6520 exactly-one",
      "automations/a.ts:3 warning TW6520 not-zero",
      "automations/a.ts:5 error TW6521 raw-text",
      "automations/a.ts:6 error TW6521 a-list",
    ]);
    const dir = makeProject({ "tripwire.config.ts": "export default {};\n", "automations/a.ts": defs });
    const message = (await loadDefinitions({ cwd: dir })).diagnostics.find((d) => d.code === "TW6520")?.message;
    expect(message).toBe(
      `"exactly-one" compares with ==: W&B's Python SDK reads such a threshold as no filter, and an update_automation from it saves "exactly-one" without its threshold (silence with interop.silence: ["TW6520"] in tripwire.config.ts)`,
    );
  }, 60_000);

  it("is silenced and opted out of in the config", async () => {
    expect(await load(`export default { interop: { silence: ["TW6520"], allowNonJsonPayload: true } };\n`)).toEqual([]);
    const bad = await load(`export default { interop: { silence: ["TW9999"] } };\n`);
    expect(bad.filter((l) => l.includes("TW2001"))).toEqual(["tripwire.config.ts:1 error TW2001 undefined"]);
  }, 60_000);
});
