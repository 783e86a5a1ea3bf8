// `npx tripwire …` typed inside a workspace folder (the tutorial's `cd examples/tutorial`): npm runs the bin in the
// workspace root, and the CLI must still work in the folder the user typed the command in. About the process, so
// through npx itself, not the bin file.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../project.js";
import { runProcess, type CliResult } from "./cli.js";

const TUTORIAL = join(REPO, "examples", "tutorial");

function cleanEnv(): NodeJS.ProcessEnv {
  const { WANDB_BASE_URL: _b, WANDB_API_KEY: _k, WANDB_ENTITY: _e, INIT_CWD: _i, npm_command: _c, ...rest } = process.env;
  return { ...rest, NO_COLOR: "1" };
}

function npx(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runProcess("npx", ["tripwire", ...args], { cwd, env: { ...cleanEnv(), ...env } });
}

describe("npx tripwire in a workspace folder", () => {
  it("reads the config and files of the folder it was typed in", async () => {
    // examples/ holds a config with 15 automations; examples/tutorial/ has its own (owner "tutorial"), whose
    // automations/ folder the tutorial's import writes later. Run in the wrong folder, validate would pass.
    const r = await npx(["validate", "--no-typecheck", "--json"], TUTORIAL);
    const doc = JSON.parse(r.stdout) as { valid: boolean; diagnostics: { code: string; message: string }[] };
    expect(doc.valid).toBe(false);
    expect(doc.diagnostics.map((d) => d.code)).toEqual(["TW2003"]);
    expect(doc.diagnostics[0]?.message).toMatch(/^automations does not exist/);
  }, 60_000);

  it("the tutorial's server command finds seed.json beside it", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "tripwire-npx-")), "wandb.db");
    // Its own process group: npx runs the server as a child of its own, which a signal to npx alone would leave running.
    const child = spawn("npx", ["tripwire", "server", "--db", db, "--port", "0", "--seed", "seed.json"], { cwd: TUTORIAL, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    try {
      const listening = await new Promise<string>((resolve, reject) => {
        let stderr = "";
        const timer = setTimeout(() => reject(new Error(`no "listening" within 30 s: ${stderr}`)), 30_000);
        child.stderr.on("data", (c) => {
          stderr += c;
          const line = stderr.split("\n").find((l) => l.includes('"listening"'));
          if (line) {
            clearTimeout(timer);
            resolve(line);
          }
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          reject(new Error(`exited ${code}: ${stderr}`));
        });
      });
      expect(JSON.parse(listening)).toMatchObject({ msg: "listening", db });
    } finally {
      process.kill(-(child.pid as number), "SIGTERM");
      await exited;
    }
  }, 60_000);
});
