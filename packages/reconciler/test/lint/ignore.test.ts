import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { apply, plan } from "../../src/api.js";
import { makeProject } from "../project.js";

const defs = (extra: string) => `import { automation, onAddArtifactAlias, org, sendNotification, slack } from "@tripwire/sdk";
export const audit = automation("audit").in(org("acme")).on(onAddArtifactAlias()).do(sendNotification(slack("audit")))${extra};
`;
const config = `export default { automations: ["automations"], embedded: { integrations: [{ kind: "slack", entity: "acme", channelName: "audit", webhookUrl: "http://127.0.0.1:9/audit" }] } };\n`;

describe(".lintIgnore()", () => {
  it("is kept in the definition but never sent to W&B: adding it to an applied automation plans no change", async () => {
    const dir = makeProject({ "tripwire.config.ts": config, "automations/a.ts": defs("") });
    const first = await apply({ cwd: dir, typecheck: false, env: {}, yes: true });
    expect(first.exitCode).toBe(0);
    writeFileSync(join(dir, "automations/a.ts"), defs(`.lintIgnore("TWL040", "the audit channel wants every alias")`));
    const after = await plan({ cwd: dir, typecheck: false, env: {}, lint: true });
    expect(after.plan?.operations).toEqual([]);
    expect(after.diagnostics.map((d) => d.code)).toEqual([]);
    writeFileSync(join(dir, "automations/a.ts"), defs(""));
    const without = await plan({ cwd: dir, typecheck: false, env: {}, lint: true });
    expect(without.plan?.operations).toEqual([]);
    expect(without.diagnostics.map((d) => d.code)).toEqual(["TWL040"]);
  }, 120_000);
});
