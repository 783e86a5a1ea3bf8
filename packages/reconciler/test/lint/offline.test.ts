import { resolve } from "node:path";
import {
  alias,
  automation,
  doNothing,
  metric,
  onAddArtifactAlias,
  onAddArtifactTag,
  onCreateArtifact,
  onLinkArtifact,
  onRunMetric,
  onRunState,
  org,
  project,
  registry,
  runName,
  runUser,
  sendNotification,
  sendWebhook,
  slack,
  tag,
  team,
  webhook,
  type Automation,
} from "@tripwire/sdk";
import { describe, expect, it } from "vitest";
import type { TripwireConfig } from "../../src/model/config.js";
import { CHECKS } from "../../src/model/checks.js";
import { lintDiagnostics } from "../../src/lint/lint.js";
import { loadDefinitions } from "../../src/load/load.js";
import { REPO } from "../project.js";
import { desired } from "../helpers.js";

const llm = project("acme/llm");
const model = registry("acme/model").collection("llm-7b");
const lint = (defs: Automation[], config: TripwireConfig = {}) =>
  lintDiagnostics({ automations: defs.map((d) => desired(d)), config }).map((d) => [d.code, d.severity, d.message]);

describe("offline lint checks", () => {
  it("TWL001: a variable the event type never fills, naming the events that do", () => {
    const a = automation("deploy").in(model).on(onLinkArtifact()).do(sendWebhook(webhook("deploy"), { payload: { run: "${run_name}", v: "${artifact_version}" } }));
    const b = automation("failed").in(llm).on(onRunState(["failed"])).do(sendWebhook(webhook("pager"), { payload: { a: "${alias}", m: "${artifact_metadata.rows}", s: "${run_status}" } }));
    expect(lint([a, b])).toEqual([
      ["TWL001", "warning", "deploy: ${run_name} is always empty for linkArtifact events; W&B fills it for runState, runMetricThreshold, runMetricChange, runMetricZScore"],
      ["TWL001", "warning", "failed: ${alias} is always empty for runState events; W&B fills it for addArtifactAlias"],
      ["TWL001", "warning", "failed: ${artifact_metadata.rows} is always empty for runState events; W&B fills it for createArtifact, linkArtifact, unlinkArtifact, addArtifactAlias, addArtifactTag, removeArtifactTag"],
    ]);
  });

  it("TWL002: an upper-case spelling of a variable is taken for a secret", () => {
    const a = automation("a").in(llm).on(onRunState(["failed"])).do(sendWebhook(webhook("pager"), { payload: { r: "${RUN_NAME}", s: "${RUN_STATS}", t: "${PAGER_TOKEN}" } }));
    expect(lint([a])).toEqual([
      ["TWL002", "warning", "a: ${RUN_NAME} is not a W&B variable (it would be read as a team secret of that name); did you mean ${run_name}?"],
      ["TWL002", "warning", "a: ${RUN_STATS} is not a W&B variable (it would be read as a team secret of that name); did you mean ${run_status}?"],
    ]);
  });

  it("TWL010 / TWL011: regexes W&B cannot run, and catastrophic ones", () => {
    const a = automation("look").in(llm).on(onRunState(["failed"]).where(runName.regex("^(?!debug-)"))).do(doNothing());
    const b = automation("back").in(llm).on(onRunState(["failed"]).where(runUser.regex("(a)\\1"))).do(doNothing());
    const c = automation("slow").in(llm).on(onRunState(["failed"]).where(runName.regex("^(a+)+$"))).do(doNothing());
    const fine = automation("fine").in(llm).on(onRunState(["failed"]).where(runName.regex("^train-[a-z]+\\(v\\d\\)[?!]"))).do(doNothing());
    // A pattern that does not compile is validation's error (TW1007), not reported twice.
    const broken = automation("broken").in(llm).on(onRunState(["failed"]).where(runName.regex("(unclosed"))).do(doNothing());
    expect(lint([a, b, c, fine, broken])).toEqual([
      ["TWL010", "error", "look: runName regex /^(?!debug-)/ uses a lookahead (?!…), which linear-time (RE2) engines do not support"],
      ["TWL010", "error", "back: runUser regex /(a)\\1/ uses a backreference (\\1), which linear-time (RE2) engines do not support"],
      ["TWL011", "warning", "slow: runName regex /^(a+)+$/ has nested quantifiers: some names make it take exponential time"],
    ]);
  });

  it("TWL020: two automations one event fires, sending to the same integration; disjoint filters are not", () => {
    const p = automation("p-failed").in(llm).on(onRunState(["failed", "finished"])).do(sendNotification(slack("alerts")));
    const t = automation("t-failed").in(team("acme")).on(onRunState(["failed"]).where(runUser.eq("alice"))).do(sendNotification(slack("alerts")));
    const bob = automation("bob").in(llm).on(onRunState(["failed"]).where(runUser.in(["bob", "carol"]))).do(sendNotification(slack("pager")));
    const alice = automation("alice").in(llm).on(onRunState(["failed"]).where(runUser.regex("^ali"))).do(sendNotification(slack("pager")));
    const otherChannel = automation("other").in(llm).on(onRunState(["failed"])).do(sendNotification(slack("ops")));
    const otherProject = automation("elsewhere").in(project("globex/vision")).on(onRunState(["failed"])).do(sendNotification(slack("alerts")));
    const disabled = automation("off").in(llm).on(onRunState(["failed"])).do(sendNotification(slack("alerts"))).enabled(false);
    expect(lint([p, t, bob, alice, otherChannel, otherProject, disabled])).toEqual([
      ["TWL020", "warning", 'p-failed: the same event also fires "t-failed" (team acme), and both send to the Slack channel #alerts: it is notified twice'],
      ["TWL020", "warning", 't-failed: the same event also fires "p-failed" (project acme/llm), and both send to the Slack channel #alerts: it is notified twice'],
    ]);
    // Across entities: the organization's integration and a team's both post to #alerts; webhooks are per entity.
    const orgWide = automation("org-failed").in(org("acme-org")).on(onRunState(["failed"])).do(sendNotification(slack("alerts")));
    const teamHook = automation("team-hook").in(llm).on(onRunState(["failed"])).do(sendWebhook(webhook("hook")));
    const orgHook = automation("org-hook").in(org("acme-org")).on(onRunState(["failed"])).do(sendWebhook(webhook("hook")));
    expect(lint([p, orgWide, teamHook, orgHook]).filter((d) => d[0] === "TWL020")).toEqual([]); // acme-org's teams unknown
    expect(lint([p, orgWide, teamHook, orgHook], { organizations: { "acme-org": ["acme"] } }).filter((d) => d[0] === "TWL020")).toEqual([
      ["TWL020", "warning", 'p-failed: the same event also fires "org-failed" (org acme-org), and both send to the Slack channel #alerts: it is notified twice'],
      ["TWL020", "warning", 'org-failed: the same event also fires "p-failed" (project acme/llm), and both send to the Slack channel #alerts: it is notified twice'],
    ]);
    const m1 = automation("m1").in(llm).on(onRunMetric(metric("loss").gt(1))).do(sendWebhook(webhook("hook")));
    const m2 = automation("m2").in(org("acme")).on(onRunMetric(metric("loss").mean(5).gt(2))).do(sendWebhook(webhook("hook")));
    const m3 = automation("m3").in(llm).on(onRunMetric(metric("acc").gt(2))).do(sendWebhook(webhook("hook")));
    expect(lint([m1, m2, m3]).map((d) => d[2])).toEqual([
      'm1: the same event also fires "m2" (org acme), and both send to the webhook "hook": it is notified twice',
      'm2: the same event also fires "m1" (project acme/llm), and both send to the webhook "hook": it is notified twice',
    ]);
  });

  it("TWL030 / TWL031: a webhook acting where its automation listens, and automations feeding each other", () => {
    const config: TripwireConfig = { loops: { deploy: ["acme/prod"], promote: ["acme/staging:llm-7b"], back: ["acme/model:llm-7b"] } };
    const self = automation("deploy-prod").in(registry("acme/prod")).on(onAddArtifactAlias(alias.eq("production"))).do(sendWebhook(webhook("deploy")));
    const a = automation("to-staging").in(model).on(onAddArtifactTag(tag.eq("ready"))).do(sendWebhook(webhook("promote")));
    const b = automation("from-staging").in(registry("acme/staging")).on(onLinkArtifact()).do(sendWebhook(webhook("back")));
    expect(lint([self, a, b], config)).toEqual([
      ["TWL030", "error", 'deploy-prod: its webhook "deploy" acts on acme/prod (config loops), where this automation listens for addArtifactAlias: each firing can fire it again'],
      ["TWL031", "error", 'to-staging: these automations trigger each other through their webhooks (config loops): "to-staging", "from-staging"'],
      ["TWL031", "error", 'from-staging: these automations trigger each other through their webhooks (config loops): "to-staging", "from-staging"'],
    ]);
    expect(lint([self])).toEqual([]);
    const elsewhere = automation("new-data").in(project("acme/data").collection("set")).on(onCreateArtifact()).do(sendWebhook(webhook("deploy")));
    expect(lint([elsewhere], config)).toEqual([]);
  });

  it("TWL040: a team or org Slack automation without a filter; a filter or another action is fine", () => {
    const wide = automation("every-alias").in(org("acme")).on(onAddArtifactAlias()).do(sendNotification(slack("audit")));
    const runs = automation("every-failure").in(team("acme-ml")).on(onRunState(["failed"])).do(sendNotification(slack("ml")));
    const filtered = automation("prod-alias").in(org("acme")).on(onAddArtifactAlias(alias.eq("production"))).do(sendNotification(slack("prod")));
    const hook = automation("hook").in(team("acme-ml")).on(onRunState(["failed"])).do(sendWebhook(webhook("pager")));
    expect(lint([wide, runs, filtered, hook])).toEqual([
      ["TWL040", "warning", "every-alias: posts to Slack #audit for every addArtifactAlias event in org acme: add a filter (.where(...), or an alias / tag filter)"],
      ["TWL040", "warning", "every-failure: posts to Slack #ml for every runState event in team acme-ml: add a filter (.where(...), or an alias / tag filter)"],
    ]);
  });

  it("TWL050: system metric names are checked against W&B's list", () => {
    const ok = ["cpu", "gpu.0.gpu", "gpu.3.memoryAllocated", "system/proc.memory.rssMB", "disk./home.usagePercent", "loss", "gpu"];
    const bad = ["gpu.0.utilization", "system/gpu", "proc.memory.rss"];
    const defs = [...ok, ...bad].map((m, i) => automation(`m${i}`).in(project(`acme/p${i}`)).on(onRunMetric(metric(m).gt(1))).do(doNothing()));
    expect(lint(defs).map((d) => d[2])).toEqual([
      'm7: "gpu.0.utilization" is not a system metric W&B logs (it logs gpu.{i}.gpu, gpu.process.{i}.gpu, gpu.{i}.memory, gpu.process.{i}.memory, gpu.{i}.memoryAllocated, gpu.process.{i}.memoryAllocated); system metrics are named without the "system/" prefix, like cpu or gpu.0.gpu',
      'm8: "system/gpu" is not a system metric W&B logs (it logs gpu.{i}.gpu, gpu.process.{i}.gpu, gpu.{i}.memory, gpu.process.{i}.memory, gpu.{i}.memoryAllocated, gpu.process.{i}.memoryAllocated); system metrics are named without the "system/" prefix, like cpu or gpu.0.gpu',
      'm9: "proc.memory.rss" is not a system metric W&B logs (it logs proc.cpu.threads, proc.memory.rssMB, proc.memory.percent, proc.memory.availableMB); system metrics are named without the "system/" prefix, like cpu or gpu.0.gpu',
    ]);
  });

  it("severities come from the config; off and .lintIgnore() silence a check; an unknown ignore code is reported", () => {
    const wide = automation("every-alias").in(org("acme")).on(onAddArtifactAlias()).do(sendNotification(slack("audit")));
    expect(lint([wide], { lint: { TWL040: "error" } })).toEqual([["TWL040", "error", expect.stringContaining("every-alias: posts to Slack")]]);
    expect(lint([wide], { lint: { TWL040: "off" } })).toEqual([]);
    const ignored = wide.lintIgnore("TWL040", "the audit channel wants every alias").lintIgnore("TWL999", "typo");
    expect(ignored.toSpec().lintIgnore).toEqual([
      { code: "TWL040", reason: "the audit channel wants every alias" },
      { code: "TWL999", reason: "typo" },
    ]);
    expect(wide.toSpec().lintIgnore).toBeUndefined();
    expect(lint([ignored])).toEqual([["TW6700", "warning", 'every-alias: .lintIgnore("TWL999") names no lint check (see tripwire lint --list)']]);
  });

  it("every check has a section in docs/lint.md", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(resolve(REPO, "packages/reconciler/docs/lint.md"), "utf8");
    for (const code of Object.keys(CHECKS)) {
      const section = doc.split(/^## /m).find((s) => s.startsWith(code));
      expect(section, code).toBeDefined();
      for (const part of ["**What**", "**Why**", "**Fix**", "**Disable**"]) expect(section, `${code} ${part}`).toContain(part);
    }
  });

  it("is silent on the examples", async () => {
    const load = await loadDefinitions({ cwd: resolve(REPO, "examples"), configFile: "tripwire.config.ts" });
    expect(load.diagnostics).toEqual([]);
    expect(load.automations.length).toBeGreaterThan(10);
    expect(lintDiagnostics({ automations: load.automations, config: load.config })).toEqual([]);
  });
});
