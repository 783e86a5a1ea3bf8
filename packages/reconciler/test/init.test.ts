import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES, ignoresTripwire } from "../src/cli/init.js";
import { makeProject, REPO } from "./project.js";
import { runMain } from "./io.js";

describe("tripwire init", () => {
  it("sets up an empty repository; the project validates, plans and applies on the embedded default", async () => {
    const dir = makeProject({});
    const init = await runMain(["init"], dir);
    expect(init.code).toBe(0);
    expect(init.stdout).toBe(
      [
        "  created tripwire.config.ts",
        "  created automations/training.ts",
        "  created tsconfig.json",
        "  created .gitignore",
        "  created .github/workflows/tripwire.yml",
        "",
        "Next:",
        "  npx tripwire validate   # check the definitions offline",
        "  npx tripwire plan       # what apply would change (the embedded default, until WANDB_BASE_URL is set)",
        "  npx tripwire apply      # make it so",
        "",
      ].join("\n"),
    );
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe(".tripwire/\n");
    // The workflow is the repository's own, byte for byte (examples/ci links to the same file).
    expect(readFileSync(join(dir, ".github/workflows/tripwire.yml"), "utf8")).toBe(readFileSync(join(REPO, "examples/ci/tripwire.yml"), "utf8"));

    const validate = await runMain(["validate"], dir);
    expect(validate.stderr).toBe("");
    expect(validate.stdout).toBe("2 automations in 1 file are valid\n");
    expect(validate.code).toBe(0);
    const plan = await runMain(["plan", "--no-typecheck", "--detailed-exitcode"], dir);
    expect(plan.stdout.split("\n")[0]).toBe("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(plan.code).toBe(2);
    expect((await runMain(["apply", "--no-typecheck", "--yes"], dir)).code).toBe(0);
    expect((await runMain(["plan", "--no-typecheck", "--detailed-exitcode"], dir)).code).toBe(0);
  }, 120_000);

  it.each(EXAMPLES.filter((e) => e !== "training"))("--example %s writes definitions that validate and plan", async (example) => {
    const dir = makeProject({});
    expect((await runMain(["init", "--example", example], dir)).code).toBe(0);
    expect(existsSync(join(dir, `automations/${example}.ts`))).toBe(true);
    const plan = await runMain(["plan", "--detailed-exitcode"], dir);
    expect(plan.stderr).not.toContain("error");
    expect(plan.stdout.split("\n")[0]).toBe("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(plan.code).toBe(2);
  }, 120_000);

  it("in a repository already set up it only adds what is missing and says what it skipped", async () => {
    const dir = makeProject({
      "tripwire.config.ts": "export default { automations: ['automations'] };\n",
      "automations/mine.ts": "export {};\n",
      ".gitignore": "node_modules/\ndist", // no trailing newline
    });
    const first = await runMain(["init", "--example", "registry"], dir);
    expect(first.code).toBe(0);
    expect(first.stdout.split("\n\n")[0]).toBe(
      [
        "  skipped tripwire.config.ts (exists)",
        "  skipped automations/ (already holds definitions)",
        "  created tsconfig.json",
        "  updated .gitignore (ignores .tripwire/)",
        "  created .github/workflows/tripwire.yml",
      ].join("\n"),
    );
    expect(readFileSync(join(dir, "tripwire.config.ts"), "utf8")).toBe("export default { automations: ['automations'] };\n");
    expect(readFileSync(join(dir, "automations/mine.ts"), "utf8")).toBe("export {};\n");
    expect(existsSync(join(dir, "automations/registry.ts"))).toBe(false);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("node_modules/\ndist\n.tripwire/\n");

    // A second run changes nothing, and says so.
    writeFileSync(join(dir, ".github/workflows/tripwire.yml"), "# ours\n");
    const second = await runMain(["init"], dir);
    expect(second.stdout).toContain("Nothing to add: the repository is already set up.");
    expect(second.stdout).toContain("  skipped .gitignore (already ignores .tripwire/)");
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("node_modules/\ndist\n.tripwire/\n");
    expect(readFileSync(join(dir, ".github/workflows/tripwire.yml"), "utf8")).toBe("# ours\n");
  }, 60_000);

  it("a file it cannot write is named; the rest is still written, and the exit code is 1", async () => {
    const dir = makeProject({ ".github": "not a folder\n" });
    const r = await runMain(["init"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("  failed  .github/workflows/tripwire.yml (cannot write it: ENOTDIR)\n");
    expect(r.stderr).toBe(
      "\nerror TW6211: tripwire init could not write .github/workflows/tripwire.yml: fix the path (a file where a folder belongs?) or its permissions, and run it again\n",
    );
    expect(existsSync(join(dir, "tripwire.config.ts"))).toBe(true);
  });

  it("an empty automations folder gets the example", async () => {
    const dir = makeProject({});
    mkdirSync(join(dir, "automations"));
    await runMain(["init", "--example", "pipeline"], dir);
    expect(existsSync(join(dir, "automations/pipeline.ts"))).toBe(true);
  });

  it("an unknown example is a usage error", async () => {
    const dir = makeProject({});
    const r = await runMain(["init", "--example", "sweeps"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("sweeps");
    expect(existsSync(join(dir, "tripwire.config.ts"))).toBe(false);
  });

  it("recognises the ways a .gitignore can ignore .tripwire/", () => {
    for (const yes of [".tripwire/", ".tripwire", "/.tripwire/", "a\n  .tripwire/  \nb"]) expect(ignoresTripwire(yes)).toBe(true);
    for (const no of ["", ".tripwire/cache", "# .tripwire/", "x.tripwire/"]) expect(ignoresTripwire(no)).toBe(false);
  });
});
