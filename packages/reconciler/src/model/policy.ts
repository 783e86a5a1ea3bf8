// What a policy is, what it sees, and how tripwire.config.ts names one (the schema the config is read with).
import * as z from "zod";
import type { PlanBacktest } from "./backtest.js";
import type { Plan } from "./plan.js";

/** What a policy sees. */
export interface PolicyContext {
  /** The plan document (format `plan.format_version`), operations in apply order. */
  readonly plan: Plan;
  /** `plan --backtest`: each change's firings over the history, old and new definition. */
  readonly backtest?: PlanBacktest | undefined;
  /** The pull request's labels (`--label`, or `TRIPWIRE_PR_LABELS`), when known. */
  readonly labels?: readonly string[] | undefined;
  /** Webhook URLs Tripwire knows, by `entity/name`: those the backend lists, and the embedded default's in the config. */
  readonly webhookUrls: ReadonlyMap<string, string>;
  /** `plan` (a pull request is reviewed) or `apply` (a reviewed change is applied). */
  readonly stage: "plan" | "apply";
}

/** One thing a policy refuses, about one automation when `address` is given. */
export interface PolicyViolation {
  readonly message: string;
  readonly address?: string | undefined;
}

/** A policy written in `tripwire.config.ts`. */
export interface Policy {
  readonly name: string;
  readonly check: (ctx: PolicyContext) => readonly PolicyViolation[] | Promise<readonly PolicyViolation[]>;
}

/** The built-in policies and their options, enabled by name: `"description-and-owner"` or `{ policy: …, …options }`. */
export const BuiltinPolicySchema = z.discriminatedUnion("policy", [
  z.object({ policy: z.literal("webhook-hosts"), hosts: z.array(z.string().min(1)).min(1) }).strict(),
  z.object({ policy: z.literal("org-scope-label"), label: z.string().min(1) }).strict(),
  z.object({ policy: z.literal("max-daily-slack"), max: z.number().int().min(0) }).strict(),
  z.object({ policy: z.literal("description-and-owner") }).strict(),
]);
export type BuiltinPolicy = z.infer<typeof BuiltinPolicySchema>;
export const BUILTIN_POLICY_NAMES = ["webhook-hosts", "org-scope-label", "max-daily-slack", "description-and-owner"] as const;

export const PolicyEntrySchema = z.union([
  z.literal("description-and-owner"),
  BuiltinPolicySchema,
  z.custom<Policy>(
    (v) => typeof v === "object" && v !== null && typeof (v as Policy).name === "string" && typeof (v as Policy).check === "function",
    'a policy is a built-in ("description-and-owner", { policy: "webhook-hosts", hosts: [...] }, …) or { name, check(ctx) }',
  ),
]);
export type PolicyEntry = z.infer<typeof PolicyEntrySchema>;

