import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { apply, plan } from "../src/api.js";
import { main } from "../src/cli/main.js";
import type { Io } from "../src/cli/io.js";
import { renderMarkdown } from "../src/render/index.js";
import { makeProject } from "./project.js";

const config = (policies: string) => `import { defineConfig } from "@tripwire/reconciler";
export default defineConfig({
  automations: ["automations"],
  policies: ${policies},
  embedded: {
    integrations: [
      { kind: "slack", entity: "acme", channelName: "alerts", webhookUrl: "http://127.0.0.1:9/slack" },
      { kind: "webhook", entity: "acme", name: "deploy", url: "https://hooks.acme.com/deploy" },
      { kind: "webhook", entity: "acme", name: "pastebin", url: "https://evil.example.net/x" },
    ],
  },
});
`;
const defs = `import { alias, automation, metric, onAddArtifactAlias, onRunMetric, org, project, registry, sendNotification, sendWebhook, slack, webhook } from "@tripwire/sdk";
export const deploy = automation("deploy").in(registry("acme/model")).on(onAddArtifactAlias(alias.eq("production"))).do(sendWebhook(webhook("deploy"))).describe("Deploys production, owner: @ml-platform");
export const leak = automation("leak").in(registry("acme/model")).on(onAddArtifactAlias(alias.eq("staging"))).do(sendWebhook(webhook("pastebin"))).describe("owner: @ml-platform");
export const audit = automation("audit").in(org("acme")).on(onAddArtifactAlias(alias.eq("production"))).do(sendNotification(slack("alerts"))).describe("Audit trail");
export const noisy = automation("noisy").in(project("acme/llm")).on(onRunMetric(metric("loss").gt(0))).do(sendNotification(slack("alerts"))).describe("owner: @ml-platform");
`;
const line = (i: number) => JSON.stringify({ type: "run.metric", entity: "acme", project: "llm", run: { id: `r${i}`, name: `r${i}`, user: "alice" }, step: i, timestamp: `2026-11-20T09:${String(i % 60).padStart(2, "0")}:00Z`, metrics: { loss: 1 } });

const memIo = (cwd: string): { io: Io; out: () => string; err: () => string } => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, stdin: Readable.from([]), env: { NO_COLOR: "1" }, cwd }, out: () => out.join(""), err: () => err.join("") };
};

describe("policies", () => {
  const all = `[
    "description-and-owner",
    { policy: "webhook-hosts", hosts: ["*.acme.com"] },
    { policy: "org-scope-label", label: "platform" },
    { policy: "max-daily-slack", max: 20 },
    { name: "projects-through-teams", check: (ctx) => ctx.plan.operations.filter((o) => o.op === "create" && o.scope.type === "project").map((o) => ({ address: o.address, message: \`\${o.address} is created at project scope\` })) },
  ]`;

  it("a failing policy fails plan with exit 3, at the definition, and in the pull-request markdown", async () => {
    const dir = makeProject({ "tripwire.config.ts": config(all), "automations/a.ts": defs, "history/h.jsonl": `${Array.from({ length: 30 }, (_, i) => line(i)).join("\n")}\n` });
    const r = await plan({ cwd: dir, typecheck: false, env: {}, backtest: ["history"] });
    expect(r.exitCode).toBe(3);
    expect(r.diagnostics.map((d) => `${d.source?.line} ${d.code} ${d.message}`)).toEqual([
      "3 TW6710 policy webhook-hosts (*.acme.com): leak: webhook acme/pastebin posts to evil.example.net, which is not in the allowed hosts (*.acme.com)",
      "4 TW6710 policy description-and-owner: audit: its description names no owner: add \"owner: <team>\" or an @handle",
      '4 TW6710 policy org-scope-label (platform): audit: changes an org-scope automation (org acme): it needs the "platform" label on the pull request; no pull-request labels were given (--label, or TRIPWIRE_PR_LABELS)',
      "5 TW6710 policy max-daily-slack (20): noisy: would post 30 Slack messages on its busiest day (2026-11-20), above the limit of 20",
      "5 TW6710 policy projects-through-teams: noisy: project:acme/llm/noisy is created at project scope",
    ]);
    expect(r.plan && renderMarkdown(r.plan, { backtest: r.backtest }).join("\n")).toContain("error TW6710: policy webhook-hosts (*.acme.com): leak:");
    const labelled = await plan({ cwd: dir, typecheck: false, env: {}, backtest: ["history"], labels: ["platform"] });
    expect(labelled.diagnostics.map((d) => d.message)).not.toContainEqual(expect.stringContaining("org-scope-label"));
  }, 120_000);

  it("apply refuses a plan that fails a policy, live or saved, and applies once it passes", async () => {
    const dir = makeProject({ "tripwire.config.ts": config(`[{ policy: "webhook-hosts", hosts: ["hooks.acme.com", "127.0.0.1"] }]`), "automations/a.ts": defs });
    const refused = await apply({ cwd: dir, typecheck: false, env: {}, yes: true });
    expect([refused.exitCode, refused.refused, refused.results]).toEqual([3, "the plan fails 1 policy check", []]);
    const saved = memIo(dir);
    expect(await main(["plan", "--no-typecheck", "--out", "plan.json"], saved.io)).toBe(3);
    const fromFile = memIo(dir);
    expect(await main(["apply", "plan.json", "--yes"], fromFile.io)).toBe(3);
    expect(fromFile.err()).toContain("error TW6710: policy webhook-hosts (hooks.acme.com, 127.0.0.1): leak:");
    const fixed = makeProject({ "tripwire.config.ts": config(`[{ policy: "webhook-hosts", hosts: ["hooks.acme.com", "evil.example.net", "127.0.0.1"] }]`), "automations/a.ts": defs });
    const ok = await apply({ cwd: fixed, typecheck: false, env: {}, yes: true });
    expect([ok.exitCode, ok.results.filter((x) => x.ok && x.op === "create").length]).toEqual([0, 4]);
    expect((await plan({ cwd: fixed, typecheck: false, env: {} })).plan?.operations).toEqual([]);
  }, 120_000);
});
