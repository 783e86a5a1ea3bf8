/**
 * Policies: checks over a plan, in code. A policy is a typed function over the versioned plan document (what
 * `tripwire plan --json` prints, JSON_CONTRACT.md) and its backtest; the built-ins are enabled by name in
 * `tripwire.config.ts`. A violation is an error diagnostic: `plan` exits 3 and shows it (text, Markdown, JSON),
 * and `apply` refuses the plan.
 */
import type { BuiltinPolicy, Policy, PolicyContext, PolicyEntry, PolicyViolation } from "../model/policy.js";
import { describeScope, scopeEntity, type AutomationSpec } from "@tripwire/sdk";
import type { Operation, Plan } from "../model/plan.js";
import type { Diagnostic } from "../model/types.js";
import { pick } from "../model/codes.js";

/** Codes of policy results (TW6700–TW6799, shared with lint's own). */
export const POLICY_CODES = pick("TW6710", "TW6711");

/** Operations that write a definition (create, update, rename), with it. */
const written = (plan: Plan) => plan.operations.filter((o): o is Exclude<Operation, { op: "delete" }> => o.op !== "delete");

const hostMatches = (host: string, pattern: string) => (pattern.startsWith("*.") ? host.endsWith(pattern.slice(1)) : host === pattern);

function webhookKey(spec: AutomationSpec): string | undefined {
  if (spec.action.type !== "webhook") return undefined;
  return `${spec.action.integration.entity ?? scopeEntity(spec.scope)}/${spec.action.integration.name}`;
}

const OWNER = /(^|\s)(@[\w.-]+|owner:\s*\S+)/i;

/** The built-ins as policies. */
export function builtinPolicy(entry: BuiltinPolicy | "description-and-owner"): Policy {
  const b: BuiltinPolicy = typeof entry === "string" ? { policy: entry } : entry;
  switch (b.policy) {
    case "webhook-hosts":
      return {
        name: `webhook-hosts (${b.hosts.join(", ")})`,
        check: (ctx) =>
          written(ctx.plan).flatMap((op) => {
            const key = webhookKey(op.after);
            if (key === undefined) return [];
            const url = ctx.webhookUrls.get(key);
            if (url === undefined) return [{ address: op.address, message: `the URL of webhook ${key} is not known to Tripwire, so its host cannot be checked against the allow-list` }];
            const host = new URL(url).hostname;
            return b.hosts.some((h) => hostMatches(host, h)) ? [] : [{ address: op.address, message: `webhook ${key} posts to ${host}, which is not in the allowed hosts (${b.hosts.join(", ")})` }];
          }),
      };
    case "org-scope-label":
      return {
        name: `org-scope-label (${b.label})`,
        check: (ctx) => {
          const org = ctx.plan.operations.filter((o) => o.scope.type === "org");
          // At apply the change was reviewed with its pull request's labels; only a plan is checked.
          if (org.length === 0 || ctx.stage === "apply") return [];
          if (ctx.labels?.includes(b.label)) return [];
          const why = ctx.labels === undefined ? "no pull-request labels were given (--label, or TRIPWIRE_PR_LABELS)" : `the pull request's labels are ${ctx.labels.length > 0 ? ctx.labels.join(", ") : "none"}`;
          return org.map((o) => ({ address: o.address, message: `changes an org-scope automation (${describeScope(o.scope)}): it needs the "${b.label}" label on the pull request; ${why}` }));
        },
      };
    case "max-daily-slack":
      return {
        name: `max-daily-slack (${b.max})`,
        check: (ctx) => {
          const slack = written(ctx.plan).filter((o) => o.after.action.type === "notification");
          if (slack.length === 0 || ctx.stage === "apply") return [];
          if (ctx.backtest === undefined) return slack.map((o) => ({ address: o.address, message: `posts to Slack, and its daily volume is unknown: run the plan with --backtest history/` }));
          return slack.flatMap((o) => {
            const change = ctx.backtest?.changes.find((c) => c.address === o.address);
            const day = change?.after?.busiestDay;
            const before = change?.before?.busiestDay?.firings ?? 0;
            if (!day || day.firings <= b.max || day.firings <= before) return [];
            return [{ address: o.address, message: `would post ${day.firings} Slack messages on its busiest day (${day.day}), above the limit of ${b.max}${before > 0 ? ` (${before} before this change)` : ""}` }];
          });
        },
      };
    case "description-and-owner":
      return {
        name: "description-and-owner",
        check: (ctx) =>
          written(ctx.plan).flatMap((op) => {
            const d = op.after.description?.trim() ?? "";
            if (d === "") return [{ address: op.address, message: 'has no description: add .describe("what it is for, owner: @team")' }];
            if (!OWNER.test(d)) return [{ address: op.address, message: `its description names no owner: add "owner: <team>" or an @handle` }];
            return [];
          }),
      };
  }
}

/** Runs the policies; each violation (and a policy that throws) is an error diagnostic at the automation's definition. */
export async function checkPolicies(entries: readonly PolicyEntry[], ctx: PolicyContext): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const entry of entries) {
    const policy = typeof entry === "string" || "policy" in entry ? builtinPolicy(entry as BuiltinPolicy) : (entry as Policy);
    let violations: readonly PolicyViolation[];
    try {
      violations = await policy.check(ctx);
    } catch (error) {
      out.push({ code: "TW6711", severity: "error", message: `policy ${policy.name} threw: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    for (const v of violations) {
      const op = v.address === undefined ? undefined : ctx.plan.operations.find((o) => o.address === v.address);
      out.push({
        code: "TW6710",
        severity: "error",
        message: `policy ${policy.name}: ${op ? `${op.name}: ` : v.address ? `${v.address}: ` : ""}${v.message}`,
        ...(op?.source ? { source: op.source } : {}),
        ...(op ? { subject: op.name } : {}),
      });
    }
  }
  return out;
}
