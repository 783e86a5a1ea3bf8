// Issue 10 item 6: webhook and Slack URLs cannot reach link-local / metadata addresses, nor private and loopback
// ones unless the server was started with an allow-list; names are checked again, on connect, against the address
// connected to; redirects are never followed. Real server on loopback, real receivers.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runServerCli } from "../../src/cli.js";
import { UrlPolicy, type Resolver } from "../../src/runtime/url-policy.js";
import { CreateGenericWebhookIntegration } from "../documents.js";
import { gql, KEYS, metric, postEvents, receiver, SEED, tempDir } from "../helpers.js";
import { closeAll, closers, hookAutomation, serve, settled } from "./harness.js";

afterEach(closeAll);

const slackMutation = `mutation($input: CreateSlackIntegrationInput!) { createSlackIntegration(input: $input) { integration { id } } }`;

async function createHook(url: string, urlEndpoint: string, name: string) {
  return gql(url, KEYS.alice, CreateGenericWebhookIntegration, { input: { entityName: "ml", name, urlEndpoint } });
}

describe("URL policy at input (integration creation)", () => {
  const alwaysRefused: [string, RegExp][] = [
    ["http://169.254.169.254/latest/meta-data/", /169\.254\.169\.254 is a link-local \(cloud metadata\) address/],
    ["http://[fe80::1]/hook", /fe80::1 is a link-local/],
    ["http://metadata.google.internal/computeMetadata/v1/", /metadata\.google\.internal is a cloud metadata host/],
    ["http://METADATA.GOOGLE.INTERNAL./x", /metadata\.google\.internal is a cloud metadata host/],
    ["http://[fd00:ec2::254]/latest", /fd00:ec2::254 is a cloud metadata address/],
    ["http://0xa9fea9fe/", /169\.254\.169\.254 is a link-local/],
    ["http://[::ffff:169.254.169.254]/", /169\.254\.169\.254 is a link-local/],
    ["http://0.0.0.0:8080/", /0\.0\.0\.0 is in the unspecified range/],
    ["http://user:pass@hooks.example.com/x", /must not carry a user name or password/],
    ["ftp://hooks.example.com/x", /must be an http or https URL/],
  ];
  const privateOnes: [string, string][] = [
    ["http://127.0.0.1:9/hook", "127.0.0.1"],
    ["http://0x7f000001:9/hook", "127.0.0.1"],
    ["http://2130706433:9/hook", "127.0.0.1"],
    ["http://0177.0.0.1:9/hook", "127.0.0.1"],
    ["http://[::ffff:127.0.0.1]:9/hook", "127.0.0.1"],
    ["http://localhost:9/hook", "127.0.0.1"],
    ["http://10.1.2.3/hook", "10.1.2.3"],
    ["http://192.168.0.10/hook", "192.168.0.10"],
    ["http://[::1]:9/hook", "::1"],
  ];

  it("refuses link-local, metadata, encoded and private addresses and userinfo with a 400 that says why", async () => {
    const { server } = await serve([]);
    for (const [i, [url, why]] of alwaysRefused.entries()) {
      const r = await createHook(server.url, url, `bad-${i}`);
      expect(r.status, url).toBe(400);
      expect(r.body.errors?.[0]?.message, url).toMatch(why);
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "urlEndpoint" });
    }
    for (const [i, [url, address]] of privateOnes.entries()) {
      const r = await createHook(server.url, url, `private-${i}`);
      expect(r.status, url).toBe(400);
      expect(r.body.errors?.[0]?.message, url).toContain(`start the server with --allow-private ${address}`);
    }
    const slack = await gql(server.url, KEYS.alice, slackMutation, { input: { entityName: "ml", channelName: "#x", webhookUrl: "http://169.254.169.254/" } });
    expect(slack.status).toBe(400);
    expect(slack.body.errors?.[0]?.extensions).toMatchObject({ field: "webhookUrl" });
    expect((await createHook(server.url, "https://hooks.example.com/deploy", "public")).status).toBe(200);
  });

  it("opens exactly the allow-listed addresses, in every spelling, and never link-local or metadata", async () => {
    const { server } = await serve([], { allowPrivate: ["127.0.0.1", "10.0.0.0/8"] });
    for (const [i, [url, address]] of privateOnes.entries()) {
      const r = await createHook(server.url, url, `private-${i}`);
      const open = address === "127.0.0.1" || address === "10.1.2.3";
      expect(r.status, url).toBe(open ? 200 : 400);
    }
    for (const [i, [url, why]] of alwaysRefused.entries()) {
      const r = await createHook(server.url, url, `bad-${i}`);
      expect(r.status, url).toBe(400);
      expect(r.body.errors?.[0]?.message, url).toMatch(why);
    }
  });

  it("refuses an allow-list that names link-local or metadata addresses, or is not an address", async () => {
    const t = tempDir();
    closers.push(t.cleanup);
    for (const [entry, why] of [
      ["169.254.0.0/16", /"169\.254\.0\.0\/16": 169\.254\.0\.0 is a link-local .* always refused/],
      ["fd00:ec2::254", /cloud metadata address; such addresses are always refused/],
      ["intranet.local", /"intranet\.local" is not an IP address or a CIDR range/],
    ] as const) {
      let err = "";
      const code = await runServerCli(["--db", join(t.dir, "x.db"), "--port", "0", "--allow-private", `127.0.0.1,${entry}`], { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
      expect(code).toBe(2);
      expect(err).toMatch(why);
    }
    expect(() => new UrlPolicy(["0.0.0.0/0"])).toThrow(/always refused/);
  });
});

describe("URL policy at delivery", () => {
  async function fire(server: Awaited<ReturnType<typeof serve>>, integration: string, run = "r1") {
    await hookAutomation(server.server.url, server.project, integration);
    expect((await postEvents(server.server.url, KEYS.bob, metric(run, 1, { acc: 0.95 }))).status).toBe(200);
    return settled(server.server);
  }

  it("fails a delivery to a loopback receiver the allow-list does not open, and nothing reaches it", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const s = await serve([
      { kind: "webhook", entity: "ml", name: "plain", url: `${hook.url}/hook` },
      { kind: "webhook", entity: "ml", name: "userinfo", url: hook.url.replace("http://", "http://user:pw@") + "/hook" },
    ]);
    const [x] = await fire(s, s.integrations[0] as string);
    expect(x).toMatchObject({ state: "FAILED", statusCode: null });
    expect(x?.error).toContain("127.0.0.1 is a loopback address; start the server with --allow-private 127.0.0.1");
    expect(hook.received).toHaveLength(0);
  });

  it("refuses userinfo URLs at delivery even when the address is allowed, and delivers to encoded allowed ones", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const port = new URL(hook.url).port;
    const s = await serve(
      [
        { kind: "webhook", entity: "ml", name: "userinfo", url: `http://user:pw@127.0.0.1:${port}/userinfo` },
        { kind: "webhook", entity: "ml", name: "hex", url: `http://0x7f000001:${port}/hex` },
      ],
      { allowPrivate: ["127.0.0.1"] },
    );
    await hookAutomation(s.server.url, s.project, s.integrations[0] as string, '{"run":"${run_name}"}', "userinfo-hook");
    await hookAutomation(s.server.url, s.project, s.integrations[1] as string, '{"run":"${run_name}"}', "hex-hook");
    await postEvents(s.server.url, KEYS.bob, metric("r1", 1, { acc: 0.95 }));
    const xs = await settled(s.server);
    const byName = Object.fromEntries(xs.map((x) => [x.triggerName, x]));
    expect(byName["userinfo-hook"]).toMatchObject({ state: "FAILED" });
    expect(byName["userinfo-hook"]?.error).toContain("must not carry a user name or password");
    expect(byName["hex-hook"]).toMatchObject({ state: "FINISHED", statusCode: 200 });
    expect(hook.received.map((r) => r.path)).toEqual(["/hex"]);
  });

  it("checks the resolved address on connect, so a name rebound to loopback is refused (DNS rebinding)", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const port = new URL(hook.url).port;
    const asked: string[] = [];
    // The name passes the check at input (it is not an address); on connect it resolves to loopback.
    const rebinding: Resolver = (hostname, _o, cb) => {
      asked.push(hostname);
      cb(null, [{ address: "127.0.0.1", family: 4 }]);
    };
    const integrations = [{ kind: "webhook" as const, entity: "ml", name: "rebind", url: `http://rebind.tripwire.test:${port}/hook` }];
    const refused = await serve(integrations, { delivery: { urlPolicy: new UrlPolicy([], { resolver: rebinding }) } });
    const [x] = await fire(refused, refused.integrations[0] as string);
    expect(asked).toContain("rebind.tripwire.test");
    expect(x).toMatchObject({ state: "FAILED", statusCode: null });
    expect(x?.tries).toHaveLength(1); // a refusal is final, not retried
    expect(x?.error).toContain("rebind.tripwire.test resolves only to refused addresses: 127.0.0.1 is a loopback address");
    expect(hook.received).toHaveLength(0);
  });

  it("connects only to the resolved addresses the policy allows", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const port = new URL(hook.url).port;
    // Metadata first: the socket must be handed 127.0.0.1 only.
    const mixed: Resolver = (_h, _o, cb) => cb(null, [{ address: "169.254.169.254", family: 4 }, { address: "127.0.0.1", family: 4 }]);
    const s = await serve([{ kind: "webhook", entity: "ml", name: "mixed", url: `http://mixed.tripwire.test:${port}/hook` }], {
      delivery: { urlPolicy: new UrlPolicy(["127.0.0.1"], { resolver: mixed }), timeoutMs: 3000 },
    });
    const [x] = await fire(s, s.integrations[0] as string);
    expect(x).toMatchObject({ state: "FINISHED", statusCode: 200 });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]?.headers.host).toBe(`mixed.tripwire.test:${port}`);
  });

  it("never follows a redirect: the 302 is the answer, the target receives nothing", async () => {
    const target = await receiver();
    closers.push(target.close);
    const redirecting = await receiver(() => ({ status: 302, headers: { Location: `${target.url}/stolen` } }));
    closers.push(redirecting.close);
    const s = await serve([{ kind: "webhook", entity: "ml", name: "redirect", url: `${redirecting.url}/hook` }], { allowPrivate: ["127.0.0.1"] });
    const [x] = await fire(s, s.integrations[0] as string);
    expect(x).toMatchObject({ state: "FAILED", statusCode: 302, error: "receiver answered 302" });
    expect(redirecting.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
  });
});
