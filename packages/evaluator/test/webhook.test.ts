// The one webhook renderer (compileWebhook, and webhookRequest / renderPayload over it) against W&B's rule written
// out plainly here: every placeholder replaced by its JSON-escaped value (secrets by name, variables otherwise,
// unknown names empty), then Content-Type, Authorization: Bearer and X-Wandb-Signature over the exact body.
import fc from "fast-check";
import { classifyPlaceholder, PLACEHOLDER, TEMPLATE_VARIABLES } from "@tripwire/sdk";
import { describe, expect, it } from "vitest";
import { compileWebhook, renderPayload, signPayload, templateVariables, webhookRequest, type Firing } from "../src/index.js";

/** The reference: a regular-expression replace over the template, as the spec states it. */
function reference(payloadText: string | undefined, firing: Firing, hook: { url: string; secret?: string; accessToken?: string }, secrets: Record<string, string>) {
  const all: Record<string, string> = { ...secrets, ...(hook.accessToken !== undefined ? { ACCESS_TOKEN: hook.accessToken } : {}) };
  const vars = templateVariables(firing);
  const body =
    payloadText === undefined
      ? ""
      : payloadText.replace(PLACEHOLDER, (_m, name: string) => {
          const from = classifyPlaceholder(name).kind === "secret" ? all : vars;
          return JSON.stringify(Object.hasOwn(from, name) ? from[name] : "").slice(1, -1);
        });
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (hook.accessToken !== undefined) headers.Authorization = `Bearer ${hook.accessToken}`;
  if (hook.secret !== undefined) headers["X-Wandb-Signature"] = signPayload(body, hook.secret);
  return { url: hook.url, headers, body };
}

const runFiring = (name: string, value: number): Firing => ({
  automationId: "VHJpZ2dlcjox",
  automation: 'acc "hook"',
  scope: { type: "project", entity: "ml", project: "llm" },
  eventType: "runMetricThreshold",
  at: "2026-11-26T10:00:00Z",
  event: { type: "run.metric", entity: "ml", project: "llm", run: { id: "r1", name, user: "bob" }, step: 3, timestamp: "2026-11-26T10:00:00Z", metrics: { acc: value } },
  run: { id: "r1", name, user: "bob" },
  step: 3,
  explanation: { kind: "threshold", metric: "acc", agg: "mean", window: 3, values: [value, 0.5], value, cmp: "gte", threshold: 0.9 },
});

const artifactFiring = (alias: string, meta: Record<string, unknown>): Firing =>
  ({
    automationId: "VHJpZ2dlcjoy",
    automation: "promote",
    scope: { type: "project", entity: "ml", project: "llm" },
    eventType: "addArtifactAlias",
    at: "2026-11-26T10:00:00Z",
    event: { type: "artifact.alias_added", entity: "ml", project: "llm", collection: "model", version: 4, user: "bob", alias, timestamp: "2026-11-26T10:00:00Z", metadata: meta },
    artifact: { entity: "ml", project: "llm", collection: "model", version: 4, alias },
    explanation: { kind: "event" },
  }) as unknown as Firing;

const text = fc.string({ unit: fc.constantFrom("a", " ", '"', "\\", "\n", "$", "{", "}", "é", "💥", ":", ",") , maxLength: 12 });
const placeholder = fc.oneof(
  fc.constantFrom(...TEMPLATE_VARIABLES),
  fc.constantFrom("artifact_metadata.num_rows", "artifact_metadata.missing", "artifact_metadata.", "ACCESS_TOKEN", "HOOK_SECRET", "OTHER", "MISSING", "", "a b", "toString", "__proto__"),
  text,
);
const template = fc.array(fc.oneof(text, placeholder.map((n) => `\${${n}}`)), { maxLength: 8 }).map((p) => p.join(""));
const firing = fc.oneof(
  fc.tuple(text, fc.double({ noNaN: false })).map(([n, v]) => runFiring(n, v)),
  fc.tuple(text, fc.dictionary(fc.constantFrom("num_rows", "x", "toString"), fc.jsonValue(), { maxKeys: 2 })).map(([a, m]) => artifactFiring(a, m)),
);

describe("the webhook renderer", () => {
  it("builds exactly the reference request: body, headers and their order, compiled once or one-off", () => {
    fc.assert(
      fc.property(
        fc.option(template, { nil: undefined }),
        fc.option(text, { nil: undefined }),
        fc.option(text, { nil: undefined }),
        fc.dictionary(fc.constantFrom("HOOK_SECRET", "OTHER", "ACCESS_TOKEN"), text, { maxKeys: 3 }),
        fc.array(firing, { minLength: 1, maxLength: 3 }),
        (payloadText, secret, accessToken, secrets, firings) => {
          const hook = { url: "http://127.0.0.1:9/hook", ...(secret !== undefined ? { secret } : {}), ...(accessToken !== undefined ? { accessToken } : {}) };
          const spec = { type: "webhook" as const, integration: { kind: "webhook" as const, name: "ci" }, ...(payloadText !== undefined ? { payloadText } : {}) };
          const compiled = compileWebhook(hook, payloadText, secrets);
          const extra = { "Idempotency-Key": "k", "X-Tripwire-Attempt": "2", "User-Agent": "tripwire-server" };
          const flat = (h: Record<string, string>) => Object.entries(h).flat();
          for (const f of firings) {
            const want = reference(payloadText, f, hook, secrets);
            const body = compiled.body(f);
            const headers = compiled.headers(body, flat(extra));
            expect(body).toBe(want.body);
            expect(compiled.url).toBe(want.url);
            expect(headers).toEqual(flat({ ...want.headers, ...extra }));
            expect(webhookRequest(spec, f, hook, secrets)).toEqual(want);
            expect(renderPayload(spec, f, { secrets }) ?? "").toBe(reference(payloadText, f, { url: hook.url }, secrets).body);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
