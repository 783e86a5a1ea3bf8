// Every example definition is valid: no errors, no warnings, names unique per scope.
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isAutomation, toSpec, validateAll, type AnyAutomation } from "@tripwire/sdk";

const folders = readdirSync(new URL(".", import.meta.url), { withFileTypes: true })
  // Example sets are the folders with an automations.ts (ci/ holds a workflow, tutorial/ starts without one).
  .filter((d) => d.isDirectory() && existsSync(new URL(`./${d.name}/automations.ts`, import.meta.url)))
  .map((d) => d.name)
  .sort();

describe("examples", () => {
  it("has the realistic sets the docs refer to", () => {
    expect(folders).toEqual(["collection-filter", "dataset-pipeline", "registry-promotion", "team-policies", "training-health"]);
  });
  for (const folder of folders) {
    it(`${folder}: every exported automation is complete and valid`, async () => {
      const mod = (await import(`./${folder}/automations.ts`)) as Record<string, unknown>;
      const found = Object.values(mod).filter((v): v is AnyAutomation => isAutomation(v));
      expect(found.length).toBeGreaterThanOrEqual(2);
      const result = validateAll(found.map(toSpec));
      expect(result.issues).toEqual([]);
    });
  }
});
