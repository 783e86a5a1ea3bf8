// Apply takes the IDs of what its prerequisites created from the prerequisites themselves (no second catalog read,
// no second resolve): each prerequisite's result carries its ID, and the operations are written against those IDs.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { apply, plan } from "../src/api.js";
import { integrationLookupKey, prerequisiteKey, scopeLookupKey } from "../src/model/catalog.js";
import { makeProject } from "./project.js";

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
const defs = (noisy: string) => `import { alias, automation, metric, onAddArtifactAlias, onRunMetric, org, project, registry, sendNotification, sendWebhook, slack, webhook } from "@tripwire/sdk";
export const deploy = automation("deploy").in(registry("acme/model")).on(onAddArtifactAlias(alias.eq("production"))).do(sendWebhook(webhook("deploy")));
export const audit = automation("audit").in(org("acme")).on(onAddArtifactAlias(alias.eq("production"))).do(sendNotification(slack("alerts")));
export const noisy = automation("noisy").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(0))).do(sendNotification(slack("alerts"))).describe(${JSON.stringify(noisy)});
`;

describe("apply on a fresh embedded database", () => {
  it("each prerequisite reports the ID it created, and the automations are written against those IDs", async () => {
    const dir = makeProject({ "tripwire.config.ts": config, "automations/a.ts": defs("first") });
    const applied = await apply({ cwd: dir, typecheck: false, env: {}, yes: true });
    expect(applied.exitCode).toBe(0);
    const prerequisites = applied.results.filter((r) => r.op === "prerequisite");
    expect(prerequisites.map((r) => [r.address, r.ok, typeof r.id])).toEqual([
      ["entity:acme/acme", true, "string"],
      ["project:acme/llm", true, "string"],
      ["registry:acme/model", true, "string"],
      ["slack:acme/alerts", true, "string"],
      ["webhook:acme/deploy", true, "string"],
    ]);
    expect(new Set(prerequisites.map((r) => r.id)).size).toBe(prerequisites.length);
    expect(applied.results.filter((r) => r.op === "create").map((r) => [r.address, r.ok])).toEqual([
      ["org:acme/audit", true],
      ["project:acme/llm/noisy", true],
      ["registry:acme/model/deploy", true],
    ]);
    expect(applied.remaining).toEqual([]);

    // The next plan resolves the same names from the backend: to exactly the IDs the prerequisites reported.
    writeFileSync(join(dir, "automations/a.ts"), defs("second"));
    const next = await plan({ cwd: dir, typecheck: false, env: {} });
    expect(next.plan?.prerequisites).toEqual([]);
    const update = next.plan?.operations.find((o) => o.address === "project:acme/llm/noisy");
    expect(update && update.op === "update" ? [update.scopeId, update.integrationId] : undefined).toEqual([
      prerequisites.find((r) => r.address === "project:acme/llm")?.id,
      prerequisites.find((r) => r.address === "slack:acme/alerts")?.id,
    ]);
    expect(next.plan?.operations.map((o) => o.address)).toEqual(["project:acme/llm/noisy"]);
  }, 120_000);
});

describe("the keys apply files created IDs under", () => {
  it("a prerequisite's key is the key its scope or integration is looked up by", () => {
    const team = { type: "team", team: "acme" } as const;
    const proj = { type: "project", entity: "acme", project: "llm" } as const;
    const reg = { type: "registry", org: "acme", registry: "model" } as const;
    expect([
      scopeLookupKey(team) === prerequisiteKey({ kind: "entity", entity: "acme", name: "acme" }),
      scopeLookupKey({ type: "org", org: "acme" }) === prerequisiteKey({ kind: "entity", entity: "acme", name: "acme", entityType: "organization" }),
      scopeLookupKey(proj) === prerequisiteKey({ kind: "project", entity: "acme", name: "llm" }),
      scopeLookupKey(reg) === prerequisiteKey({ kind: "registry", entity: "acme", name: "model" }),
      scopeLookupKey({ type: "collection", parent: proj, collection: "data" }) === prerequisiteKey({ kind: "collection", entity: "acme", parent: "llm", name: "data" }),
      scopeLookupKey({ type: "collection", parent: reg, collection: "llm-7b" }) === prerequisiteKey({ kind: "collection", entity: "acme", parent: "wandb-registry-model", name: "llm-7b" }),
    ]).toEqual([true, true, true, true, true, true]);
    expect(scopeLookupKey(proj)).not.toBe(scopeLookupKey(reg));
    const action = { type: "webhook", integration: { kind: "webhook", name: "deploy" } };
    expect(integrationLookupKey({ scope: proj, action } as never)).toBe(prerequisiteKey({ kind: "webhook", entity: "acme", name: "deploy" }));
  });
});
