// The README's first command is what a new user types: it must keep working, and a second run must change nothing.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("..", import.meta.url));
const run = (args: string[], cwd: string) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    const { WANDB_BASE_URL: _b, WANDB_API_KEY: _k, ...env } = process.env;
    const child = spawn(process.execPath, [join(repo, "packages/reconciler/bin/tripwire.js"), ...args], { cwd, env: { ...env, NO_COLOR: "1" } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("close", (code) => resolve({ code, out }));
  });

describe("README", () => {
  it("the first command applies the examples on the embedded default; running it again changes nothing", async () => {
    const first = readFileSync(join(repo, "README.md"), "utf8").split("```sh\n")[1]?.split("\n")[0] ?? "";
    const command = first.split("#")[0]?.trim() ?? "";
    expect(command).toBe("npm ci && npx tripwire apply --config examples/tripwire.config.ts --yes");
    // Everything after `npx tripwire`, on a scratch copy of examples/: the local database lands beside the config
    // (in the copy), not in the repository.
    const cwd = mkdtempSync(join(tmpdir(), "tripwire-readme-"));
    cpSync(join(repo, "examples"), join(cwd, "examples"), { recursive: true, filter: (src) => !/[/\\](node_modules|\.tripwire)([/\\]|$)/.test(src) });
    const args = command.split("npx tripwire ")[1]!.split(" ");
    const applied = await run([...args, "--no-typecheck"], cwd);
    expect(applied.out).toMatch(/Apply complete: \d+ added, 0 changed, 0 destroyed, \d+ prerequisites created\./);
    expect(applied.code).toBe(0);
    expect(existsSync(join(cwd, "examples", ".tripwire", "local.db"))).toBe(true);
    const again = await run([...args, "--no-typecheck"], cwd);
    expect(again.code).toBe(0);
    expect(again.out).toContain("No changes. The live automations match the code.");
  }, 180_000);
});
