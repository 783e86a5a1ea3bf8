// A user's mistakes are reported as theirs (issue 9 §4): each names the input and how to fix it, with the documented
// exit code, and none says "a Tripwire bug". In-process (`main(argv, io)`) against the real server on loopback.
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer } from "@tripwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBaseUrl } from "../src/remote/open.js";
import { makeProject } from "./project.js";
import { runMain } from "./io.js";

const defs = {
  "automations/a.ts": `import { automation, project, onRunState, doNothing } from "@tripwire/sdk";
export const a = automation("a").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing());
`,
};

const noBug = (stderr: string) => expect(stderr).not.toContain("Tripwire bug");

describe("missing files are usage errors (exit 1), not invalid definitions (3)", () => {
  it("a missing --config, a missing definition path", async () => {
    const dir = makeProject(defs);
    const config = await runMain(["validate", "--no-typecheck", "--config", "nope.config.ts"], dir);
    expect(config.code).toBe(1);
    expect(config.stderr).toContain("error TW2000: config file nope.config.ts does not exist");
    const path = await runMain(["plan", "--no-typecheck", "missing/"], dir);
    expect(path.code).toBe(1);
    expect(path.stderr).toContain("error TW2003: missing/ does not exist");
    expect((await runMain(["apply", "--yes", "--no-typecheck", "missing/"], dir)).code).toBe(1);
    expect((await runMain(["backtest", "--no-typecheck", "--history", "h", "missing/"], dir)).code).toBe(1);
    expect((await runMain(["import", "--entity", "acme", "--config", "nope.config.ts"], dir)).code).toBe(1);
    expect((await runMain(["test", "--config", "nope.config.ts", "missing.test.yaml"], dir)).code).toBe(1);
    // An invalid definition is still 3.
    const bad = makeProject({ "automations/a.ts": "export const x = ;\n" });
    expect((await runMain(["validate", "--no-typecheck"], bad)).code).toBe(3);
  }, 60_000);

  it("tripwire apply missing-plan.json says the plan file is missing", async () => {
    const dir = makeProject(defs);
    const r = await runMain(["apply", "missing-plan.json"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error TW6201: the plan file missing-plan.json does not exist: save one with `tripwire plan --out missing-plan.json`, or run `tripwire apply` without it\n");
    expect(existsSync(join(dir, ".tripwire"))).toBe(false);
    const json = await runMain(["apply", "missing-plan.json", "--json"], dir);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { kind: "failure", code: "TW6201" } });
  });
});

describe("WANDB_BASE_URL and WANDB_API_KEY", () => {
  let server: RunningServer;
  const dir = mkdtempSync(join(tmpdir(), "tripwire-mistakes-"));
  beforeAll(async () => {
    server = await startServer({ db: join(dir, "w.db"), port: 0, seed: { users: [{ username: "alice", apiKeys: ["alice-key-0001"] }], teams: [{ name: "acme", admins: ["alice"] }] } });
  });
  afterAll(() => server.close());

  it("a base URL without a scheme, or ending in /graphql, is refused with the value to write", async () => {
    const project = makeProject(defs);
    const noScheme = await runMain(["plan", "--no-typecheck"], project, { WANDB_BASE_URL: "api.wandb.ai", WANDB_API_KEY: "k" });
    expect(noScheme).toEqual({ code: 1, stdout: "", stderr: "error TW6202: WANDB_BASE_URL=api.wandb.ai has no scheme: write it with one, e.g. https://api.wandb.ai\n" });
    const graphql = await runMain(["plan", "--no-typecheck"], project, { WANDB_BASE_URL: "https://api.wandb.ai/graphql", WANDB_API_KEY: "k" });
    expect(graphql.stderr).toBe("error TW6202: WANDB_BASE_URL=https://api.wandb.ai/graphql ends in /graphql: set the base URL, https://api.wandb.ai (Tripwire adds /graphql itself)\n");
    expect(() => checkBaseUrl("ftp://host")).toThrow("WANDB_BASE_URL=ftp://host uses ftp: only http and https reach a backend");
    expect(checkBaseUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(checkBaseUrl("https://wandb.example.com/base/")).toBe("https://wandb.example.com/base/");
  });

  it("a missing key says it is missing; a rejected key says so and names WANDB_API_KEY", async () => {
    const project = makeProject(defs);
    const missing = await runMain(["plan", "--no-typecheck"], project, { WANDB_BASE_URL: server.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error TW6203: ${server.url}/graphql needs an API key and WANDB_API_KEY is not set: export WANDB_API_KEY=<your key>\n`);
    const rejected = await runMain(["plan", "--no-typecheck"], project, { WANDB_BASE_URL: server.url, WANDB_API_KEY: "not-a-key-000" });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain(`error TW6204: ${server.url}/graphql rejected the API key in WANDB_API_KEY (HTTP 401): set WANDB_API_KEY to a current key of a user of this backend\n`);
    expect(rejected.stderr).not.toContain("not-a-key-000");
    const ok = await runMain(["plan", "--no-typecheck"], project, { WANDB_BASE_URL: server.url, WANDB_API_KEY: "alice-key-0001" });
    noBug(ok.stderr);
    expect(ok.stderr).not.toContain("TW620");
  });

  it("retries against an unreachable backend print a progress line each", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s: Server = createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    // The text and the --json run wait out their backoffs side by side (each in its own project).
    const [r, json] = await Promise.all([
      runMain(["plan", "--no-typecheck"], makeProject(defs), { WANDB_BASE_URL: `http://127.0.0.1:${closed}`, WANDB_API_KEY: "k" }),
      runMain(["plan", "--no-typecheck", "--json"], makeProject(defs), { WANDB_BASE_URL: `http://127.0.0.1:${closed}`, WANDB_API_KEY: "k" }),
    ]);
    expect(r.code).toBe(1);
    const retries = r.stderr.split("\n").filter((l) => l.includes("retrying in"));
    // Each of the requests read together retries on its own: every attempt from the 2nd to the 6th is announced.
    expect([...new Set(retries.map((l) => /\((\d)\/6\)$/.exec(l)?.[1]))].sort()).toEqual(["2", "3", "4", "5", "6"]);
    for (const l of retries) expect(l).toMatch(/^cannot reach the backend: .+; retrying in \d+(\.\d)? s \(\d\/6\)$/);
    expect(r.stderr).toContain("error TWE001: cannot reach");
    // With --json too: stdout holds the one document, stderr the waits.
    expect(json.stderr).toMatch(/retrying in \d+(\.\d)? s \(2\/6\)/);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { kind: "failure", code: "TWE001" } });
  }, 60_000);
});

describe("tripwire server", () => {
  const run = (args: string[], cwd: string) => runMain(["server", "--port", "0", "--db", join(cwd, "s.db"), ...args], cwd);

  it("a missing, unreadable or invalid seed is named, with what is wrong", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tripwire-seed-"));
    const missing = await run(["--seed", "seed.json"], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`error TW6205: seed file seed.json does not exist (looked for ${join(dir, "seed.json")}; a relative --seed is read from the folder you run tripwire in)\n`);
    mkdirSync(join(dir, "folder.json"));
    expect((await run(["--seed", "folder.json"], dir)).stderr).toBe("error TW6205: seed file folder.json is a folder, not a JSON file\n");
    writeFileSync(join(dir, "broken.json"), "{ users: [");
    expect((await run(["--seed", "broken.json"], dir)).stderr).toMatch(/^error TW6205: seed file broken\.json is not valid JSON: .+\n$/);
    writeFileSync(join(dir, "wrong.json"), JSON.stringify({ users: [{ username: "alice", apiKeys: ["short"] }], teams: "acme" }));
    const wrong = await run(["--seed", "wrong.json"], dir);
    expect(wrong.stderr).toMatch(/^error TW6205: seed file wrong\.json is not a valid seed \(the format is in @tripwire\/server's README\): users\.0\.apiKeys\.0: Too small: .+; teams: Invalid input: expected array, received string\n$/);
    expect(existsSync(join(dir, "s.db"))).toBe(false);
  });

  it("a port in use is named, with how to pick another, and the command returns", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tripwire-port-"));
    const holder = createHttpServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", r));
    const port = (holder.address() as AddressInfo).port;
    try {
      const r = await runMain(["server", "--port", String(port), "--db", join(dir, "s.db")], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error TW6206: port ${port} on 127.0.0.1 is already in use: stop the process that holds it, or pass another --port (--port 0 picks a free one)\n`);
      noBug(r.stderr);
    } finally {
      holder.close();
    }
  });
});

describe("tripwire comment", () => {
  it("a non-JSON answer from GitHub names the URL and what to check", async () => {
    const html = createHttpServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Sign in</body></html>"));
    await new Promise<void>((r) => html.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
    try {
      const dir = makeProject({ "plan.md": "**No changes.**\n" });
      const r = await runMain(["comment", "plan.md", "--repo", "acme/automations", "--pr", "7", "--api-url", base], dir, { GITHUB_TOKEN: "ghs_x" });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`^error TW6207: GitHub GET ${base}/repos/acme/automations/issues/7/comments\\S* answered HTTP 200 with something that is not JSON \\("<html><body>Sign in</body></html>"\\): check --api-url`),
      );
    } finally {
      html.close();
    }
  });
});

describe("plan and apply output", () => {
  it("a refused protected delete is not preceded by No changes", async () => {
    const protectedDef = `import { automation, project, onRunState, doNothing } from "@tripwire/sdk";
export const a = automation("a").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing()).protect();
`;
    const dir = makeProject({ "tripwire.config.ts": `export default { entities: ["acme"] };\n`, "automations/a.ts": protectedDef });
    expect((await runMain(["apply", "--yes", "--no-typecheck"], dir)).code).toBe(0);
    writeFileSync(join(dir, "automations/a.ts"), "export {};\n");
    const r = await runMain(["plan", "--no-typecheck"], dir);
    expect(r.code).toBe(3);
    expect(r.stdout).not.toContain("No changes");
    expect(r.stdout.split("\n").slice(0, 2)).toEqual(["Plan: 0 to add, 0 to change, 0 to destroy.", "1 error: this plan cannot be applied."]);
    expect(r.stdout).toContain("error TW3003:");
  }, 60_000);

  it("the embedded database is relative to the config file, not the working directory", async () => {
    const dir = makeProject({
      "team/tripwire.config.ts": `export default { automations: ["automations"], embedded: { db: "state/local.db" } };\n`,
      "team/automations/a.ts": defs["automations/a.ts"],
    });
    expect((await runMain(["apply", "--yes", "--no-typecheck", "--config", "team/tripwire.config.ts"], dir)).code).toBe(0);
    expect(existsSync(join(dir, "team", "state", "local.db"))).toBe(true);
    expect(existsSync(join(dir, "state"))).toBe(false);
    // From the config's folder, the same database: nothing to change.
    const again = await runMain(["plan", "--no-typecheck", "--detailed-exitcode"], join(dir, "team"));
    expect(again.stdout.split("\n")[0]).toBe("No changes. The live automations match the code.");
    expect(again.code).toBe(0);
  }, 60_000);
});
