import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { makeProject } from "../project.js";
import { spawnCli as runCli, startCli } from "./cli.js";

describe("a new user's first session", () => {
  it("applies on the embedded default, serves it with `tripwire server`, streams events, and a signed webhook arrives", async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const dir = makeProject({
      "tripwire.config.ts": `export default {
  embedded: {
    integrations: [{ kind: "webhook", entity: "acme", name: "alerts", url: "${hook}", secret: "SIGNING", accessToken: "TOKEN" }],
    secrets: [{ entity: "acme", name: "SIGNING", value: "sign-me" }, { entity: "acme", name: "TOKEN", value: "bearer-token" }],
  },
};
`,
      "automations/loss.ts": `import { automation, project, metric, onRunMetric, runName, sendWebhook, webhook } from "@tripwire/sdk";
export default automation("loss-spike").in(project("acme/llm"))
  .on(onRunMetric(metric("loss").mean(3).gt(0.6)).where(runName.contains("sweep")))
  .do(sendWebhook(webhook("alerts"), { payload: { text: "\${run_name} spiked", project: "\${project_name}" } }));
`,
      "seed.json": JSON.stringify({ users: [{ username: "alice", apiKeys: ["alice-key-0000001"] }], teams: [{ name: "acme", admins: ["alice"] }] }),
    });
    expect((await runCli(["apply", "--yes", "--no-typecheck"], { cwd: dir })).code).toBe(0);

    const server = startCli(["server", "--port", "0", "--seed", "seed.json", "--durability", "normal", "--allow-private", "127.0.0.1"], { cwd: dir });
    const url = await new Promise<string>((resolve, reject) => {
      let log = "";
      server.stderr?.on("data", (c) => {
        log += c;
        const m = /"msg":"listening","url":"(http:\/\/[^"]+)"/.exec(log);
        if (m) resolve(m[1] as string);
      });
      server.on("close", () => reject(new Error(`server exited: ${log}`)));
    });
    const auth = `Basic ${Buffer.from("api:alice-key-0000001").toString("base64")}`;
    const events = [0.5, 0.7, 0.8, 0.9].map((loss, step) =>
      JSON.stringify({ type: "run.metric", entity: "acme", project: "llm", run: { id: "r1", name: 'sweep "7"\nb', user: "alice" }, step, timestamp: `2026-11-26T10:00:0${step}Z`, metrics: { loss } }),
    );
    const res = await fetch(`${url}/api/v1/events`, { method: "POST", headers: { authorization: auth, "content-type": "application/x-ndjson" }, body: events.join("\n") });
    expect(res.status).toBe(200);
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));

    server.kill("SIGTERM");
    const code = await new Promise((r) => server.on("close", r));
    receiver.close();
    expect(code).toBe(0);
    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(JSON.parse(delivery!.body)).toEqual({ text: 'sweep "7"\nb spiked', project: "llm" });
    expect(delivery!.headers.authorization).toBe("Bearer bearer-token");
    expect(delivery!.headers["x-wandb-signature"]).toBe(createHmac("sha256", "sign-me").update(delivery!.body).digest("base64"));
  }, 60_000);
});
