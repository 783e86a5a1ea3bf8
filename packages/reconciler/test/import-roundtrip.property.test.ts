// The generator's contract, over random definitions: the code it writes type-checks, and loading it gives back
// exactly the definitions it was written from (what makes `tripwire plan` find nothing to change after an import).
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeSpec, scopeKey, specsEqual, validate, type ActionSpec, type AutomationSpec, type EventSpec, type FilterExpr, type FilterField, type JsonValue, type Scope } from "@tripwire/sdk";
import { DEFAULT_FORMAT, type FormatOptions } from "../src/import/format.js";
import { generateSource } from "../src/import/generate.js";
import { loadDefinitions } from "../src/load/load.js";
import { typecheckFiles } from "../src/load/typecheck.js";
import { makeProject } from "./project.js";

// Text that stresses string literals: quotes, backslashes, template-looking `${…}`, line and paragraph separators.
const tricky = fc.constantFrom('"', "'", "\\", "${run_name}", "`", "\n", "\u2028", "\u2029", "é", "🚀", "*/", "//", " ");
const text = fc.array(fc.oneof(fc.string({ maxLength: 4, unit: "grapheme" }), tricky), { maxLength: 4 }).map((parts) => parts.join(""));
const name = text.filter((t) => t.trim().length > 0);
const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(0.1, 0.6, 1e21, 5e-324, -1.5e-7));
const positive = fc.oneof(fc.double({ min: 1e-9, max: 1e12, noNaN: true }), fc.constantFrom(0.25, 2, 1e21));
const window = fc.integer({ min: 1, max: 200 });
const json: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.oneof(text, fc.constantFrom("__proto__", "$and", "a-b", "1", "config.lr")), fc.jsonValue(), { maxKeys: 4 }),
).map((v) => JSON.parse(JSON.stringify(v)) as JsonValue);

const filter = (fields: readonly FilterField[]): fc.Arbitrary<FilterExpr> =>
  fc.letrec<{ expr: FilterExpr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.record({ op: fc.constantFrom("eq", "ne", "contains"), field: fc.constantFrom(...fields), value: text }),
      fc.record({ op: fc.constant("regex"), field: fc.constantFrom(...fields), value: fc.constantFrom("^train-", "b$", "\\d+", "a|b", "[\"']") }),
      fc.record({ op: fc.constant("in"), field: fc.constantFrom(...fields), values: fc.array(text, { minLength: 1, maxLength: 3 }) }),
      fc.record({ op: fc.constant("raw"), json }),
      fc.record({ op: fc.constant("and"), args: fc.array(tie("expr"), { maxLength: 3 }) }),
      fc.record({ op: fc.constant("or"), args: fc.array(tie("expr"), { minLength: 1, maxLength: 3 }) }),
      fc.record({ op: fc.constant("not"), arg: tie("expr") }),
    ) as fc.Arbitrary<FilterExpr>,
  })).expr;

const optional = <T extends object, K extends string, V>(base: fc.Arbitrary<T>, key: K, value: fc.Arbitrary<V>) =>
  fc.tuple(base, fc.option(value, { nil: undefined })).map(([b, v]) => (v === undefined ? b : { ...b, [key]: v }));

const holder = fc.oneof(
  fc.record({ type: fc.constant("project" as const), entity: fc.constantFrom("acme", "ml-team"), project: fc.constantFrom("llm", "7b-eval", "metric", "a b") }),
  fc.record({ type: fc.constant("registry" as const), org: fc.constant("acme"), registry: fc.constantFrom("model", "datasets") }),
);
const scope: fc.Arbitrary<Scope> = fc.oneof(
  holder,
  fc.record({ type: fc.constant("collection" as const), parent: holder, collection: fc.constantFrom("dataset", "llm-7b", "class") }),
  fc.record({ type: fc.constant("team" as const), team: fc.constantFrom("acme", "ml-team") }),
  fc.record({ type: fc.constant("org" as const), org: fc.constant("acme") }),
);

const artifact = (types: readonly string[]) =>
  fc.constantFrom(...types).chain((type) => optional(fc.record({ type: fc.constant(type) }), "filter", filter(type.includes("Tag") ? ["tag"] : ["alias"])));
const run = optional(
  fc.oneof(
    fc.record({ type: fc.constant("runState"), states: fc.uniqueArray(fc.constantFrom("running", "finished", "failed"), { minLength: 1 }) }),
    fc.record({ type: fc.constant("runMetricThreshold"), metric: name, agg: fc.constantFrom("mean", "min", "max", null), window, cmp: fc.constantFrom("gt", "gte", "lt", "lte", "eq", "ne"), threshold: number }),
    fc.record({
      type: fc.constant("runMetricChange"), metric: name, agg: fc.constantFrom("mean", "min", "max", null), window, priorWindow: window,
      change: fc.constantFrom("relative", "absolute"), direction: fc.constantFrom("increase", "decrease", "any"), amount: positive,
    }),
    fc.record({ type: fc.constant("runMetricZScore"), metric: name, window: fc.integer({ min: 2, max: 200 }), direction: fc.constantFrom("increase", "decrease", "any"), threshold: positive }),
  ),
  "runFilter",
  filter(["runName", "runUser"]),
);
const rawEvent = fc.record({ type: fc.constant("raw"), wireType: fc.constantFrom("RUN_METRIC", "WEAVE_METRIC_THRESHOLD"), filter: json });
const ARTIFACT = ["linkArtifact", "unlinkArtifact", "addArtifactAlias", "addArtifactTag", "removeArtifactTag", "addCollectionTag", "removeCollectionTag"];
const eventFor = (s: Scope): fc.Arbitrary<EventSpec> =>
  (s.type === "collection" ? fc.oneof(artifact([...ARTIFACT, "createArtifact"]), rawEvent) : fc.oneof(artifact(ARTIFACT), run, rawEvent)) as fc.Arbitrary<EventSpec>;

const action: fc.Arbitrary<ActionSpec> = fc.oneof(
  fc.constant({ type: "noop" as const }),
  fc.record({ type: fc.constant("notification" as const), integration: fc.record({ kind: fc.constant("slack" as const), name }), title: text, message: text, severity: fc.constantFrom("INFO", "WARN", "ERROR") }),
  fc.record({ type: fc.constant("webhook" as const), integration: fc.record({ kind: fc.constant("webhook" as const), name: fc.constantFrom("deploy", "ci hook", "a-b_c") }) }),
  fc.record({ type: fc.constant("webhook" as const), integration: fc.record({ kind: fc.constant("webhook" as const), name: fc.constant("deploy") }), payload: json }),
  fc.record({ type: fc.constant("webhook" as const), integration: fc.record({ kind: fc.constant("webhook" as const), name: fc.constant("deploy") }), payloadText: text }),
);

const spec: fc.Arbitrary<AutomationSpec> = scope.chain((s) =>
  optional(fc.record({ name, enabled: fc.boolean(), scope: fc.constant(s), event: eventFor(s), action }), "description", text),
) as fc.Arbitrary<AutomationSpec>;

/** Valid live definitions, normalised as the wire decoder returns them, with unique names per scope. */
const liveDefinitions = fc.array(spec, { minLength: 30, maxLength: 60 }).map((specs) => {
  const seen = new Set<string>();
  return specs
    .map((s) => normalizeSpec(s))
    .filter((s) => validate(s).issues.every((i) => i.severity !== "error"))
    .filter((s) => {
      const key = `${scopeKey(s.scope)}/${s.name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
});

const USER_FORMAT: FormatOptions = { semi: false, singleQuote: true, useTabs: true, printWidth: 60, trailingComma: "none", quoteProps: "consistent", bracketSpacing: false };

describe("generated code round-trips (property)", () => {
  it("type-checks, and loads back as exactly the definitions it was written from", async () => {
    await fc.assert(
      fc.asyncProperty(liveDefinitions, async (specs) => {
        // Tripwire's layout, and a user's Prettier configuration as far from it as Prettier goes (no semicolons: ASI).
        for (const format of [DEFAULT_FORMAT, USER_FORMAT]) {
          const { text: source } = await generateSource({ format, automations: specs.map((s) => ({ spec: s, notes: ["note with */ and a\nnewline"] })), skipped: [{ address: "project:acme/llm/x", reason: "a reason\u2028with a separator" }] });
          // Arbitrary payload text: let through what W&B's Python SDK could not list (TW6521).
          const dir = makeProject({ "tripwire.config.ts": "export default { interop: { allowNonJsonPayload: true } };\n" });
          mkdirSync(join(dir, "automations"));
          writeFileSync(join(dir, "automations", "imported.ts"), source);
          expect(await typecheckFiles(["automations/imported.ts"], dir)).toEqual([]);
          const loaded = await loadDefinitions({ cwd: dir });
          expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
          const byAddress = new Map(loaded.automations.map((d) => [d.address, d.spec]));
          for (const s of specs) {
            const got = byAddress.get(`${scopeKey(s.scope)}/${s.name}`);
            expect(got && specsEqual(got, s) ? "equal" : { expected: s, got }).toBe("equal");
          }
          expect(loaded.automations).toHaveLength(specs.length);
        }
      }),
      // Each run type-checks a file (seconds): report the first counterexample rather than shrink it for minutes.
      { numRuns: 2, endOnFailure: true },
    );
  }, 300_000);
});
