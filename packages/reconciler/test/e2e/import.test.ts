// tripwire import against a Tripwire server on loopback: automations made "in the W&B UI" (created through
// GraphQL, unmanaged) are imported as code, type-check, and plan to nothing — for every scope × event × action kind.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  alias,
  and,
  automation,
  doNothing,
  metric,
  normalizeSpec,
  not,
  onAddArtifactAlias,
  onAddArtifactTag,
  onAddCollectionTag,
  onCreateArtifact,
  onLinkArtifact,
  onRawEvent,
  onRemoveArtifactTag,
  onRemoveCollectionTag,
  onRunMetric,
  onRunState,
  onUnlinkArtifact,
  or,
  org,
  project,
  rawFilter,
  registry,
  runName,
  runUser,
  scopeKey,
  sendNotification,
  sendWebhook,
  slack,
  specsEqual,
  tag,
  team,
  toSpec,
  webhook,
  type ActionSpec,
  type AutomationSpec,
  type EventRef,
  type RunFilter,
  type ScopeRef,
} from "@tripwire/sdk";
import { encodeAutomation } from "@tripwire/sdk/wire";
import { startServer, type RunningServer } from "@tripwire/server";
import { main } from "../../src/cli/main.js";
import { importAutomations } from "../../src/api/import.js";
import { loadDefinitions } from "../../src/load/load.js";
import { makeProject } from "../project.js";
import { runCli } from "./cli.js";
import { faultyProxy } from "./proxy.js";

const KEY = "alice-key-00000001";
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    db: join(mkdtempSync(join(tmpdir(), "tripwire-import-")), "w.db"),
    port: 0,
    allowPrivate: ["127.0.0.1"],
    durability: "normal",
    seed: {
      users: [{ username: "alice", apiKeys: [KEY] }],
      orgs: [{ name: "acme", admins: ["alice"] }],
      teams: [
        { name: "ml", org: "acme", admins: ["alice"] },
        { name: "cv", admins: ["alice"] },
        { name: "nlp", admins: ["alice"] },
      ],
      projects: [
        { entity: "ml", name: "llm", collections: ["dataset"] },
        { entity: "cv", name: "vision" },
        { entity: "nlp", name: "chat", collections: ["corpus"] },
        { entity: "nlp", name: "other" },
      ],
      registries: [{ org: "acme", name: "model", collections: ["llm-7b"] }],
      integrations: [
        { kind: "slack", entity: "ml", channelName: "#ml-alerts", webhookUrl: "http://127.0.0.1:9/slack" },
        { kind: "webhook", entity: "ml", name: "deploy", url: "http://127.0.0.1:9/hook" },
        { kind: "slack", entity: "acme", channelName: "releases", webhookUrl: "http://127.0.0.1:9/slack" },
        { kind: "webhook", entity: "acme", name: "ci", url: "http://127.0.0.1:9/hook" },
        { kind: "webhook", entity: "cv", name: "hook", url: "http://127.0.0.1:9/hook" },
        { kind: "webhook", entity: "nlp", name: "hook", url: "http://127.0.0.1:9/hook" },
      ],
    },
  });
});
afterAll(async () => server.close());

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`api:${KEY}`).toString("base64")}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: { message: string }[] };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

/** The GraphQL ID of a scope, as the W&B UI knows it when it saves an automation. */
async function scopeId(spec: AutomationSpec): Promise<string> {
  const s = spec.scope;
  const projectOf = (p: typeof s) =>
    p.type === "project" ? { entity: p.entity, name: p.project } : p.type === "registry" ? { entity: p.org, name: `wandb-registry-${p.registry}` } : undefined;
  if (s.type === "team" || s.type === "org") return (await gql<{ entity: { id: string } }>(`query($n: String!) { entity(name: $n) { id } }`, { n: s.type === "team" ? s.team : s.org })).entity.id;
  if (s.type === "collection") {
    const p = projectOf(s.parent) as { entity: string; name: string };
    const q = `query($e: String!, $p: String!, $c: String!) { project(name: $p, entityName: $e) { artifactCollection(name: $c) { id } } }`;
    return (await gql<{ project: { artifactCollection: { id: string } } }>(q, { e: p.entity, p: p.name, c: s.collection })).project.artifactCollection.id;
  }
  const p = projectOf(s) as { entity: string; name: string };
  return (await gql<{ project: { id: string } }>(`query($e: String!, $p: String!) { project(name: $p, entityName: $e) { id } }`, { e: p.entity, p: p.name })).project.id;
}

async function integrationId(entity: string, action: ActionSpec): Promise<string | undefined> {
  if (action.type !== "notification" && action.type !== "webhook") return undefined;
  const q = `query($e: String!) { entity(name: $e) { integrations { edges { node { __typename ... on SlackIntegration { id channelName } ... on GenericWebhookIntegration { id name } } } } } }`;
  const nodes = (await gql<{ entity: { integrations: { edges: { node: { id: string; channelName?: string; name?: string } }[] } } }>(q, { e: entity })).entity.integrations.edges.map((e) => e.node);
  const name = action.integration.name;
  return nodes.find((n) => (action.type === "notification" ? n.channelName?.replace(/^#/, "") === name : n.name === name))?.id;
}

// The UI looks a scope's and an integration's IDs up once per page, not once per automation: the matrix saves
// hundreds of automations into a handful of scopes, and the IDs never change while the test runs.
const lookups = new Map<string, Promise<string | undefined>>();
function lookedUp(key: string, find: () => Promise<string | undefined>): Promise<string | undefined> {
  let found = lookups.get(key);
  if (!found) lookups.set(key, (found = find()));
  return found;
}

/** Saves an automation as the W&B UI would: through GraphQL, with no Tripwire marker. */
async function createInUi(spec: AutomationSpec, entity: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const scope = await lookedUp(`scope ${JSON.stringify(spec.scope)}`, () => scopeId(spec));
  const integration = await lookedUp(`integration ${entity} ${spec.action.type} ${"integration" in spec.action ? spec.action.integration.name : ""}`, () => integrationId(entity, spec.action));
  const input = { ...encodeAutomation(spec, { scopeId: scope as string, integrationId: integration ?? "" }), ...overrides };
  const q = `mutation($input: CreateFilterTriggerInput!) { createFilterTrigger(input: $input) { trigger { id } } }`;
  return (await gql<{ createFilterTrigger: { trigger: { id: string } } }>(q, { input })).createFilterTrigger.trigger.id;
}

/**
 * Saves what the UI, an older client or W&B itself may hold but Tripwire's API refuses to create (a filter it cannot
 * model, a legacy action, a rule Tripwire rejects): written straight into the server's store.
 */
function storeDirectly(t: { name: string; entity: string; project?: string; eventType: string; eventFilter: string; actionType: string; actionConfig: string; description?: string }): void {
  const store = server.store;
  const entity = store.entityByName(t.entity);
  const p = entity && t.project ? store.projectByName(entity.id, t.project) : undefined;
  if (!entity || (t.project && !p)) throw new Error(`no ${t.entity}/${t.project}`);
  store.createTrigger(
    {
      name: t.name,
      description: t.description ?? null,
      enabled: true,
      scopeType: p ? "PROJECT" : "ENTITY",
      scopeId: p ? p.id : entity.id,
      entityId: entity.id,
      projectId: p ? p.id : null,
      eventType: t.eventType,
      eventFilter: t.eventFilter,
      actionType: t.actionType,
      actionConfig: t.actionConfig,
      integrationId: null,
    },
    null,
  );
}

async function liveDescriptions(entity: string): Promise<Map<string, string | null>> {
  const q = `query($e: String!, $after: String) { entity(name: $e) { triggers(first: 100, after: $after) {
    pageInfo { endCursor hasNextPage }
    edges { node { name description scope { __typename ... on Project { name } ... on ArtifactSequence { name } ... on ArtifactPortfolio { name } ... on Entity { name } } } }
  } } }`;
  type Page = { entity: { triggers: { pageInfo: { endCursor: string | null; hasNextPage: boolean }; edges: { node: { name: string; description: string | null; scope: { name: string } } }[] } } };
  const out = new Map<string, string | null>();
  for (let after: string | null = null; ; ) {
    const page: Page = await gql<Page>(q, { e: entity, after });
    for (const e of page.entity.triggers.edges) out.set(`${e.node.scope.name}/${e.node.name}`, e.node.description);
    if (!page.entity.triggers.pageInfo.hasNextPage) return out;
    after = page.entity.triggers.pageInfo.endCursor;
  }
}

// ── the matrix: every scope × every event it allows, actions and run filters cycling, descriptions, disabled ──

interface ScopeCase {
  readonly ref: ScopeRef;
  readonly entity: "ml" | "acme";
  readonly slack: string;
  readonly hook: string;
  readonly collection: boolean;
}
const llm = project("ml/llm");
const model = registry("acme/model");
const SCOPES: readonly ScopeCase[] = [
  { ref: llm, entity: "ml", slack: "ml-alerts", hook: "deploy", collection: false },
  { ref: model, entity: "acme", slack: "releases", hook: "ci", collection: false },
  { ref: llm.collection("dataset"), entity: "ml", slack: "ml-alerts", hook: "deploy", collection: true },
  { ref: model.collection("llm-7b"), entity: "acme", slack: "releases", hook: "ci", collection: true },
  { ref: team("ml"), entity: "ml", slack: "ml-alerts", hook: "deploy", collection: false },
  { ref: org("acme"), entity: "acme", slack: "releases", hook: "ci", collection: false },
];

const ARTIFACT_EVENTS: readonly [string, EventRef][] = [
  ["new-version", onCreateArtifact(alias.regex("^v\\d+$"))],
  ["linked", onLinkArtifact(alias.eq("staging"))],
  ["unlinked", onUnlinkArtifact()],
  ["alias-added", onAddArtifactAlias(or(alias.eq("production"), alias.contains("prod-")))],
  ["tag-added", onAddArtifactTag(tag.in(["europe", "asia"]))],
  ["tag-removed", onRemoveArtifactTag(not(tag.ne("candidate")))],
  ["collection-tag-added", onAddCollectionTag(and(tag.contains("gold"), not(tag.eq("gold-old"))))],
  ["collection-tag-removed", onRemoveCollectionTag()],
];
const RUN_EVENTS: readonly [string, EventRef & { where(f: RunFilter): EventRef }][] = [
  ["run-failed", onRunState(["failed"])],
  ["run-finished-or-running", onRunState(["finished", "running"])],
  ["threshold-latest-gt", onRunMetric(metric("loss").gt(0.6))],
  ["threshold-mean-gte", onRunMetric(metric("acc").mean(5).gte(0.9))],
  ["threshold-min-lt", onRunMetric(metric("val/loss").min(3).lt(-1.5))],
  ["threshold-max-lte", onRunMetric(metric("gpu").max(10).lte(100))],
  ["threshold-mean-eq", onRunMetric(metric("epoch").mean(2).eq(0))],
  ["threshold-latest-ne", onRunMetric(metric("status").ne(1))],
  ["change-relative-increase", onRunMetric(metric("loss").mean(10).increasesBy({ frac: 0.5, priorWindow: 50 }))],
  ["change-relative-decrease", onRunMetric(metric("loss").min(5).decreasesBy({ frac: 0.25, priorWindow: 20 }))],
  ["change-relative-any", onRunMetric(metric("lr").changesBy({ frac: 0.1 }))],
  ["change-absolute-increase", onRunMetric(metric("grad_norm").max(3).increasesBy({ diff: 2, priorWindow: 3 }))],
  ["change-absolute-decrease", onRunMetric(metric("acc").decreasesBy({ diff: 0.5 }))],
  ["change-absolute-any", onRunMetric(metric("lr").mean(10).changesBy({ diff: 0.01 }))],
  ["zscore-rise", onRunMetric(metric("loss").zscore(30).gt(3))],
  ["zscore-drop", onRunMetric(metric("acc").zscore(20).lt(-2))],
  ["zscore-either", onRunMetric(metric("loss").zscore(10).abs().gt(2.5))],
];
const RUN_FILTERS: readonly (RunFilter | undefined)[] = [
  undefined,
  runName.eq("baseline"),
  runUser.ne("ci-bot"),
  runName.contains("sweep-"),
  runName.regex("^train-\\d+$"),
  runUser.in(["alice", "bob"]),
  and(runName.contains("a"), runUser.eq("alice")),
  or(runName.eq("x"), runName.eq("y")),
  not(runUser.eq("bot")),
  and(or(runName.regex("^a"), runName.regex("b$")), not(runUser.in(["x", "y"]))),
];

/** Every action kind, by the name suffix it gives the automation; `i` varies the options. */
const ACTIONS: readonly [string, (i: number, s: ScopeCase) => ActionSpec][] = [
  [
    "slack",
    (i, s) =>
      i % 2 === 0
        ? sendNotification(slack(s.slack), { title: "Heads up", message: "Run ${run_name}: ${metric_values}", severity: (["INFO", "WARN", "ERROR"] as const)[i % 3] ?? "INFO" })
        : sendNotification(slack(s.slack)),
  ],
  ["webhook-json", (_i, s) => sendWebhook(webhook(s.hook), { payload: { event: "${event_type}", run: "${run_name}", nested: { list: [1, 2.5, true, null], "key with space": "x" } } })],
  ["webhook-text", (_i, s) => sendWebhook(webhook(s.hook), { payloadText: '{"values": ${metric_values}, "alias": "${alias}"}' })],
  ["webhook-empty", (_i, s) => sendWebhook(webhook(s.hook))],
  ["noop", () => doNothing()],
];

/** Every scope × every event it allows × every action kind; run filters, descriptions and disabled ones cycling. */
function matrix(): { spec: AutomationSpec; entity: string }[] {
  const out: { spec: AutomationSpec; entity: string }[] = [];
  for (const s of SCOPES) {
    const events = s.collection ? ARTIFACT_EVENTS : [...ARTIFACT_EVENTS.filter(([n]) => n !== "new-version"), ...RUN_EVENTS.map(([n, e], k) => [n, RUN_FILTERS[k % RUN_FILTERS.length] ? e.where(RUN_FILTERS[k % RUN_FILTERS.length] as RunFilter) : e] as const)];
    let i = 0;
    for (const [event, on] of events) {
      for (const [kind, action] of ACTIONS) {
        const name = `${event}-${kind}`;
        let a = automation(name).in(s.ref).on(on as never).do(action(i, s));
        if (i % 3 === 0) a = a.describe(`${name}, made in the W&B UI\nsecond line`);
        if (i % 7 === 2) a = a.enabled(false);
        out.push({ spec: toSpec(a), entity: s.entity });
        i++;
      }
    }
  }
  return out;
}

// The matrix holds a payload with unquoted template variables, which W&B's UI saves (TW6521 refuses it otherwise).
const config = `export default { owner: "ml-platform", interop: { allowNonJsonPayload: true } };\n`;
const remote = (url = server.url) => ({ WANDB_BASE_URL: url, WANDB_API_KEY: KEY });
const tw = (dir: string, args: string[], url?: string) => runCli(args, { cwd: dir, env: remote(url) });
const addressOf = (s: AutomationSpec) => `${scopeKey(s.scope)}/${s.name}`;

describe("tripwire import against a Tripwire server on loopback", () => {
  it("round trip for every scope × event × action kind: import → type-check → plan shows no changes", async () => {
    const made = matrix();
    expect(made.length).toBe((4 * 24 + 2 * 8) * ACTIONS.length);
    for (const { spec, entity } of made) await createInUi(spec, entity);

    // Shapes the W&B UI saves that the SDK's encoder never writes: bare values, $nin, the legacy metric_filter.
    const uiShaped: [AutomationSpec, Record<string, unknown>][] = [
      [toSpec(automation("ui-bare-alias").in(llm).on(onAddArtifactAlias(alias.eq("production"))).do(doNothing())), { eventFilter: '{"$or":[{"$and":[{"alias":"production"}]}]}' }],
      [
        toSpec(automation("ui-nin").in(llm).on(onRunState(["failed"]).where(and(not(runName.in(["a", "b"])), runUser.ne("bot")))).do(doNothing())),
        { eventFilter: JSON.stringify({ run_filter: JSON.stringify({ $and: [{ display_name: { $nin: ["a", "b"] } }, { username: { $ne: "bot" } }] }), run_state_filter: { states: ["FAILED"] } }) },
      ],
      [
        toSpec(automation("ui-legacy-threshold").in(llm).on(onRunMetric(metric("loss").mean(5).gt(0.6))).do(doNothing())),
        { eventFilter: JSON.stringify({ run_filter: '{"$and":[]}', metric_filter: JSON.stringify({ name: "loss", agg_op: "AVERAGE", window_size: 5, cmp_op: "$gt", threshold: 0.6 }) }) },
      ],
    ];
    for (const [spec, overrides] of uiShaped) await createInUi(spec, "ml", overrides);

    // What Tripwire's API refuses to create but W&B may hold: a run filter on a config key, an alias filter with
    // $exists, a metric filter with a field Tripwire does not know, a legacy Launch action, a tag filter on an alias
    // event; and one managed by another team's Tripwire repository.
    const rawRunFilter = { $and: [{ display_name: { $regex: "^train-" } }, { "config.lr": { $gt: 0.1 } }] };
    storeDirectly({ name: "raw-run-filter", entity: "ml", project: "llm", eventType: "RUN_STATE", eventFilter: JSON.stringify({ run_filter: JSON.stringify(rawRunFilter), run_state_filter: { states: ["FAILED"] } }), actionType: "NO_OP", actionConfig: '{"noOp":true}' });
    storeDirectly({ name: "raw-alias-filter", entity: "ml", project: "llm", eventType: "ADD_ARTIFACT_ALIAS", eventFilter: '{"filter":{"$or":[{"$and":[{"alias":{"$exists":true}}]}]}}', actionType: "NO_OP", actionConfig: '{"noOp":true}' });
    const futureMetric = { run_filter: '{"$and":[]}', run_metric_filter: { threshold_filter: { name: "loss", agg_op: "AVERAGE", window_size: 5, cmp_op: "$gt", threshold: 1, future_field: true } } };
    storeDirectly({ name: "raw-metric-event", entity: "ml", eventType: "RUN_METRIC", eventFilter: JSON.stringify(futureMetric), actionType: "NO_OP", actionConfig: '{"noOp":true}' });
    storeDirectly({ name: "launch-job", entity: "ml", project: "llm", eventType: "RUN_STATE", eventFilter: '{"run_filter":"{\\"$and\\":[]}","run_state_filter":{"states":["FINISHED"]}}', actionType: "QUEUE_JOB", actionConfig: JSON.stringify({ queue: { id: "UnVuUXVldWU6MQ==", name: "gpu" }, template: "{}" }), description: "Launch an evaluation" });
    storeDirectly({ name: "tag-on-alias-event", entity: "ml", project: "llm", eventType: "ADD_ARTIFACT_ALIAS", eventFilter: '{"filter":{"$or":[{"$and":[{"tag":{"$eq":"x"}}]}]}}', actionType: "NO_OP", actionConfig: '{"noOp":true}' });
    const otherMarker = "Theirs\n\n[managed by Tripwire · tw1 owner=other-repo hash=0123456789abcdef]";
    await createInUi(toSpec(automation("theirs").in(llm).on(onRunState(["failed"])).do(doNothing()).describe(otherMarker)), "ml");

    const dir = makeProject({ "tripwire.config.ts": config });
    const first = await tw(dir, ["import", "--entity", "ml"]);
    expect(first.stderr).not.toContain("error");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Wrote 286 automations to automations/imported.ts:\n  + collection:project:ml/llm:dataset/alias-added-noop → aliasAddedNoopDataset\n");
    expect(first.stdout).toContain("Marked 286 automations as managed by Tripwire (owner ml-platform).");
    expect(first.stdout).toContain("  ! project:ml/llm/theirs: managed by another Tripwire configuration (owner \"other-repo\")");
    expect(first.stdout).toContain("  ! project:ml/llm/launch-job: QUEUE_JOB actions cannot be created or updated through W&B's API. It stays in W&B as it is, not managed by Tripwire");
    expect(first.stdout).toMatch(/ {2}! project:ml\/llm\/tag-on-alias-event: a addArtifactAlias filter cannot filter on tag/);
    expect(first.stderr).toMatch(/automations\/imported\.ts:\d+:\d+ - warning TW1015: filter condition kept verbatim: \{"config\.lr":\{"\$gt":0\.1\}\} \(in "raw-run-filter"\)/);
    expect(first.stderr).toContain("warning TW1015: the threshold_filter has fields Tripwire does not know (future_field); kept verbatim (in \"raw-metric-event\")");
    expect(first.stderr).toContain("warning TW5001: skipped project:ml/llm/launch-job");

    const registryRun = await tw(dir, ["import", "--entity", "acme", "--registry", "model", "--out", "automations/registry.ts", "--no-typecheck"]);
    expect(registryRun.code).toBe(0);
    expect(registryRun.stdout).toContain("Marked 160 automations as managed by Tripwire (owner ml-platform).");
    // The org's own automations, appended to the first file; the registry's are already managed now.
    const orgRun = await tw(dir, ["import", "--entity", "acme", "--out", "automations/imported.ts", "--no-typecheck"]);
    expect(orgRun.code).toBe(0);
    expect(orgRun.stdout).toContain("Appended 120 automations to automations/imported.ts:");
    expect(orgRun.stdout).toContain("Already managed by this configuration (owner ml-platform), left alone:\n  · collection:registry:acme/model:llm-7b/alias-added-noop\n");

    const imported = readFileSync(join(dir, "automations", "imported.ts"), "utf8");
    expect(imported.match(/^import /gm)).toHaveLength(1);
    expect(imported).toContain('const llm = project("ml/llm");\nconst mlTeam = team("ml");\n');
    expect(imported).toContain('const acmeOrg = org("acme");');
    expect(imported).toContain('// tripwire import: filter condition kept verbatim: {"config.lr":{"$gt":0.1}}\nexport const rawRunFilter = automation("raw-run-filter")');
    expect(imported).toContain('rawFilter({ "config.lr": { $gt: 0.1 } })');
    expect(imported).toContain('.on(\n    onRawEvent("RUN_METRIC", {\n');
    expect(imported).toContain("// tripwire import: skipped project:ml/llm/launch-job: QUEUE_JOB actions cannot be created or\n//   updated through W&B's API.");
    expect(imported).toContain('export const thresholdMeanGteSlack = automation("threshold-mean-gte-slack")');
    expect(imported).toContain('export const thresholdMeanGteSlackMlTeam = automation("threshold-mean-gte-slack")');
    expect(imported).toContain('export const linkedNoopDataset = automation("linked-noop")');

    // The definitions type-check, and the next plan changes nothing.
    const validated = await runCli(["validate"], { cwd: dir });
    expect(validated.stdout).toMatch(/^\d+ automations? in \d+ files? (is|are) valid\n$/);
    expect(validated.code).toBe(0);
    const plan = await tw(dir, ["plan", "--detailed-exitcode", "--no-typecheck"]);
    expect(plan.stdout).toMatch(/^No changes\./);
    expect(plan.code).toBe(0);

    // Each definition in code is exactly what was made in the UI.
    const loaded = await loadDefinitions({ cwd: dir });
    const byAddress = new Map(loaded.automations.map((d) => [d.address, d.spec]));
    const rawExpected = [
      toSpec(automation("raw-run-filter").in(llm).on(onRunState(["failed"]).where(and(runName.regex("^train-"), rawFilter({ "config.lr": { $gt: 0.1 } })))).do(doNothing())),
      toSpec(automation("raw-alias-filter").in(llm).on(onAddArtifactAlias(rawFilter({ alias: { $exists: true } }))).do(doNothing())),
      toSpec(automation("raw-metric-event").in(team("ml")).on(onRawEvent("RUN_METRIC", futureMetric)).do(doNothing())),
    ];
    const expected = [...made.map((m) => m.spec), ...uiShaped.map(([s]) => s), ...rawExpected];
    for (const spec of expected) {
      const got = byAddress.get(addressOf(spec));
      expect(got ? specsEqual(got, normalizeSpec(spec)) : `${addressOf(spec)} missing`, addressOf(spec)).toBe(true);
    }
    expect(loaded.automations).toHaveLength(expected.length);

    // Live: imported ones carry the marker; the skipped ones are untouched.
    const ml = await liveDescriptions("ml");
    const holderName = (spec: AutomationSpec) => {
      const sc = spec.scope;
      return sc.type === "project" ? sc.project : sc.type === "collection" ? sc.collection : sc.type === "team" ? sc.team : "?";
    };
    for (const { spec } of made.filter((m) => m.entity === "ml")) {
      const marker = "\\[managed by Tripwire · tw1 owner=ml-platform hash=[0-9a-f]{16}\\]";
      const description = spec.description ? `${spec.description.replace(/\n/g, "\\n")}\\n\\n` : "";
      expect(ml.get(`${holderName(spec)}/${spec.name}`)).toMatch(new RegExp(`^${description}${marker}$`));
    }
    expect(ml.get("llm/launch-job")).toBe("Launch an evaluation");
    expect(ml.get("llm/tag-on-alias-event")).toBeNull();
    expect(ml.get("llm/theirs")).toBe(otherMarker);

    // Idempotent: a re-run finds everything managed, writes nothing, marks nothing.
    const before = readFileSync(join(dir, "automations", "imported.ts"), "utf8");
    const again = await tw(dir, ["import", "--entity", "ml", "--no-typecheck"]);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain("Marked");
    expect(again.stdout).toContain("Already managed by this configuration (owner ml-platform), left alone:\n  · collection:project:ml/llm:dataset/alias-added-noop\n");
    expect(again.stdout).toContain("  … and 266 more (--json lists every one)\n");
    expect(readFileSync(join(dir, "automations", "imported.ts"), "utf8")).toBe(before);
  }, 300_000);

  it("a marker that could not be written leaves a state a re-run repairs", async () => {
    const vision = project("cv/vision");
    const ids: string[] = [];
    for (const name of ["a-first", "b-second", "c-third"]) {
      ids.push(await createInUi(toSpec(automation(name).in(vision).on(onRunState(["failed"])).do(sendWebhook(webhook("hook"), { payload: { n: name } }))), "cv"));
    }
    const proxy = await faultyProxy(server.url, (body) => (body.includes("updateFilterTrigger") && body.includes(ids[1] as string) ? { status: 403 } : undefined));
    const dir = makeProject({ "tripwire.config.ts": config });
    const failed = await tw(dir, ["import", "--entity", "cv", "--no-typecheck"], proxy.url);
    await proxy.close();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("error TW5004: project:cv/vision/b-second: not marked:");
    expect(failed.stdout).toContain("Marked 2 automations as managed by Tripwire (owner ml-platform).");
    expect(failed.stdout).toContain("Not marked: project:cv/vision/b-second (see above); run tripwire import again once fixed.");
    const written = readFileSync(join(dir, "automations", "imported.ts"), "utf8");
    expect(written).toContain('export const bSecond = automation("b-second")');

    // Until then plan refuses to take over the unmarked one; a re-run only marks it.
    const blocked = await tw(dir, ["plan", "--no-typecheck"]);
    expect(blocked.code).toBe(3);
    expect(blocked.stdout).toContain('error TW3001: an automation named "b-second" already exists in project cv/vision and is not managed by Tripwire');
    const rerun = await tw(dir, ["import", "--entity", "cv", "--no-typecheck"]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain("Already defined in code exactly as in W&B (1 automation):\n  = project:cv/vision/b-second (automations/imported.ts:");
    expect(rerun.stdout).toContain("Marked 1 automation as managed by Tripwire (owner ml-platform).");
    expect(readFileSync(join(dir, "automations", "imported.ts"), "utf8")).toBe(written);
    expect((await tw(dir, ["plan", "--detailed-exitcode", "--no-typecheck"])).code).toBe(0);
  }, 300_000);

  it("selects by project (with its collections) and name, previews with a dry run, and refuses what plan would not load", async () => {
    const chat = project("nlp/chat");
    for (const spec of [
      toSpec(automation("chat-failed").in(chat).on(onRunState(["failed"])).do(doNothing())),
      toSpec(automation("chat-alias").in(chat.collection("corpus")).on(onAddArtifactAlias(alias.eq("latest"))).do(doNothing())),
      toSpec(automation("chat-drift").in(chat).on(onRunMetric(metric("loss").gt(2))).do(doNothing())),
      toSpec(automation("other-failed").in(project("nlp/other")).on(onRunState(["failed"])).do(doNothing())),
    ]) {
      await createInUi(spec, "nlp");
    }
    const env = remote();
    // A definition of the same name that differs from W&B: left alone, said so, never marked.
    const dir = makeProject({
      "tripwire.config.ts": config,
      "automations/chat.ts": `import { automation, project, onRunMetric, metric, doNothing } from "@tripwire/sdk";\nexport const drift = automation("chat-drift").in(project("nlp/chat")).on(onRunMetric(metric("loss").gt(3))).do(doNothing());\n`,
    });

    const preview = await importAutomations({ cwd: dir, env, entity: "nlp", project: "chat", dryRun: true, typecheck: false });
    expect(preview.exitCode).toBe(0);
    expect(preview.written).toBe(false);
    expect(preview.automations.map((a) => [a.address, a.status])).toEqual([
      ["collection:project:nlp/chat:corpus/chat-alias", "imported"],
      ["project:nlp/chat/chat-drift", "skipped"],
      ["project:nlp/chat/chat-failed", "imported"],
    ]);
    expect(preview.automations[1]?.reason).toBe("defined differently in automations/chat.ts:2:22 (event.threshold): make that definition match W&B and import again, or rename one of them");
    expect(preview.diagnostics.map((d) => d.code)).toEqual(["TW5002"]);
    expect(preview.text).toContain('export const chatAlias = automation("chat-alias")\n  .in(chat.collection("corpus"))');
    expect(() => readFileSync(join(dir, "automations", "imported.ts"))).toThrow();

    // The same preview through the command line, in-process: one JSON document on stdout, the file in it.
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, stdin: Readable.from([]), env: { ...env, WANDB_ENTITY: "nlp" }, cwd: dir };
    expect(await main(["import", "--project", "chat", "--dry-run", "--json", "--no-typecheck"], io)).toBe(0);
    const doc = JSON.parse(out.join("")) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(["appended", "automations", "backend", "diagnostics", "dryRun", "out", "owner", "text", "written"]);
    expect(doc).toMatchObject({ out: "automations/imported.ts", written: false, dryRun: true, owner: "ml-platform", text: preview.text });
    expect(err.join("")).toBe("");
    expect(await main(["import", "--entity", "nlp", "--project", "chat", "--registry", "model"], io)).toBe(1);
    expect(err.join("")).toContain("Arguments project and registry are mutually exclusive");

    const named = await importAutomations({ cwd: dir, env, entity: "nlp", nameFilter: "^other-", typecheck: false });
    expect(named.automations.map((a) => [a.address, a.status, a.marked])).toEqual([["project:nlp/other/other-failed", "imported", true]]);

    await expect(importAutomations({ cwd: dir, env, entity: "nlp", out: "elsewhere/x.ts" })).rejects.toThrow(
      "--out elsewhere/x.ts is not among the files tripwire plan loads (the automations of tripwire.config.ts: automations); the imported automations would read as removed from code",
    );
    await expect(importAutomations({ cwd: dir, env, entity: "nope" })).rejects.toThrow("entity nope does not exist or is not visible with this API key");
    await expect(importAutomations({ cwd: dir, env, entity: "nlp", project: "missing" })).rejects.toThrow("project nlp/missing does not exist or is not visible with this API key");
  }, 300_000);

  it("writes the file as the repository's Prettier configuration lays it out, and it still type-checks and plans to nothing", async () => {
    const other = project("nlp/other");
    await createInUi(toSpec(automation("styled-failed").in(other).on(onRunState(["failed"])).do(sendWebhook(webhook("hook"), { payload: { run: "${run_name}", tags: ["a", "b"] } }))), "nlp");
    await createInUi(toSpec(automation("styled-drift").in(other).on(onRunMetric(metric("loss").mean(5).gt(2)).where(runName.contains("sweep-"))).do(doNothing()).describe("it's drifting")), "nlp");
    const prettierrc = { singleQuote: true, semi: false, useTabs: true, printWidth: 60 };
    // An owner of its own: the automations other tests imported into nlp are another configuration's.
    const dir = makeProject({ "tripwire.config.ts": `export default { owner: "styled" };\n`, ".prettierrc": JSON.stringify(prettierrc) });
    const outcome = await importAutomations({ cwd: dir, env: remote(), entity: "nlp", nameFilter: "^styled-" });
    expect(outcome.diagnostics).toEqual([]);
    expect(outcome.automations.map((a) => [a.address, a.status, a.marked])).toEqual([
      ["project:nlp/other/styled-drift", "imported", true],
      ["project:nlp/other/styled-failed", "imported", true],
    ]);
    const written = readFileSync(join(dir, "automations", "imported.ts"), "utf8");
    expect(written.slice(written.indexOf("import "))).toBe(`import {
	automation,
	doNothing,
	metric,
	onRunMetric,
	onRunState,
	project,
	runName,
	sendWebhook,
	webhook,
} from '@tripwire/sdk'

const other = project('nlp/other')

export const styledDrift = automation('styled-drift')
	.in(other)
	.on(
		onRunMetric(metric('loss').mean(5).gt(2)).where(
			runName.contains('sweep-'),
		),
	)
	.do(doNothing())
	.describe("it's drifting")

export const styledFailed = automation('styled-failed')
	.in(other)
	.on(onRunState(['failed']))
	.do(
		sendWebhook(webhook('hook'), {
			payload: { run: '\${run_name}', tags: ['a', 'b'] },
		}),
	)
`);
    // What the team's own `prettier --check` would accept: formatting it with their configuration changes nothing.
    const { format } = await import("prettier");
    expect(await format(written, { ...prettierrc, parser: "typescript" })).toBe(written);
    const plan = await tw(dir, ["plan", "--detailed-exitcode"]);
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  }, 300_000);
});
