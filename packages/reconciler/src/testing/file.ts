/**
 * Test files of `tripwire test`: YAML or JSON, read into plain data with the line of every value, so a mistake
 * is a diagnostic at `file:line:col`. The format is documented in the reconciler's README ("tripwire test").
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { LineCounter, parseDocument, type Node } from "yaml";
import * as z from "zod";
import { formatPath } from "@tripwire/sdk";
import { coded } from "../model/codes.js";
import type { Diagnostic } from "../model/types.js";

const duration = z.union([z.number().nonnegative(), z.string().regex(/^(\s*\d+(\.\d+)?(ms|s|m|h|d))+\s*$/, 'a duration such as "15s", "1m", "2h", "1d"')]);
const series = z.union([z.string(), z.array(z.number().nullable())]);
const time = z.union([z.string(), z.number()]);
const runState = z.enum(["running", "finished", "failed", "crashed", "killed"]);

const HistoryItemSchema = z.union([
  z.object({ metrics: z.record(z.string(), series) }).strict(),
  z.object({ wait: duration }).strict(),
  z.object({ state: runState }).strict(),
]);

const RunSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    user: z.string().optional(),
    project: z.string().optional(),
    start: time.optional(),
    every: duration.optional(),
    firstStep: z.number().int().nonnegative().optional(),
    metrics: z.record(z.string(), series).optional(),
    state: runState.optional(),
    history: z.array(HistoryItemSchema).optional(),
  })
  .strict()
  .refine((r) => r.history === undefined || (r.metrics === undefined && r.state === undefined), { message: "write either metrics and state, or history, not both" });

const version = z.number().int().nonnegative();
const ArtifactItemSchema = z.union([
  z.object({ create: version, aliases: z.array(z.string()).optional(), tags: z.array(z.string()).optional(), metadata: z.record(z.string(), z.json()).optional() }).strict(),
  z.object({ link: version, source: z.string().optional(), aliases: z.array(z.string()).optional(), tags: z.array(z.string()).optional() }).strict(),
  z.object({ unlink: version }).strict(),
  z.object({ addAlias: version, alias: z.string().min(1) }).strict(),
  z.object({ addTag: version, tag: z.string().min(1) }).strict(),
  z.object({ removeTag: version, tag: z.string().min(1) }).strict(),
  z.object({ addCollectionTag: z.string().min(1) }).strict(),
  z.object({ removeCollectionTag: z.string().min(1) }).strict(),
  z.object({ wait: duration }).strict(),
]);

const ArtifactsSchema = z
  .object({
    project: z.string().optional(),
    registry: z.string().optional(),
    collection: z.string().min(1),
    user: z.string().optional(),
    start: time.optional(),
    every: duration.optional(),
    events: z.array(ArtifactItemSchema),
  })
  .strict()
  .refine((a) => (a.project === undefined) !== (a.registry === undefined), { message: "name exactly one of project or registry" });

const ExpectationSchema = z
  .object({
    automation: z.string().min(1),
    /** false: must not fire (as queried). */
    fires: z.boolean().default(true),
    run: z.string().optional(),
    atStep: z.number().int().nonnegative().optional(),
    at: z.string().optional(),
    collection: z.string().optional(),
    version: version.optional(),
    alias: z.string().optional(),
    tag: z.string().optional(),
    times: z.number().int().nonnegative().optional(),
  })
  .strict();

const TestSchema = z
  .object({
    name: z.string().min(1),
    runs: z.array(RunSchema).default([]),
    artifacts: z.array(ArtifactsSchema).default([]),
    expect: z.array(ExpectationSchema).min(1, "list at least one expectation"),
  })
  .strict();

const TestFileSchema = z
  .object({
    /** Definition files or folders, relative to the test file (default: the project's definitions). */
    automations: z.union([z.string(), z.array(z.string())]).optional(),
    options: z
      .object({ partialWindows: z.boolean().optional(), cooldown: duration.optional(), runStateCooldown: z.boolean().optional() })
      .strict()
      .optional(),
    tests: z.array(TestSchema).min(1, "list at least one test"),
  })
  .strict();

export type TestFileData = z.infer<typeof TestFileSchema>;
export type TestCase = z.infer<typeof TestSchema>;
export type Expectation = z.infer<typeof ExpectationSchema>;
export type RunInput = z.infer<typeof RunSchema>;
export type ArtifactsInput = z.infer<typeof ArtifactsSchema>;

/** A test file read: its data and where each value is (`line(path)`), or its diagnostics. */
export type ReadTestFile =
  | { readonly ok: true; readonly file: string; readonly data: TestFileData; readonly line: (path: readonly (string | number)[]) => number }
  | { readonly ok: false; readonly file: string; readonly diagnostics: readonly Diagnostic[] };

export { TEST_FILE_CODES } from "../model/codes.js";

/** Reads and checks one test file (`.yaml`, `.yml` or `.json`; JSON is read as YAML, of which it is a subset). */
export function readTestFile(path: string, cwd: string): ReadTestFile {
  const file = relative(cwd, path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { ok: false, file, diagnostics: [{ ...coded("TW7001"), severity: "error", message: `cannot read ${file}: ${(error as Error).message}` }] };
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const at = (offset: number) => {
    const p = counter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    return { ok: false, file, diagnostics: doc.errors.map((e) => ({ ...coded("TW7001"), severity: "error" as const, message: e.message.split("\n")[0] as string, source: at(e.pos[0]) })) };
  }
  /** The node at a path, or the deepest ancestor that exists (a missing key is reported at its parent). */
  const nodeAt = (path: readonly (string | number)[]): Node | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (node && typeof node === "object" && "range" in node) return node as Node;
    }
    return undefined;
  };
  const line = (path: readonly (string | number)[]) => {
    const node = nodeAt(path);
    return node?.range ? at(node.range[0]).line : 1;
  };
  const parsed = TestFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      file,
      diagnostics: parsed.error.issues.map((i) => {
        const path = i.path.map((p) => (typeof p === "symbol" ? String(p) : p));
        const node = nodeAt(path);
        const where = node?.range ? at(node.range[0]) : { file, line: 1, column: 1 };
        return { ...coded("TW7002"), severity: "error" as const, message: `${path.length > 0 ? `${formatPath(path)}: ` : ""}${i.message}`, source: where };
      }),
    };
  }
  return { ok: true, file, data: parsed.data, line };
}
