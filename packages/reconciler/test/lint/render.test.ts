import { describe, expect, it } from "vitest";
import { checkPolicies } from "../../src/policy/policy.js";
import { renderGithubAnnotations } from "../../src/render/github.js";
import type { Plan } from "../../src/model/plan.js";

describe("GitHub annotations", () => {
  it("escape what would end the command or split a property", () => {
    const out = renderGithubAnnotations([
      { code: "TWL020", severity: "warning", message: "50% of runs:\nline two\r", source: { file: "automations/a,b:c.ts", line: 3, column: 9 } },
      { code: "TW6711", severity: "error", message: "no location" },
    ]);
    expect(out).toBe("::warning file=automations/a%2Cb%3Ac.ts,line=3,col=9,title=TWL020::50%25 of runs:%0Aline two%0D\n::error title=TW6711::no location\n");
  });
});

describe("policies", () => {
  const plan = { operations: [], diagnostics: [] } as unknown as Plan;
  it("a policy that throws is an error diagnostic naming it, and the others still run", async () => {
    const found = await checkPolicies(
      [
        { name: "broken", check: () => { throw new Error("boom"); } },
        { name: "always", check: () => [{ message: "refused" }] },
      ],
      { plan, webhookUrls: new Map(), stage: "plan" },
    );
    expect(found).toEqual([
      { code: "TW6711", severity: "error", message: "policy broken threw: boom" },
      { code: "TW6710", severity: "error", message: "policy always: refused" },
    ]);
  });
});
