// What a new user trips over on the command line (issue 9 §4): each mistake gets one clear line, not the help and
// not "a Tripwire bug".
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { invokedIn } from "../src/cli/io.js";
import { spawnCli as runCli } from "./e2e/cli.js";
import { makeProject, REPO } from "./project.js";
import { runMain } from "./io.js";

const version = (JSON.parse(readFileSync(join(REPO, "packages/reconciler/package.json"), "utf8")) as { version: string }).version;

const defs = {
  "automations/a.ts": `import { automation, project, onRunState, doNothing } from "@tripwire/sdk";
export const a = automation("a").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing());
`,
};

describe("the command line", () => {
  it("tripwire --version and tripwire version print the package's version", async () => {
    const dir = makeProject({});
    for (const argv of [["--version"], ["version"]]) {
      const r = await runMain(argv, dir);
      expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    }
  });

  it("tripwire help [command] is tripwire [command] --help", async () => {
    // yargs writes its help to the process's stdout, so through the bin.
    const dir = makeProject({});
    const r = await runCli(["help", "plan"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("tripwire plan [paths..]");
  }, 60_000);

  it("a usage mistake a command finds after parsing shows that command's help, then the mistake", async () => {
    const dir = makeProject({});
    for (const [argv, message] of [
      [["history", "--limit", "0"], "--limit must be an integer from 1 to 1000"],
      [["plan", "--json", "--markdown"], "choose one output: --json or --markdown"],
      [["import", "--project", ""], "--project and --registry need a name"],
    ] as const) {
      const r = await runMain([...argv], dir);
      expect(r.code).toBe(1);
      const lines = r.stderr.split("\n");
      // --json: the one JSON document on stdout, no help on stderr.
      if ((argv as readonly string[]).includes("--json")) {
        expect(JSON.parse(r.stdout)).toEqual({ error: { kind: "usage", code: "TW6200", message } });
        expect(r.stderr).toBe(`${message}\n`);
      } else {
        expect(lines[0]).toBe(argv[0] === "history" ? "tripwire history" : "tripwire import");
        expect(lines.slice(-2)).toEqual([message, ""]);
        expect(r.stdout).toBe("");
      }
    }
  });

  it("an unknown command is one line with what was probably meant", async () => {
    const dir = makeProject({});
    expect(await runMain(["plna"], dir)).toEqual({ code: 1, stdout: "", stderr: 'error: unknown command "plna": did you mean "tripwire plan"? (tripwire --help lists the commands)\n' });
    expect((await runMain(["frobnicate"], dir)).stderr).toBe('error: unknown command "frobnicate" (tripwire --help lists the commands)\n');
  });

  it("yargs' messages are English whatever the locale, so an unknown option is still one line", async () => {
    const dir = makeProject({});
    const saved = process.env.LC_ALL;
    process.env.LC_ALL = "de_DE.UTF-8";
    try {
      expect(await runMain(["validate", "--zzzzzz"], dir)).toEqual({ code: 1, stdout: "", stderr: "error: unknown option --zzzzzz for tripwire validate (tripwire validate --help lists the options)\n" });
    } finally {
      if (saved === undefined) delete process.env.LC_ALL;
      else process.env.LC_ALL = saved;
    }
  });

  it("an unknown option names it once, as typed, and suggests the kebab-case flag, never its camelCase twin", async () => {
    const dir = makeProject({});
    const r = await runMain(["plan", "--detailed-exitcod"], dir);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: unknown option --detailed-exitcod for tripwire plan: did you mean --detailed-exitcode? (tripwire plan --help lists the options)\n",
    });
    expect((await runMain(["apply", "--allow-delet"], dir)).stderr).toBe(
      "error: unknown option --allow-delet for tripwire apply: did you mean --allow-delete? (tripwire apply --help lists the options)\n",
    );
    expect((await runMain(["validate", "--zzzzzz"], dir)).stderr).toBe("error: unknown option --zzzzzz for tripwire validate (tripwire validate --help lists the options)\n");
  });

  it("existing spellings keep working: kebab-case, camelCase, aliases, --no-", async () => {
    const dir = makeProject(defs);
    for (const flag of ["--detailed-exitcode", "--detailedExitcode"]) {
      const r = await runMain(["plan", "--no-typecheck", flag], dir);
      expect(r.code, r.stderr).toBe(2);
    }
    expect((await runMain(["apply", "-y", "--no-typecheck"], dir)).code).toBe(0);
    expect((await runMain(["plan", "--typecheck=false", "--detailed-exitcode"], dir)).code).toBe(0);
  }, 60_000);

  it("--json prints one JSON document on stdout when the command line is wrong", async () => {
    const dir = makeProject({});
    const r = await runMain(["plan", "--json", "--bogus"], dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: { kind: "usage", code: "TW6200", message: "unknown option --bogus for tripwire plan (tripwire plan --help lists the options)" } });
    const both = await runMain(["plan", "--json", "--markdown"], dir);
    expect(JSON.parse(both.stdout)).toEqual({ error: { kind: "usage", code: "TW6200", message: "choose one output: --json or --markdown" } });
  });
});

describe("--json when the run aborts", () => {
  it("every command that takes --json prints exactly one JSON document on stdout, the error envelope", async () => {
    const dir = makeProject(defs);
    for (const argv of [["plan"], ["apply", "--yes"], ["import", "--entity", "acme"]]) {
      const r = await runMain([...argv, "--json", "--no-typecheck"], dir, { WANDB_BASE_URL: "localhost:8080", WANDB_API_KEY: "k" });
      expect(r.code, argv.join(" ")).toBe(1);
      expect(JSON.parse(r.stdout), argv.join(" ")).toEqual({
        error: { kind: "failure", code: "TW6202", message: "WANDB_BASE_URL=localhost:8080 has no scheme: write it with one, e.g. https://localhost:8080" },
      });
      expect(r.stderr).toBe("error TW6202: WANDB_BASE_URL=localhost:8080 has no scheme: write it with one, e.g. https://localhost:8080\n");
    }
    // Without --json, stdout stays empty.
    expect((await runMain(["plan", "--no-typecheck"], dir, { WANDB_BASE_URL: "localhost:8080" })).stdout).toBe("");
  });
});

describe("the folder a command runs in", () => {
  const root = "/repo";
  it("npx inside a workspace folder runs where the user typed it (INIT_CWD)", () => {
    expect(invokedIn({ npm_command: "exec", INIT_CWD: "/repo/examples/tutorial" }, root)).toBe("/repo/examples/tutorial");
  });
  it("keeps the working directory otherwise", () => {
    // npm run scripts run in their package's folder by design.
    expect(invokedIn({ npm_command: "run-script", INIT_CWD: "/repo/examples/tutorial" }, root)).toBe(root);
    // A child process that inherited INIT_CWD from a test runner started elsewhere.
    expect(invokedIn({ npm_command: "exec", INIT_CWD: "/elsewhere" }, root)).toBe(root);
    expect(invokedIn({ npm_command: "exec", INIT_CWD: "/repo-other" }, root)).toBe(root);
    expect(invokedIn({ npm_command: "exec", INIT_CWD: root }, root)).toBe(root);
    expect(invokedIn({ npm_command: "exec" }, root)).toBe(root);
    expect(invokedIn({ INIT_CWD: "/repo/examples" }, root)).toBe(root);
  });
});
