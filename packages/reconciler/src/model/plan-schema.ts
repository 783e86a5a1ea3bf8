import * as z from "zod";
import { AutomationSpecSchema, ScopeSchema as SdkScopeSchema, type AutomationSpec, type Scope } from "@tripwire/sdk";
import type { Plan } from "./plan.js";
import type { DiagnosticCode } from "./codes.js";

// A saved plan (`tripwire plan --out`) is read back by `tripwire apply plan.json`: the file is checked against
// this schema before anything in it is trusted, so a hand-edited or truncated plan is refused with the path of
// what is wrong instead of failing halfway through an apply. JSON_CONTRACT.md describes the same document.

const SourceSchema = z.object({ file: z.string(), line: z.number(), column: z.number() });
// The specs were validated when the plan was made; the schema holds them to the SDK's shape again.
// (The SDK's `AutomationSpec` and `Scope` types are written over its schemas' inferred types: the casts name them.)
const SpecSchema = AutomationSpecSchema as unknown as z.ZodType<AutomationSpec>;
const ScopeSchema = SdkScopeSchema as unknown as z.ZodType<Scope>;
const FieldChangeSchema = z.object({ path: z.string(), before: z.json().optional(), after: z.json().optional() });

const opBase = { address: z.string(), name: z.string(), scope: ScopeSchema, source: SourceSchema.optional() };
const changeBase = { ...opBase, id: z.string(), before: SpecSchema, after: SpecSchema, changes: z.array(FieldChangeSchema), scopeId: z.string(), integrationId: z.string().optional() };

const OperationSchema = z.discriminatedUnion("op", [
  z.object({ ...opBase, op: z.literal("create"), after: SpecSchema, scopeId: z.string().optional(), integrationId: z.string().optional() }),
  z.object({ ...changeBase, op: z.literal("update"), reason: z.enum(["code", "drift", "conflict", "ownership"]) }),
  z.object({ ...changeBase, op: z.literal("rename"), from: z.string() }),
  z.object({ ...opBase, op: z.literal("delete"), id: z.string(), before: SpecSchema.optional() }),
]);

const EntityProject = z.object({ entity: z.string(), project: z.string() });

/**
 * A saved plan document (format `1.x`). Unknown keys are kept out of the result, so a newer minor version's
 * additions are ignored rather than refused.
 * @example PlanSchema.safeParse(JSON.parse(readFileSync("plan.json", "utf8")))
 */
export const PlanSchema = z.object({
  format_version: z.string().regex(/^1\.\d+$/, "must be a plan format 1.x"),
  owner: z.string(),
  backend: z.object({ kind: z.enum(["embedded", "remote"]), url: z.string() }),
  fingerprint: z.string(),
  read: z.object({
    entities: z.array(z.string()),
    lookups: z.object({
      entities: z.array(z.string()),
      projects: z.array(EntityProject),
      collections: z.array(z.object({ entity: z.string(), project: z.string(), collection: z.string() })),
      lists: z.array(EntityProject),
      integrations: z.array(z.string()),
    }),
  }),
  prerequisites: z.array(
    z.object({
      kind: z.enum(["entity", "project", "registry", "collection", "slack", "webhook", "secret"]),
      entity: z.string(),
      name: z.string(),
      parent: z.string().optional(),
      entityType: z.enum(["team", "organization"]).optional(),
    }),
  ),
  operations: z.array(OperationSchema),
  drift: z.array(z.object({ address: z.string(), id: z.string(), name: z.string(), changes: z.array(FieldChangeSchema), conflict: z.boolean() })),
  unmanaged: z.array(z.object({ address: z.string(), id: z.string(), name: z.string(), owner: z.string().optional() })),
  diagnostics: z.array(
    z.object({
      // A plan made by another version may carry a code this one does not register: it is shown, never decided on.
      code: z.string().transform((c) => c as DiagnosticCode),
      formerly: z.string().optional(),
      severity: z.enum(["error", "warning"]),
      message: z.string(),
      source: SourceSchema.optional(),
      subject: z.string().optional(),
    }),
  ),
  summary: z.object({ add: z.number(), change: z.number(), rename: z.number(), destroy: z.number() }),
});

/**
 * A saved plan checked against the schema: the plan, or the first problem as `path: message`. The checked document
 * is assigned to `Plan`, so the schema and the plan types cannot part without this failing to compile.
 */
export function parsePlan(json: unknown): { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly problem: string } {
  const r = PlanSchema.safeParse(json);
  if (r.success) {
    const plan: Plan = r.data;
    return { ok: true, plan };
  }
  const first = r.error.issues[0];
  const at = first && first.path.length > 0 ? `${first.path.map(String).join(".")}: ` : "";
  return { ok: false, problem: `${at}${first?.message ?? "invalid"}` };
}
