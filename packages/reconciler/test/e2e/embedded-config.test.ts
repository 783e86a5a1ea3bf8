import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "@tripwire/server";
import { makeProject } from "../project.js";
import { runCli } from "./cli.js";

const config = (slackUrl: string, secret: string) => `export default {
  embedded: {
    integrations: [{ kind: "slack", entity: "acme", channelName: "ml-alerts", webhookUrl: "${slackUrl}" }],
    secrets: [{ entity: "acme", name: "HOOK_TOKEN", value: "${secret}" }],
  },
};
`;
const alerts = `import { automation, project, onRunState, sendNotification, slack } from "@tripwire/sdk";
export const failed = automation("run-failed").in(project("acme/llm")).on(onRunState(["failed"])).do(sendNotification(slack("ml-alerts"), { title: "Run failed" }));
`;

describe("the embedded default follows its config's integrations and secrets", () => {
  it("a changed webhook URL or secret value is planned again, applied in place, and the re-plan is empty", async () => {
    const dir = makeProject({ "tripwire.config.ts": config("http://127.0.0.1:9/slack", "first-v4lue"), "automations/alerts.ts": alerts });
    expect((await runCli(["apply", "--yes", "--no-typecheck"], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, "tripwire.config.ts"), config("http://127.0.0.1:9/slack-moved", "second-v4lue"));
    const plan = await runCli(["plan", "--detailed-exitcode", "--no-typecheck"], { cwd: dir });
    expect(plan.code).toBe(2);
    // Nothing to change in the automations; the prerequisites say what apply writes first (never a secret's value).
    expect(plan.stdout).toBe(
      "No changes. The live automations match the code.\n\nThe embedded backend will first create:\n  + secret HOOK_TOKEN in acme\n  + Slack integration #ml-alerts in acme\n",
    );
    expect(plan.stderr).not.toContain("v4lue");
    const applied = await runCli(["apply", "--yes", "--no-typecheck"], { cwd: dir });
    expect(applied.code).toBe(0);
    expect(applied.stdout + applied.stderr).not.toContain("v4lue");
    const again = await runCli(["plan", "--detailed-exitcode", "--no-typecheck"], { cwd: dir });
    expect({ code: again.code, stdout: again.stdout }).toEqual({ code: 0, stdout: "No changes. The live automations match the code.\n" });

    // Updated in place: one Slack integration with the new URL, the secret with the new value.
    const store = openStore(join(dir, ".tripwire", "local.db"));
    try {
      const acme = store.entityByName("acme");
      expect(acme).toBeDefined();
      const integrations = store.listIntegrations(acme!.id, { after: 0, limit: 100 }).items;
      expect(integrations.map((i) => [i.kind, i.channelName, i.url])).toEqual([["slack", "ml-alerts", "http://127.0.0.1:9/slack-moved"]]);
      expect(store.secretValues(acme!.id)).toEqual({ HOOK_TOKEN: "second-v4lue" });
    } finally {
      store.close();
    }
  });
});
