/**
 * `tripwire test`: YAML / JSON tests of the definitions, for teams without a TypeScript test setup. Each file's
 * tests run against the project's definitions (or the files its `automations` names).
 */
import { existsSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { EngineAutomation } from "@tripwire/evaluator";
import { coded } from "../model/codes.js";
import { filesUnder } from "../model/walk.js";
import type { Diagnostic } from "../model/types.js";
import { readTestFile } from "./file.js";
import { engineOptionsOf, runTest } from "./run.js";
import type { TestFileResult } from "../model/testing.js";

export { TEST_FILE_CODES } from "./file.js";
export type { TestResult } from "../model/testing.js";

const TEST_FILE = /\.test\.(ya?ml|json)$/;


/** Test files named by `paths` (files, or folders searched for `*.test.yaml|yml|json`), in path order. */
export function testFiles(paths: readonly string[], cwd: string): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) diagnostics.push({ ...coded("TW7001"), severity: "error", message: `${p} does not exist` });
    else if (statSync(abs).isDirectory()) files.push(...filesUnder(abs, (name) => TEST_FILE.test(name)));
    else files.push(abs);
  }
  if (files.length === 0 && diagnostics.length === 0) diagnostics.push({ ...coded("TW7001"), severity: "error", message: `no test files (*.test.yaml, *.test.yml, *.test.json) in ${paths.join(", ")}` });
  return { files: [...new Set(files)], diagnostics };
}

/** Loads definitions for a test file: `paths` relative to `base`, or the project's definitions when absent. */
export type DefinitionLoader = (paths: readonly string[] | undefined, base: string) => Promise<{ automations: readonly EngineAutomation[]; diagnostics: readonly Diagnostic[] }>;

/** Runs the tests of every file. */
export async function runTestFiles(files: readonly string[], cwd: string, load: DefinitionLoader): Promise<TestFileResult[]> {
  const results: TestFileResult[] = [];
  for (const path of files) {
    const read = readTestFile(path, cwd);
    if (!read.ok) {
      results.push({ file: read.file, tests: [], diagnostics: read.diagnostics });
      continue;
    }
    const named = read.data.automations === undefined ? undefined : typeof read.data.automations === "string" ? [read.data.automations] : read.data.automations;
    const defs = await load(named, dirname(path));
    if (defs.diagnostics.some((d) => d.severity === "error")) {
      results.push({ file: read.file, tests: [], diagnostics: defs.diagnostics });
      continue;
    }
    const options = engineOptionsOf(read.data);
    const tests = read.data.tests.map((t, i) => runTest(t, ["tests", i], defs.automations, options, read.line));
    results.push({ file: relative(cwd, path), tests, diagnostics: defs.diagnostics });
  }
  return results;
}
