import { describe, expect, it } from "vitest";
import {
  alias,
  and,
  automation,
  collectionName,
  doNothing,
  metric,
  normalizeSpec,
  not,
  onAddArtifactAlias,
  onAddArtifactTag,
  onCreateArtifact,
  onRawEvent,
  onRunMetric,
  onRunState,
  or,
  org,
  project,
  rawFilter,
  registry,
  runName,
  runUser,
  sendNotification,
  sendWebhook,
  slack,
  tag,
  team,
  toSpec,
  webhook,
  type AnyAutomation,
  type AutomationSpec,
} from "@tripwire/sdk";
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format as prettierFormat, type Options } from "prettier";
import { DEFAULT_FORMAT, formatOptionsFor } from "../src/import/format.js";
import { generateSource } from "../src/import/generate.js";
import { camelCase, Namer } from "../src/import/names.js";

/** What import receives: live definitions, normalised as the wire decoder returns them. */
const live = (a: AnyAutomation): AutomationSpec => normalizeSpec(toSpec(a));
const llm = project("acme/llm");

describe("generateSource: live definitions as builder code", () => {
  it("writes the SDK's vocabulary: shared scopes, integrations by name, one exported constant each, formatted", async () => {
    const specs = [
      automation("loss-spike")
        .in(llm)
        .on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(and(runName.contains("sweep-"), not(runUser.eq("ci-bot")))))
        .do(sendNotification(slack("#ml-alerts"), { title: "Loss spiked", message: "Check ${run_name}", severity: "WARN" }))
        .describe("Pages the on-call when the loss spikes"),
      automation("loss-plateau").in(llm).on(onRunMetric(metric("loss").min(10).decreasesBy({ frac: 0.25, priorWindow: 50 }))).do(doNothing()).enabled(false),
      automation("lr-jump").in(llm).on(onRunMetric(metric("lr").changesBy({ diff: 0.01 }))).do(doNothing()),
      automation("acc-drop").in(team("ml-team")).on(onRunMetric(metric("acc").zscore(30).lt(-2))).do(doNothing()),
      automation("nan-guard").in(org("acme")).on(onRunMetric(metric("loss").zscore(20).abs().gt(3))).do(doNothing()),
      automation("run-failed").in(llm).on(onRunState(["failed", "finished"])).do(sendWebhook(webhook("deploy"), { payloadText: '{"value": ${metric_values}}' })),
      automation("deploy-prod")
        .in(registry("acme/model").collection("llm-7b"))
        .on(onAddArtifactAlias(alias.eq("production")))
        .do(
          sendWebhook(webhook("deploy"), {
            payload: { event_type: "BUILD_AND_DEPLOY", client_payload: { version: "${artifact_version_string}", collection: "${artifact_collection_name}", author: "${event_author}" } },
          }),
        ),
      automation("new-dataset").in(llm.collection("dataset")).on(onCreateArtifact()).do(doNothing()),
      automation("regional").in(llm).on(onAddArtifactTag(or(tag.eq("europe"), tag.in(["asia", "africa"])))).do(doNothing()),
    ].map(live);
    const { text, definitions, commented, changed } = await generateSource({ automations: specs.map((spec) => ({ spec })), header: ["Imported from W&B."] });
    expect(changed).toBe(true);
    expect(commented).toEqual([]);
    expect(text).toMatchInlineSnapshot(`
      "// Imported from W&B.

      import {
        alias,
        and,
        automation,
        doNothing,
        metric,
        not,
        onAddArtifactAlias,
        onAddArtifactTag,
        onCreateArtifact,
        onRunMetric,
        onRunState,
        or,
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
      } from "@tripwire/sdk";

      const llm = project("acme/llm");
      const modelRegistry = registry("acme/model");
      const mlTeam = team("ml-team");
      const acmeOrg = org("acme");

      export const lossPlateau = automation("loss-plateau")
        .in(llm)
        .on(onRunMetric(metric("loss").min(10).decreasesBy({ frac: 0.25, priorWindow: 50 })))
        .do(doNothing())
        .enabled(false);

      export const lossSpike = automation("loss-spike")
        .in(llm)
        .on(
          onRunMetric(metric("loss").mean(5).gt(0.6)).where(
            and(not(runUser.eq("ci-bot")), runName.contains("sweep-")),
          ),
        )
        .do(
          sendNotification(slack("ml-alerts"), {
            title: "Loss spiked",
            message: "Check \${run_name}",
            severity: "WARN",
          }),
        )
        .describe("Pages the on-call when the loss spikes");

      export const lrJump = automation("lr-jump")
        .in(llm)
        .on(onRunMetric(metric("lr").changesBy({ diff: 0.01 })))
        .do(doNothing());

      export const regional = automation("regional")
        .in(llm)
        .on(onAddArtifactTag(or(tag.eq("europe"), tag.in(["africa", "asia"]))))
        .do(doNothing());

      export const runFailed = automation("run-failed")
        .in(llm)
        .on(onRunState(["failed", "finished"]))
        .do(sendWebhook(webhook("deploy"), { payloadText: '{"value": \${metric_values}}' }));

      export const newDataset = automation("new-dataset")
        .in(llm.collection("dataset"))
        .on(onCreateArtifact())
        .do(doNothing());

      export const deployProd = automation("deploy-prod")
        .in(modelRegistry.collection("llm-7b"))
        .on(onAddArtifactAlias(alias.eq("production")))
        .do(
          sendWebhook(webhook("deploy"), {
            payload: {
              client_payload: {
                author: "\${event_author}",
                collection: "\${artifact_collection_name}",
                version: "\${artifact_version_string}",
              },
              event_type: "BUILD_AND_DEPLOY",
            },
          }),
        );

      export const accDrop = automation("acc-drop")
        .in(mlTeam)
        .on(onRunMetric(metric("acc").zscore(30).lt(-2)))
        .do(doNothing());

      export const nanGuard = automation("nan-guard")
        .in(acmeOrg)
        .on(onRunMetric(metric("loss").zscore(20).abs().gt(3)))
        .do(doNothing());
      "
    `);
    expect(definitions["project:acme/llm/loss-spike"]).toEqual({ identifier: "lossSpike", line: expect.any(Number), column: 26 });
    const line = definitions["project:acme/llm/loss-spike"]?.line as number;
    expect(text.split("\n")[line - 1]).toBe('export const lossSpike = automation("loss-spike")');
  });

  it("keeps raw filters and events verbatim with a comment, and notes skipped automations once", async () => {
    const raw = live(
      automation("big-lr")
        .in(llm)
        .on(onRunState(["failed"]).where(and(runName.regex("^train-"), rawFilter({ "config.lr": { $gt: 0.1 } }))))
        .do(doNothing()),
    );
    const rawEvent = live(
      automation("future-metric")
        .in(llm)
        .on(onRawEvent("RUN_METRIC", { run_metric_filter: { threshold_filter: { name: "loss", agg_op: "AVERAGE", window_size: 5, cmp_op: "$gt", threshold: 1, future_field: true } } }))
        .do(doNothing()),
    );
    const first = await generateSource({
      automations: [
        { spec: raw, notes: ['filter condition kept verbatim: {"config.lr":{"$gt":0.1}}'] },
        { spec: rawEvent, notes: ["the threshold_filter has fields Tripwire does not know (future_field); kept verbatim"] },
      ],
      skipped: [{ address: "project:acme/llm/launch", reason: "QUEUE_JOB actions cannot be created or updated through W&B's API; Tripwire leaves them alone." }],
    });
    expect(first.text).toMatchInlineSnapshot(`
      "import {
        and,
        automation,
        doNothing,
        onRawEvent,
        onRunState,
        project,
        rawFilter,
        runName,
      } from "@tripwire/sdk";

      const llm = project("acme/llm");

      // tripwire import: filter condition kept verbatim: {"config.lr":{"$gt":0.1}}
      export const bigLr = automation("big-lr")
        .in(llm)
        .on(
          onRunState(["failed"]).where(
            and(runName.regex("^train-"), rawFilter({ "config.lr": { $gt: 0.1 } })),
          ),
        )
        .do(doNothing());

      // tripwire import: the threshold_filter has fields Tripwire does not know (future_field); kept
      //   verbatim
      export const futureMetric = automation("future-metric")
        .in(llm)
        .on(
          onRawEvent("RUN_METRIC", {
            run_metric_filter: {
              threshold_filter: {
                agg_op: "AVERAGE",
                cmp_op: "$gt",
                future_field: true,
                name: "loss",
                threshold: 1,
                window_size: 5,
              },
            },
          }),
        )
        .do(doNothing());

      // tripwire import: skipped project:acme/llm/launch: QUEUE_JOB actions cannot be created or updated
      //   through W&B's API; Tripwire leaves them alone.
      "
    `);
    expect(first.commented).toEqual(["project:acme/llm/launch"]);
    const again = await generateSource({ existing: first.text, automations: [], skipped: [{ address: "project:acme/llm/launch", reason: "anything" }] });
    expect(again).toEqual({ text: first.text, definitions: {}, commented: [], changed: false });
  });

  it("appends to an existing file: adds missing imports, reuses its scope constants, leaves its code as it is", async () => {
    const existing = [
      'import { automation, project as p, doNothing, onRunState } from "@tripwire/sdk";',
      'import { metric } from "./my-metrics.js";',
      "",
      "// hand-written",
      'const llm   =   p("acme/llm");',
      'export const runFailed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());',
      "",
    ].join("\n");
    const spec = live(automation("loss-high").in(llm).on(onRunMetric(metric("loss").gt(1))).do(sendNotification(slack("alerts"))));
    const other = live(automation("run-failed").in(project("acme/vision")).on(onRunState(["failed"])).do(doNothing()));
    const { text, definitions } = await generateSource({ existing, automations: [{ spec }, { spec: other }] });
    // Everything below the SDK import is the user's text, byte for byte, then the new definitions.
    const rest = (t: string) => t.slice(t.indexOf('import { metric } from "./my-metrics.js";'));
    expect(rest(text).startsWith(rest(existing).trimEnd())).toBe(true);
    expect(text).toMatchInlineSnapshot(`
      "import {
        automation,
        project as p,
        doNothing,
        onRunState,
        metric as twMetric,
        onRunMetric,
        sendNotification,
        slack,
      } from "@tripwire/sdk";
      import { metric } from "./my-metrics.js";

      // hand-written
      const llm   =   p("acme/llm");
      export const runFailed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());

      const vision = p("acme/vision");

      export const lossHigh = automation("loss-high")
        .in(llm)
        .on(onRunMetric(twMetric("loss").gt(1)))
        .do(sendNotification(slack("alerts")));

      export const runFailedVision = automation("run-failed")
        .in(vision)
        .on(onRunState(["failed"]))
        .do(doNothing());
      "
    `);
    expect(Object.values(definitions).map((d) => d.identifier)).toEqual(["lossHigh", "runFailedVision"]);
  });

  it("names constants as identifiers people would write, never clashing with the vocabulary or each other", async () => {
    const specs = [
      automation("Deploy to Prod!").in(llm).on(onRunState(["failed"])).do(doNothing()),
      automation("GPU idle").in(llm).on(onRunState(["failed"])).do(doNothing()),
      automation("delete").in(llm).on(onRunState(["failed"])).do(doNothing()),
      automation("7b-eval").in(llm).on(onRunState(["failed"])).do(doNothing()),
      automation("metric").in(llm).on(onRunState(["failed"])).do(doNothing()),
      automation("llm").in(llm).on(onRunState(["failed"])).do(doNothing()),
      automation("🚀").in(llm).on(onRunState(["failed"])).do(doNothing()),
      automation("deploy to prod").in(team("acme")).on(onRunState(["failed"])).do(doNothing()),
    ].map(live);
    const { definitions } = await generateSource({ automations: specs.map((spec) => ({ spec })) });
    expect(Object.fromEntries(Object.entries(definitions).map(([a, d]) => [a, d.identifier]))).toEqual({
      "project:acme/llm/Deploy to Prod!": "deployToProd",
      "project:acme/llm/GPU idle": "gpuIdle",
      "project:acme/llm/delete": "deleteAutomation",
      "project:acme/llm/7b-eval": "automation7bEval",
      "project:acme/llm/metric": "metric",
      "project:acme/llm/llm": "llmAutomation",
      "project:acme/llm/🚀": "unnamedAutomation",
      "team:acme/deploy to prod": "deployToProdAcmeTeam",
    });
  });

  it("writes strings and payloads exactly: quotes, escapes, unicode, numbers, and a __proto__ key as data", async () => {
    const spec = live(
      automation('say "hi"\n')
        .in(project("acme/llm"))
        .on(onRunMetric(metric("loss/val ✓").max(3).lte(-1.5e-7)))
        .do(sendWebhook(webhook("hook"), { payload: JSON.parse('{"__proto__":{"x":1},"a-b":[true,null,1e21],"it\'s":"\\u2028"}') })),
    );
    const { text } = await generateSource({ automations: [{ spec }] });
    expect(text).toMatchInlineSnapshot(`
      "import { automation, metric, onRunMetric, project, sendWebhook, webhook } from "@tripwire/sdk";

      const llm = project("acme/llm");

      export const sayHi = automation('say "hi"\\n')
        .in(llm)
        .on(onRunMetric(metric("loss/val ✓").max(3).lte(-1.5e-7)))
        .do(
          sendWebhook(webhook("hook"), {
            payload: { ["__proto__"]: { x: 1 }, "a-b": [true, null, 1e21], "it's": "\\u2028" },
          }),
        );
      "
    `);
  });
});

describe("generateSource: scopes the wire decoder never returns", () => {
  it("writes a project's collection filter as the builder does", async () => {
    const spec = live(automation("ckpt").in(llm.collections(collectionName.regex("^ckpt-"))).on(onCreateArtifact()).do(doNothing()));
    expect((await generateSource({ automations: [{ spec }] })).text).toContain('.in(llm.collections(collectionName.regex("^ckpt-")))');
  });
});

/** A mix of what import writes: long chains, raw filters and events, payloads, notes, a skipped automation. */
async function catalog(format?: Options) {
  const specs = [
    automation("loss-spike")
      .in(llm)
      .on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(and(runName.contains("sweep-"), not(runUser.in(["ci-bot", "nightly"])))))
      .do(sendNotification(slack("ml-alerts"), { title: "Loss spiked", message: "Check ${run_name}: it's high", severity: "WARN" }))
      .describe('Pages the on-call when the "loss" spikes'),
    automation("deploy-prod")
      .in(registry("acme/model").collection("llm-7b"))
      .on(onAddArtifactAlias(alias.eq("production")))
      .do(sendWebhook(webhook("deploy"), { payload: { event_type: "BUILD_AND_DEPLOY", client_payload: { version: "${artifact_version_string}", list: [1, 2.5, true, null] } } })),
    automation("big-lr").in(llm).on(onRunState(["failed"]).where(and(runName.regex("^train-"), rawFilter({ "config.lr": { $gt: 0.1 } })))).do(doNothing()).enabled(false),
    automation("run-failed").in(team("ml-team")).on(onRunState(["failed"])).do(doNothing()),
  ].map(live);
  return generateSource({
    automations: specs.map((spec) => ({ spec, notes: spec.name === "big-lr" ? ['filter condition kept verbatim: {"config.lr":{"$gt":0.1}}'] : [] })),
    skipped: [{ address: "project:acme/llm/launch", reason: "QUEUE_JOB actions cannot be created or updated through W&B's API; Tripwire leaves them alone." }],
    header: ["Imported from W&B."],
    ...(format ? { format } : {}),
  });
}

describe("generateSource: laid out by Prettier", () => {
  it("is a fixed point of Prettier: formatting what it wrote again changes nothing", async () => {
    const { text } = await catalog();
    expect(text).toContain("\n  .on(\n    onRunMetric(");
    expect(await prettierFormat(text, { ...DEFAULT_FORMAT, parser: "typescript" })).toBe(text);
  });

  it("lays the code out with the options it is given, and stays a fixed point of Prettier with them", async () => {
    const options: Options = { singleQuote: true, semi: false, useTabs: true, printWidth: 80, trailingComma: "es5" };
    const { text, definitions } = await catalog(options);
    expect(await prettierFormat(text, { ...options, parser: "typescript" })).toBe(text);
    expect(text.startsWith("// Imported from W&B.\n\nimport {\n\talias,\n\tand,\n")).toBe(true);
    expect(text).toContain("\tteam,\n\twebhook,\n} from '@tripwire/sdk'\n\nconst llm = project('acme/llm')\nconst modelRegistry = registry('acme/model')\n");
    expect(text).toContain(`export const lossSpike = automation('loss-spike')
	.in(llm)
	.on(
		onRunMetric(metric('loss').mean(5).gt(0.6)).where(
			and(not(runUser.in(['ci-bot', 'nightly'])), runName.contains('sweep-'))
		)
	)
	.do(
		sendNotification(slack('ml-alerts'), {
			title: 'Loss spiked',
			message: "Check \${run_name}: it's high",
			severity: 'WARN',
		})
	)
	.describe('Pages the on-call when the "loss" spikes')
`);
    // Comments the generator wraps itself keep to the width too.
    expect(text).toContain("// tripwire import: skipped project:acme/llm/launch: QUEUE_JOB actions cannot be\n//   created or updated through W&B's API; Tripwire leaves them alone.\n");
    expect(text.split("\n").every((l) => l.replace(/\t/g, "  ").length <= 80 || !l.startsWith("//"))).toBe(true);
    const at = definitions["project:acme/llm/loss-spike"] as { line: number; column: number };
    expect(text.split("\n")[at.line - 1]?.slice(at.column - 1)).toBe("automation('loss-spike')");
  });

  it("reuses a scope constant of a file formatted with single quotes", async () => {
    const existing = "import { automation, doNothing, onRunState, project } from '@tripwire/sdk'\n\nconst llm = project('acme/llm')\n";
    const spec = live(automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing()));
    const { text } = await generateSource({ existing, automations: [{ spec }], format: { singleQuote: true, semi: false } });
    expect(text).toBe(`${existing}\nexport const runFailed = automation('run-failed')\n  .in(llm)\n  .on(onRunState(['failed']))\n  .do(doNothing())\n`);
  });
});

describe("formatOptionsFor: the repository's Prettier configuration, else Tripwire's layout", () => {
  const repo = (files: Record<string, string>) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "tripwire-prettier-")));
    mkdirSync(join(dir, "automations"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  it("uses Tripwire's options when no Prettier configuration applies, even beside an .editorconfig", async () => {
    expect(await formatOptionsFor(join(repo({}), "automations", "imported.ts"))).toEqual({ options: DEFAULT_FORMAT });
    const withEditorconfig = repo({ ".editorconfig": "root = true\n[*]\nindent_style = tab\nmax_line_length = 60\n" });
    expect(await formatOptionsFor(join(withEditorconfig, "automations", "imported.ts"))).toEqual({ options: DEFAULT_FORMAT });
  });

  it("uses the .prettierrc as Prettier would for that file: its overrides, and the .editorconfig beside it", async () => {
    const dir = repo({
      ".prettierrc": JSON.stringify({ singleQuote: true, overrides: [{ files: "automations/**", options: { printWidth: 60 } }, { files: "*.js", options: { semi: false } }] }),
      ".editorconfig": "root = true\n[*]\nindent_style = tab\n",
    });
    expect(await formatOptionsFor(join(dir, "automations", "imported.ts"))).toEqual({ options: { singleQuote: true, printWidth: 60, useTabs: true }, configFile: join(dir, ".prettierrc") });
  });

  it("reads the prettier key of a package.json, and names a configuration it cannot read", async () => {
    const dir = repo({ "package.json": JSON.stringify({ name: "team", prettier: { semi: false } }) });
    expect(await formatOptionsFor(join(dir, "automations", "imported.ts"))).toEqual({ options: { semi: false }, configFile: join(dir, "package.json") });
    const broken = repo({ ".prettierrc.json": "{ not json" });
    await expect(formatOptionsFor(join(broken, "automations", "imported.ts"))).rejects.toMatchObject({ code: "TWE007", message: expect.stringContaining(`the Prettier configuration for ${join(broken, "automations", "imported.ts")} cannot be read:`) });
  });
});

describe("identifier helpers", () => {
  it("camelCase", () => {
    expect(["loss-spike", "GPU idle", "idle GPU", "Deploy to Prod!", "lossSpike", "  ", "über-alert"].map(camelCase)).toEqual([
      "lossSpike",
      "gpuIdle",
      "idleGpu",
      "deployToProd",
      "lossSpike",
      "",
      "uberAlert",
    ]);
  });
  it("Namer numbers the last candidate once all are taken", () => {
    const n = new Namer(["deploy", "deployAutomation"]);
    expect(n.claim(["deploy", "deployAutomation"], "x")).toBe("deployAutomation2");
    expect(n.claim(["class"], "fallback")).toBe("fallback");
    expect(n.claim([], "fallback")).toBe("fallback2");
  });
});
