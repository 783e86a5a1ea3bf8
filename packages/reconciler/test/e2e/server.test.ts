import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCollection, startServer, type RunningServer } from "@tripwire/server";
import { makeProject } from "../project.js";
import { runCli, startCli } from "./cli.js";
import { faultyProxy } from "./proxy.js";

const KEY = "alice-key-00000001";
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    db: join(mkdtempSync(join(tmpdir(), "tripwire-srv-")), "w.db"),
    port: 0,
    allowPrivate: ["127.0.0.1"],
    durability: "normal",
    seed: {
      users: [
        { username: "alice", apiKeys: [KEY] },
        { username: "mallory", apiKeys: ["mallory-key-000001"] },
      ],
      teams: [{ name: "acme", admins: ["alice"] }, { name: "other", admins: ["mallory"] }],
      projects: [
        { entity: "acme", name: "llm" },
        { entity: "acme", name: "vision" },
        { entity: "acme", name: "models", collections: ["ckpt-a", "ckpt-b", "eval"] },
      ],
      integrations: [{ kind: "webhook", entity: "acme", name: "deploy", url: "http://127.0.0.1:9/hook" }],
    },
  });
});
afterAll(async () => server.close());

const header = `import { automation, project, onRunState, sendWebhook, webhook, doNothing } from "@tripwire/sdk";\n`;
const defs = (names: string[], proj = "acme/llm") =>
  `${header}${names.map((n) => `export const ${n.replace(/-/g, "_")} = automation("${n}").in(project("${proj}")).on(onRunState(["failed"])).do(sendWebhook(webhook("deploy")));`).join("\n")}\n`;
/** A repository of definitions with its own owner, as separate teams' repositories would have. */
const repo = (owner: string, files: Record<string, string>) => makeProject({ "tripwire.config.ts": `export default { owner: "${owner}" };\n`, ...files });
const remote = (url: string, key = KEY) => ({ WANDB_BASE_URL: url, WANDB_API_KEY: key });
const tw = (dir: string, env: Record<string, string>, ...args: string[]) => runCli([...args, "--no-typecheck"], { cwd: dir, env });

async function automationsOf(project: string): Promise<{ id: string; name: string; description: string | null }[]> {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}` },
    body: JSON.stringify({ query: `{ project(name: "${project}", entityName: "acme") { triggers { id name description } } }` }),
  });
  const body = (await res.json()) as { data: { project: { triggers: { id: string; name: string; description: string | null }[] } } };
  return body.data.project.triggers.sort((a, b) => a.name.localeCompare(b.name));
}

describe("the CLI against a Tripwire server on loopback (W&B's protocol)", () => {
  it("plans, applies and re-plans to nothing; never creates a missing project", async () => {
    const dir = repo("repo-a", { "automations/a.ts": defs(["alpha", "beta"]) });
    const plan = await tw(dir, remote(server.url), "plan", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain(`reading the live state from ${server.url}/graphql`);
    expect((await tw(dir, remote(server.url), "apply", "--yes")).code).toBe(0);
    expect((await tw(dir, remote(server.url), "plan", "--detailed-exitcode")).code).toBe(0);
    expect((await automationsOf("llm")).map((a) => a.name)).toEqual(["alpha", "beta"]);

    const missing = repo("repo-m", { "automations/m.ts": defs(["gamma"], "acme/does-not-exist") });
    const r = await tw(missing, remote(server.url), "apply", "--yes");
    expect(r.code).toBe(3);
    const line = "automations/m.ts:2:22 - error TW2101: project acme/does-not-exist does not exist or is not visible with this API key";
    expect(r.stderr.split("\n").filter((l) => l === line)).toHaveLength(1);
    const other = await tw(missing, remote(server.url, "mallory-key-000001"), "plan");
    expect(other.stdout).toContain("error TW2101: project acme/does-not-exist does not exist or is not visible with this API key");
  }, 120_000);

  it("lists automations it does not manage and never touches them; a name clash is a diagnostic", async () => {
    const res = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}` },
      body: JSON.stringify({ query: `{ project(name: "vision", entityName: "acme") { id } }` }),
    });
    const projectId = ((await res.json()) as { data: { project: { id: string } } }).data.project.id;
    const created = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}` },
      body: JSON.stringify({
        query: `mutation($input: CreateFilterTriggerInput!) { createFilterTrigger(input: $input) { trigger { id } } }`,
        variables: {
          input: {
            name: "made-in-the-ui", enabled: true, scopeID: projectId, scopeType: "PROJECT", triggeringEventType: "RUN_STATE",
            eventFilter: '{"run_filter":"{\\"$and\\":[]}","run_state_filter":{"states":["FAILED"]}}', triggeredActionType: "NO_OP", triggeredActionConfig: { noOpActionInput: { noOp: true } },
          },
        },
      }),
    });
    expect(created.status).toBe(200);
    const dir = repo("repo-v", { "automations/v.ts": defs(["mine"], "acme/vision") });
    const plan = await tw(dir, remote(server.url), "plan");
    expect(plan.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    expect(plan.stdout).toContain("Not managed by Tripwire (never touched; adopt with `tripwire import`):\n  · project:acme/vision/made-in-the-ui\n");
    expect(plan.stdout).toContain("Managed by other Tripwire configurations (never touched):\n  · project:acme/llm/alpha (owner repo-a)\n  · project:acme/llm/beta (owner repo-a)\n");
    const clash = repo("repo-v", { "automations/v.ts": defs(["made-in-the-ui"], "acme/vision") });
    const c = await tw(clash, remote(server.url), "plan");
    expect(c.code).toBe(3);
    expect(c.stdout).toContain('error TW3001: an automation named "made-in-the-ui" already exists in project acme/vision and is not managed by Tripwire');
  }, 120_000);

  it("a collection filter becomes one automation per matching collection, and a new collection shows in the next plan", async () => {
    const dir = repo("repo-c", {
      "automations/c.ts": `import { automation, project, collectionName, onCreateArtifact, doNothing } from "@tripwire/sdk";
export const ckpt = automation("new-ckpt").in(project("acme/models").collections(collectionName.regex("^ckpt-"))).on(onCreateArtifact()).do(doNothing());
`,
    });
    const plan = await tw(dir, remote(server.url), "plan", "--json");
    expect((JSON.parse(plan.stdout) as { operations: { op: string; address: string }[] }).operations.map((o) => `${o.op} ${o.address}`)).toEqual([
      "create collection:project:acme/models:ckpt-a/new-ckpt",
      "create collection:project:acme/models:ckpt-b/new-ckpt",
    ]);
    expect((await tw(dir, remote(server.url), "apply", "--yes")).code).toBe(0);
    expect((await tw(dir, remote(server.url), "plan", "--detailed-exitcode")).code).toBe(0);
    // A checkpoint collection appears (W&B creates one when an artifact is first logged to it).
    ensureCollection(server.store, server.store.projectByName(server.store.entityByName("acme")!.id, "models")!, "ckpt-c");
    const next = await tw(dir, remote(server.url), "plan", "--detailed-exitcode");
    expect(next.code).toBe(2);
    expect(next.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    expect(next.stdout).toContain("+ create  collection:project:acme/models:ckpt-c/new-ckpt");
  }, 120_000);

  it("retries 429 (Retry-After) and 500 answers from the backend", async () => {
    let mutations = 0;
    const proxy = await faultyProxy(server.url, (body) => {
      if (!body.includes("createFilterTrigger")) return undefined;
      mutations++;
      if (mutations === 1) return { status: 429, headers: { "retry-after": "0" } };
      if (mutations === 2) return { status: 500 };
      return undefined;
    });
    const dir = repo("repo-r", { "automations/r.ts": defs(["retried"], "acme/vision") });
    const r = await tw(dir, remote(proxy.url), "apply", "--yes");
    await proxy.close();
    expect(r.code).toBe(0);
    expect(mutations).toBe(3);
    expect((await automationsOf("vision")).filter((a) => a.name === "retried")).toHaveLength(1);
  }, 120_000);

  it("an apply killed with SIGKILL halfway converges on re-run: no duplicate, nothing lost", async () => {
    const names = ["k1", "k2", "k3", "k4", "k5", "k6"];
    const proxy = await faultyProxy(server.url, (body) => (body.includes("createFilterTrigger") ? { delayMs: 400 } : undefined));
    const dir = repo("repo-k", { "automations/k.ts": defs(names, "acme/vision") });
    const child = startCli(["apply", "--yes", "--no-typecheck", "--parallelism", "1"], { cwd: dir, env: remote(proxy.url) });
    let stderr = "";
    await new Promise<void>((resolve) => {
      child.on("close", () => resolve()); // never hang: if the apply ends first, the assertions below say why
      child.stderr?.on("data", (c) => {
        stderr += c;
        if (/k2: created/.test(stderr)) {
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    await new Promise((r) => child.on("close", r));
    await proxy.close();
    const partial = (await automationsOf("vision")).filter((a) => names.includes(a.name)).length;
    expect(stderr).toMatch(/k2: created/);
    expect(partial).toBeGreaterThanOrEqual(2);
    expect(partial).toBeLessThan(6);

    const rerun = await tw(dir, remote(server.url), "apply", "--yes");
    expect(rerun.code).toBe(0);
    expect((await automationsOf("vision")).filter((a) => names.includes(a.name)).map((a) => a.name)).toEqual(names);
    expect((await tw(dir, remote(server.url), "plan", "--detailed-exitcode")).code).toBe(0);
  }, 120_000);
});
