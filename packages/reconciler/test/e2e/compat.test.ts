// plan / apply / import against a Tripwire server on loopback in its current mode and as an older W&B Server (no
// team / org scope, z-score, run-state, no-op, tag or unlink events, no Entity.triggers): the documents follow the
// features the server reports, and a definition needing a missing feature is a diagnostic at its line.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPAT_PRESETS, startServer, type AutomationFeature, type RunningServer } from "@tripwire/server";
import { main } from "../../src/cli/main.js";
import { ENTITY_AUTOMATIONS_LEGACY } from "../../src/remote/documents.js";
import { makeProject } from "../project.js";

const KEY = "alice-key-00000001";
const servers: Record<"current" | "older", RunningServer> = {} as never;

async function start(features: readonly AutomationFeature[]): Promise<RunningServer> {
  return startServer({
    db: join(mkdtempSync(join(tmpdir(), "tripwire-compat-")), "w.db"),
    port: 0,
    durability: "normal",
    features,
    seed: {
      users: [{ username: "alice", apiKeys: [KEY] }],
      orgs: [{ name: "corp", admins: ["alice"] }],
      teams: [{ name: "acme", admins: ["alice"] }],
      projects: [{ entity: "acme", name: "llm" }],
      integrations: [{ kind: "webhook", entity: "acme", name: "deploy", url: "http://127.0.0.1:9/hook" }],
    },
  });
}

beforeAll(async () => {
  servers.current = await start(COMPAT_PRESETS.current as readonly AutomationFeature[]);
  servers.older = await start(COMPAT_PRESETS.older as readonly AutomationFeature[]);
});
afterAll(async () => {
  await servers.current?.close();
  await servers.older?.close();
});

async function gql(server: RunningServer, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string }[] } };
}

/** Runs the CLI in-process against `server`; stdout and stderr as text. */
async function tw(server: RunningServer, dir: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stdin: Readable.from([]),
    env: { WANDB_BASE_URL: server.url, WANDB_API_KEY: KEY, NO_COLOR: "1" },
    cwd: dir,
  };
  const code = await main([...args, "--no-typecheck"], io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const header = `import { automation, doNothing, metric, onRunMetric, onRunState, org, project, sendWebhook, team, webhook } from "@tripwire/sdk";\n`;
const basic = `${header}export const loss = automation("loss-high").in(project("acme/llm")).on(onRunMetric(metric("loss").mean(5).gt(0.6))).do(sendWebhook(webhook("deploy")));
export const drop = automation("acc-drop").in(project("acme/llm")).on(onRunMetric(metric("acc").mean(10).decreasesBy({ frac: 0.25 }))).do(sendWebhook(webhook("deploy")));
`;

describe.each(["current", "older"] as const)("against the server in its %s mode", (mode) => {
  it("plans, applies, re-plans to nothing, and imports what the UI made", async () => {
    const server = servers[mode];
    const dir = makeProject({ "tripwire.config.ts": `export default { owner: "compat-${mode}" };\n`, "automations/a.ts": basic });
    const plan = await tw(server, dir, "plan", "--detailed-exitcode");
    expect(plan.stdout).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(plan.code).toBe(2);
    expect((await tw(server, dir, "apply", "--yes")).code).toBe(0);
    expect((await tw(server, dir, "plan", "--detailed-exitcode")).code).toBe(0);

    // An automation made in the W&B UI (unmanaged), imported as code and marked managed; then nothing to do.
    const ids = await gql(server, `{ project(name: "llm", entityName: "acme") { id } entity(name: "acme") { integrations { edges { node { ... on GenericWebhookIntegration { id } } } } } }`);
    const created = await gql(server, `mutation($input: CreateFilterTriggerInput!) { createFilterTrigger(input: $input) { trigger { id } } }`, {
      input: {
        name: "made-in-ui",
        enabled: true,
        scopeID: ids.body.data.project.id,
        scopeType: "PROJECT",
        triggeringEventType: "RUN_METRIC",
        eventFilter: JSON.stringify({ run_filter: '{"$and":[]}', run_metric_filter: { threshold_filter: { name: "gpu", agg_op: null, window_size: 1, cmp_op: "$lt", threshold: 5 } } }),
        triggeredActionType: "GENERIC_WEBHOOK",
        triggeredActionConfig: { genericWebhookActionInput: { integrationID: ids.body.data.entity.integrations.edges[0].node.id } },
      },
    });
    expect(created.body.errors).toBeUndefined();
    const imported = await tw(server, dir, "import", "--entity", "acme");
    expect(imported.code).toBe(0);
    expect(readFileSync(join(dir, "automations", "imported.ts"), "utf8")).toContain(`automation("made-in-ui")`);
    expect(await tw(server, dir, "plan", "--detailed-exitcode")).toMatchObject({ code: 0 });
  }, 120_000);
});

describe("the default entity", () => {
  it("is the API key's user's default entity (viewer.entity) when neither --entity nor WANDB_ENTITY is given", async () => {
    const dir = makeProject({ "tripwire.config.ts": `export default { owner: "compat-default" };\n` });
    const r = await tw(servers.current, dir, "import", "--dry-run");
    expect(r.stderr).toContain(`reading the automations of alice from ${servers.current.url}/graphql`);
    expect(r.code).toBe(0);
  }, 60_000);
});

describe("an older W&B Server", () => {
  it("has no types for the features it lacks: W&B's full documents fail validation on it", async () => {
    const r = await gql(servers.older, ENTITY_AUTOMATIONS_LEGACY, { entity: "acme" });
    expect(r.status).toBe(400);
    const messages = (r.body.errors ?? []).map((e) => e.message);
    expect(messages[0]).toMatch(/^Unknown type "NoOpTriggeredAction"\./);
    expect(messages).toContain('Fragment "EntityScopeFields" cannot be spread here as objects of type "TriggerScope" can never be of type "Entity".');
    const current = await gql(servers.current, ENTITY_AUTOMATIONS_LEGACY, { entity: "acme" });
    expect(current.body.errors).toBeUndefined();

    const features = await gql(servers.older, `{ serverInfo { features { name isEnabled } } }`);
    expect(features.body.data.serverInfo.features).toEqual([
      { name: "AUTOMATION_EVENT_RUN_METRIC", isEnabled: true },
      { name: "AUTOMATION_EVENT_RUN_METRIC_CHANGE", isEnabled: true },
    ]);
    const entityTriggers = await gql(servers.older, `{ entity(name: "acme") { triggers { edges { node { id } } } } }`);
    expect(entityTriggers.body.errors?.[0]?.message).toBe('Cannot query field "triggers" on type "Entity".');
  });

  it("a definition needing a feature the server lacks is a diagnostic at its line; the current server plans it", async () => {
    const needs = `${header}export const t = automation("team-wide").in(team("acme")).on(onRunMetric(metric("loss").max(3).gt(9))).do(sendWebhook(webhook("deploy")));
export const o = automation("org-wide").in(org("corp")).on(onRunMetric(metric("loss").max(3).gt(9))).do(sendWebhook(webhook("deploy", { entity: "acme" })));
export const z = automation("z").in(project("acme/llm")).on(onRunMetric(metric("loss").zscore(30).abs().gt(3))).do(sendWebhook(webhook("deploy")));
export const s = automation("failed").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing());
`;
    const dir = makeProject({ "tripwire.config.ts": `export default { owner: "compat-needs" };\n`, "automations/n.ts": needs });
    const r = await tw(servers.older, dir, "plan");
    expect(r.code).toBe(3);
    const server = "this W&B server (features AUTOMATION_EVENT_RUN_METRIC, AUTOMATION_EVENT_RUN_METRIC_CHANGE)";
    const lines = r.stdout.split("\n").filter((l) => l.includes("TW6501"));
    expect(lines).toEqual([
      `automations/n.ts:2:18 - error TW6501: ${server} has no team-scoped automations: "team-wide" needs AUTOMATION_SCOPE_ENTITY`,
      `automations/n.ts:3:18 - error TW6501: ${server} has no organization-scoped automations: "org-wide" needs AUTOMATION_SCOPE_ENTITY`,
      `automations/n.ts:4:18 - error TW6501: ${server} has no z-score metric events: "z" needs AUTOMATION_EVENT_RUN_METRIC_ZSCORE`,
      `automations/n.ts:5:18 - error TW6501: ${server} has no run-state events: "failed" needs AUTOMATION_EVENT_RUN_STATE`,
      `automations/n.ts:5:18 - error TW6501: ${server} has no no-op actions: "failed" needs AUTOMATION_ACTION_NO_OP`,
    ]);
    const current = await tw(servers.current, dir, "plan", "--detailed-exitcode");
    expect(current.stdout).not.toContain("TW6501");
    expect(current.code).toBe(2);
  }, 120_000);
});
