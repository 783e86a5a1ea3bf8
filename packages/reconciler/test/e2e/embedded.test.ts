import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execute, openStore } from "@tripwire/server";
import { makeProject } from "../project.js";
import { runCli } from "./cli.js";

const header = `import { automation, project, metric, onRunMetric, onRunState, sendNotification, sendWebhook, slack, webhook, doNothing, runName } from "@tripwire/sdk";
const llm = project("acme/llm");
`;
const config = `export default {
  automations: ["automations"],
  embedded: {
    integrations: [
      { kind: "slack", entity: "acme", channelName: "ml-alerts", webhookUrl: "http://127.0.0.1:9/slack" },
      { kind: "webhook", entity: "acme", name: "deploy", url: "http://127.0.0.1:9/hook", secret: "HOOK_SECRET", accessToken: "GITHUB_TOKEN" },
    ],
    secrets: [
      { entity: "acme", name: "HOOK_SECRET", value: "hook-signing-s3cr3t" },
      { entity: "acme", name: "GITHUB_TOKEN", value: "ghp_s3cr3tvalue" },
    ],
  },
};
`;
const alerts = `${header}
export const spike = automation("loss-spike").in(llm)
  .on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(runName.contains("sweep-")))
  .do(sendNotification(slack("ml-alerts"), { title: "Loss spiked", severity: "WARN" }));
export const failed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(sendWebhook(webhook("deploy"), { payload: { run: "\${run_name}", token: "\${GITHUB_TOKEN}" } }));
`;
const write = (dir: string, name: string, text: string) => writeFileSync(join(dir, name), text);
const tw = (dir: string, ...args: string[]) => runCli([...args, "--no-typecheck"], { cwd: dir });

describe("the CLI against the embedded default", () => {
  it("a new user plans and applies on a fresh clone; the re-plan is empty", async () => {
    const dir = makeProject({ "tripwire.config.ts": config, "automations/alerts.ts": alerts });
    const plan = await tw(dir, "plan", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout.split("\n")[0]).toBe("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(plan.stdout).toContain("The embedded backend will first create:\n  + team acme\n  + project acme/llm\n  + secret GITHUB_TOKEN in acme\n  + secret HOOK_SECRET in acme\n  + webhook integration \"deploy\" in acme\n  + Slack integration #ml-alerts in acme\n");

    const refused = await tw(dir, "apply");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error: refusing to apply without --yes: no terminal to confirm on");

    const applied = await tw(dir, "apply", "--yes");
    expect(applied.code).toBe(0);
    expect(applied.stderr).toMatch(/project:acme\/llm\/loss-spike: created \[id=[A-Za-z0-9=]+\] \(\d+ ms\)/);
    expect(applied.stderr).toContain("Apply complete: 2 added, 0 changed, 0 destroyed, 6 prerequisites created.");

    const again = await tw(dir, "plan", "--detailed-exitcode");
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("No changes. The live automations match the code.\n");
    const noop = await tw(dir, "apply", "--yes");
    expect(noop.code).toBe(0);
    expect(noop.stderr).not.toContain("applying");
  }, 120_000);

  it("changes in code, drift made outside Tripwire, deletes, protect and renames", async () => {
    const dir = makeProject({ "tripwire.config.ts": config, "automations/alerts.ts": alerts });
    expect((await tw(dir, "apply", "--yes")).code).toBe(0);

    // Someone disables the automation in the W&B UI (here: the same GraphQL mutation, on the local database).
    const store = openStore(join(dir, ".tripwire", "local.db"));
    const listed = await execute(store, { query: `{ project(name: "llm", entityName: "acme") { triggers { id name description enabled } } }` }, { user: "local" });
    const triggers = (listed.body.data as { project: { triggers: { id: string; name: string; description: string }[] } }).project.triggers;
    const failed = triggers.find((t) => t.name === "run-failed")!;
    const saved = await execute(store, { query: `{ project(name: "llm", entityName: "acme") { triggers { id name description enabled scope { __typename ... on Project { id } } event: triggeringCondition { ... on FilterEventTriggeringCondition { eventType filter } } } } }` }, { user: "local" });
    const t = (saved.body.data as { project: { triggers: { id: string; name: string; description: string; scope: { id: string }; event: { eventType: string; filter: string } }[] } }).project.triggers.find((x) => x.name === "run-failed")!;
    const hookId = (await execute(store, { query: `{ entity(name: "acme") { integrations { edges { node { __typename ... on GenericWebhookIntegration { id name } } } } } }` }, { user: "local" }).then((r) => (r.body.data as { entity: { integrations: { edges: { node: { id?: string; name?: string } }[] } } }).entity.integrations.edges.find((e) => e.node.name === "deploy")!.node.id))!;
    const update = await execute(
      store,
      {
        query: `mutation($input: UpdateFilterTriggerInput!) { updateFilterTrigger(input: $input) { trigger { id enabled } } }`,
        variables: {
          input: {
            id: failed.id, name: "run-failed", description: t.description, enabled: false, scopeID: t.scope.id, scopeType: "PROJECT",
            triggeringEventType: t.event.eventType, eventFilter: t.event.filter,
            triggeredActionType: "GENERIC_WEBHOOK", triggeredActionConfig: { genericWebhookActionInput: { integrationID: hookId, requestPayload: '{"run":"${run_name}","token":"${GITHUB_TOKEN}"}' } },
          },
        },
      },
      { user: "local" },
    );
    expect(update.status).toBe(200);
    store.close();

    const drift = await tw(dir, "plan", "--detailed-exitcode");
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain("  ~ update  project:acme/llm/run-failed\n      # restores the code's definition over changes made outside Tripwire\n      # automations/alerts.ts:7\n      ~ enabled: false → true\n");
    expect(drift.stdout).toContain("Changed outside Tripwire since the last apply:\n  ~ project:acme/llm/run-failed\n      ~ enabled: true → false\n");

    // Rename one with movedFrom, protect it, and remove the other: deletion needs --allow-delete.
    write(dir, "automations/alerts.ts", `${header}
export const failed = automation("run-failed-hook").movedFrom("run-failed").protect().in(llm).on(onRunState(["failed"])).do(sendWebhook(webhook("deploy"), { payload: { run: "\${run_name}", token: "\${GITHUB_TOKEN}" } }));
`);
    const plan = await tw(dir, "plan", "--json");
    const doc = JSON.parse(plan.stdout) as { operations: { op: string; address: string; id?: string; from?: string }[]; summary: unknown };
    expect(doc.operations.map((o) => `${o.op} ${o.address}${o.from ? ` from ${o.from}` : ""}`)).toEqual([
      "rename project:acme/llm/run-failed-hook from run-failed",
      "delete project:acme/llm/loss-spike",
    ]);
    expect(doc.operations[0]?.id).toBe(failed.id);
    const refused = await tw(dir, "apply", "--yes");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error: the plan destroys 1 automation: pass --allow-delete, or confirm on a terminal");
    const applied = await tw(dir, "apply", "--yes", "--allow-delete", "--json");
    expect(applied.code).toBe(0);
    const results = (JSON.parse(applied.stdout) as { results: { op: string; address: string; id?: string; ok: boolean }[] }).results;
    expect(results.map((r) => `${r.op} ${r.address} ${r.ok}`)).toEqual(["rename project:acme/llm/run-failed-hook true", "delete project:acme/llm/loss-spike true"]);
    expect(results[0]?.id).toBe(failed.id); // same automation, same history

    // A protected automation removed from code is refused outright.
    write(dir, "automations/alerts.ts", `${header}\nexport const other = automation("other").in(llm).on(onRunState(["finished"])).do(doNothing());\n`);
    const protectedPlan = await tw(dir, "plan", "--detailed-exitcode");
    expect(protectedPlan.code).toBe(3);
    expect(protectedPlan.stdout).toContain('error TW3003: "run-failed-hook" (project:acme/llm/run-failed-hook) is protected and no longer in code');
  }, 180_000);

  it("saved plans apply exactly and are refused once stale, even when made against an empty state", async () => {
    const dir = makeProject({ "tripwire.config.ts": config, "automations/alerts.ts": alerts });
    const made = await tw(dir, "plan", "--out", "plan.json");
    expect(made.code).toBe(0);
    expect(made.stderr).toContain("Saved the plan to plan.json: apply exactly it with `tripwire apply plan.json`.");
    // Code changes after the plan do not matter: the saved plan is what gets applied.
    write(dir, "automations/alerts.ts", `${header}\nexport const x = automation("x").in(llm).on(onRunState(["finished"])).do(doNothing());\n`);
    const first = await tw(dir, "apply", "plan.json", "--yes");
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("project:acme/llm/loss-spike: created");
    expect(first.stderr).not.toContain("project:acme/llm/x");
    const second = await tw(dir, "apply", "plan.json", "--yes");
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("error TWE004: the saved plan is stale: the live state changed since it was made; run tripwire plan again");
  }, 120_000);

  it("secret values never appear in any output", async () => {
    const dir = makeProject({ "tripwire.config.ts": config, "automations/alerts.ts": alerts });
    const outputs = await Promise.all([
      tw(dir, "plan"),
      tw(dir, "plan", "--json"),
      tw(dir, "plan", "--markdown"),
      tw(dir, "plan", "--out", "saved.json"),
    ]);
    const applied = await tw(dir, "apply", "--yes", "--json");
    const all = [...outputs, applied].map((r) => r.stdout + r.stderr).join("\n") + readFileSync(join(dir, "saved.json"), "utf8");
    expect(all).toContain("${GITHUB_TOKEN}");
    expect(all).not.toContain("ghp_s3cr3tvalue");
    expect(all).not.toContain("hook-signing-s3cr3t");
  }, 120_000);

  it("validate: diagnostics like tsc, exit 3; --json", async () => {
    const dir = makeProject({
      "automations/bad.ts": `${header}export const w = automation("w").in(llm).on(onRunMetric(metric("loss").mean(0).gt(1))).do(doNothing());
export const t = automation("t").in(llm.collection("c")).on(onRunState(["failed"]) as never).do(doNothing());
`,
      "automations/typed.ts": `${header}export const y = automation("y").in(llm.collection("c")).on(onRunState(["failed"])).do(doNothing());\n`,
    });
    const r = await runCli(["validate"], { cwd: dir });
    expect(r.code).toBe(3);
    // A builder that throws stops its module (as a syntax error would); the type-check still reports every typed mistake.
    expect(r.stderr.split("\n").filter((l) => / - error /.test(l))).toEqual([
      'automations/bad.ts:4:73 - error TW1002: automation "t": run events (runState) need a project, registry, team or org scope; W&B refuses them on a collection scope',
      expect.stringMatching(/^automations\/typed\.ts:3:61 - error TS2345: Argument of type 'RunEventRef<"runState">' is not assignable to parameter of type 'EventRef<"runState"> & \{ readonly "run events \(onRunMetric, onRunState\) need a project, registry, team or org scope, not a collection": never; \}'/),
      'automations/typed.ts:3:73 - error TW1002: automation "y": run events (runState) need a project, registry, team or org scope; W&B refuses them on a collection scope',
    ]);
    write(dir, "automations/bad.ts", `${header}export const w = automation("w").in(llm).on(onRunMetric(metric("loss").mean(0).gt(1))).do(doNothing());\n`);
    const fixed = await runCli(["validate", "--no-typecheck", "automations/bad.ts"], { cwd: dir });
    expect(fixed.stderr).toContain('automations/bad.ts:3:18 - error TW1003: window must be at least 1 (a whole number of logged values), got 0 (in "w" at event.window)');
    const json = await runCli(["validate", "--json", "--no-typecheck"], { cwd: dir });
    expect(json.code).toBe(3);
    const doc = JSON.parse(json.stdout) as { valid: boolean; error_count: number };
    expect([doc.valid, doc.error_count]).toEqual([false, 2]); // bad.ts's TW1003, typed.ts's TW1002
  }, 120_000);
});
