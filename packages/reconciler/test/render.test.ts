import { describe, expect, it } from "vitest";
import { automation, doNothing, metric, onAddArtifactAlias, onRunMetric, onRunState, project, registry, alias, runName, sendWebhook, toSpec, webhook } from "@tripwire/sdk";
import { computePlan } from "../src/plan/plan.js";
import { renderJson, renderMarkdown, renderText } from "../src/render/index.js";
import { backend, desired, live, read } from "./helpers.js";

const llm = project("acme/llm");
const deploy = (version: string) =>
  automation("deploy-prod")
    .in(registry("acme/model").collection("llm-7b"))
    .on(onAddArtifactAlias(alias.eq("production")))
    .do(sendWebhook(webhook("deploy"), { payload: { event_type: "BUILD_AND_DEPLOY", client_payload: { version, token: "${GITHUB_TOKEN}" } } }));
const spike = automation("loss-spike").in(llm).on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(runName.contains("sweep-"))).do(doNothing());
const failed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());
const old = automation("gone").in(llm).on(onRunState(["finished"])).do(doNothing());

const plan = computePlan({
  owner: "default",
  desired: [desired(spike, { source: { file: "automations/alerts.ts", line: 12, column: 7 } }), desired(deploy("${artifact_version_string}")), desired(failed)],
  live: [live(deploy("${artifact_version}")), live(failed.enabled(false), { appliedAs: toSpec(failed) }), live(old), live(automation("hand-made").in(llm).on(onRunState(["running"])).do(doNothing()), { managed: false })],
  backend,
  fingerprint: "sha256:abc",
  read,
});

describe("renderers", () => {
  it("text: counts first, each change with its fields, payload diffs, drift, unmanaged", () => {
    expect(renderText(plan)).toMatchInlineSnapshot(`
      "Plan: 1 to add, 2 to change, 1 to destroy.

      Tripwire will perform the following actions:

        - destroy project:acme/llm/gone
            - name: "gone"
            - enabled: true
            - scope: "project acme/llm"
            - event.type: "runState"
            - event.states: ["finished"]
            - action.type: "noop"

        ~ update  collection:registry:acme/model:llm-7b/deploy-prod
            ~ action.payload:
                  {
                    "client_payload": {
                      "token": "\${GITHUB_TOKEN}",
                -     "version": "\${artifact_version}"
                +     "version": "\${artifact_version_string}"
                    },
                    "event_type": "BUILD_AND_DEPLOY"
                  }

        ~ update  project:acme/llm/run-failed
            # restores the code's definition over changes made outside Tripwire
            ~ enabled: false → true

        + create  project:acme/llm/loss-spike
            # automations/alerts.ts:12
            + name: "loss-spike"
            + enabled: true
            + scope: "project acme/llm"
            + event.type: "runMetricThreshold"
            + event.metric: "loss"
            + event.agg: "mean"
            + event.window: 5
            + event.cmp: "gt"
            + event.threshold: 0.6
            + event.runFilter: "runName contains \\"sweep-\\""
            + action.type: "noop"

      Changed outside Tripwire since the last apply:
        ~ project:acme/llm/run-failed
            ~ enabled: true → false

      Not managed by Tripwire (never touched; adopt with \`tripwire import\`):
        · project:acme/llm/hand-made
      "
    `);
  });

  it("text: colour only when asked", () => {
    expect(renderText(plan, { color: true })).toContain("\u001b[32m+ create \u001b[0m");
    expect(renderText(plan)).not.toContain("\u001b[");
  });

  it("markdown: destructive changes flagged at the top, one collapsible block per automation", () => {
    const parts = renderMarkdown(plan);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchInlineSnapshot(`
      "### Tripwire plan

      **Plan: 1 to add, 2 to change, 1 to destroy.**

      > [!CAUTION]
      > **1 automation will be destroyed:** \`project:acme/llm/gone\`

      > [!NOTE]
      > 1 managed automation was changed outside Tripwire since the last apply.

      <details><summary><code>- destroy</code> <b>project:acme/llm/gone</b></summary>

      \`\`\`diff
      - name: "gone"
      - enabled: true
      - scope: "project acme/llm"
      - event.type: "runState"
      - event.states: ["finished"]
      - action.type: "noop"
      \`\`\`

      </details>

      <details><summary><code>~ update</code> <b>collection:registry:acme/model:llm-7b/deploy-prod</b></summary>

      \`\`\`diff
      ! action.payload:
            {
              "client_payload": {
                "token": "\${GITHUB_TOKEN}",
      -         "version": "\${artifact_version}"
      +         "version": "\${artifact_version_string}"
              },
              "event_type": "BUILD_AND_DEPLOY"
            }
      \`\`\`

      </details>

      <details><summary><code>~ update</code> <b>project:acme/llm/run-failed</b></summary>

      \`\`\`diff
      # restores the code's definition over changes made outside Tripwire
      ! enabled: false → true
      \`\`\`

      </details>

      <details><summary><code>+ create</code> <b>project:acme/llm/loss-spike</b></summary>

      \`\`\`diff
      # automations/alerts.ts:12
      + name: "loss-spike"
      + enabled: true
      + scope: "project acme/llm"
      + event.type: "runMetricThreshold"
      + event.metric: "loss"
      + event.agg: "mean"
      + event.window: 5
      + event.cmp: "gt"
      + event.threshold: 0.6
      + event.runFilter: "runName contains \\"sweep-\\""
      + action.type: "noop"
      \`\`\`

      </details>

      <details><summary>Changed outside Tripwire since the last apply (1)</summary>

      \`\`\`diff
      project:acme/llm/run-failed
      ! enabled: true → false
      \`\`\`

      </details>

      <details><summary>Not managed by Tripwire (1, never touched)</summary>

      \`\`\`text
      project:acme/llm/hand-made
      \`\`\`

      </details>
      "
    `);
  });

  it("markdown: split into parts under the limit, each with its title; a huge block is cut, not dropped", () => {
    const many = computePlan({
      owner: "default",
      desired: Array.from({ length: 40 }, (_, i) => desired(automation(`auto-${String(i).padStart(2, "0")}`).in(llm).on(onRunState(["failed"])).do(doNothing()))),
      live: [],
      backend,
      fingerprint: "f",
      read,
    });
    const parts = renderMarkdown(many, { maxLength: 4000 });
    expect(parts.length).toBeGreaterThan(2);
    for (const [i, part] of parts.entries()) {
      expect(part.length).toBeLessThanOrEqual(4000);
      expect(part.startsWith(`### Tripwire plan (part ${i + 1} of ${parts.length})\n`)).toBe(true);
    }
    const all = parts.join("");
    for (let i = 0; i < 40; i++) expect(all).toContain(`auto-${String(i).padStart(2, "0")}`);

    const huge = computePlan({ owner: "default", desired: [desired(deploy("x".repeat(20_000)))], live: [], backend, fingerprint: "f", read });
    const [only, ...rest] = renderMarkdown(huge, { maxLength: 4000 });
    expect(rest).toEqual([]);
    expect(only!.length).toBeLessThanOrEqual(4000);
    expect(only).toContain("more lines: see the full `tripwire plan` output");
  });

  it("markdown: a payload holding backticks cannot break out of its code block", () => {
    const ticks = computePlan({ owner: "default", desired: [desired(deploy("```js\nalert(1)\n```"))], live: [], backend, fingerprint: "f", read });
    const [md] = renderMarkdown(ticks);
    expect(md).toContain("````diff\n");
    expect(md).toContain("\n````\n");
  });

  it("json: the plan document, applyable unless there are errors; secrets appear by name only", () => {
    const doc = JSON.parse(renderJson(plan)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(["format_version", "owner", "backend", "fingerprint", "read", "prerequisites", "operations", "drift", "unmanaged", "diagnostics", "summary", "applyable"]);
    expect(doc.format_version).toBe("1.1");
    expect(doc.applyable).toBe(true);
    expect(doc.summary).toEqual({ add: 1, change: 2, rename: 0, destroy: 1 });
    expect(renderJson(plan)).toContain("${GITHUB_TOKEN}");
  });

  it("no changes", () => {
    const empty = computePlan({ owner: "default", desired: [desired(failed)], live: [live(failed)], backend, fingerprint: "f", read });
    expect(renderText(empty)).toBe("No changes. The live automations match the code.\n");
    expect(renderMarkdown(empty)).toEqual(["### Tripwire plan\n\n**No changes. The live automations match the code.**\n"]);
  });
});
