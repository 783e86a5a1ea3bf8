// Codes are a typed registry (house style 26): every code written in a package's source is registered, in exactly
// one registry, with one meaning; nothing decides by a code's prefix; renumbered codes keep their old spelling.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ISSUE_CODES, ISSUE_FORMERLY } from "../packages/sdk/src/index.js";
import { EVALUATOR_CODES, EVALUATOR_FORMERLY } from "../packages/evaluator/src/codes.js";
import { SERVER_CODES } from "../packages/server/src/codes.js";
import { CODES, FORMERLY } from "../packages/reconciler/src/model/codes.js";
import { CHECKS } from "../packages/reconciler/src/model/checks.js";
import { readTestFile } from "../packages/reconciler/src/testing/file.js";
import { formatDiagnostic } from "../packages/reconciler/src/model/diagnostics.js";
import { createEngine, restoreEngine } from "../packages/evaluator/src/index.js";
import { automation, onRunState, project, sendNotification, slack, toSpec } from "../packages/sdk/src/index.js";
import { encodeAutomation } from "../packages/sdk/src/wire/index.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

const root = fileURLToPath(new URL("..", import.meta.url));

const REGISTRIES: Record<string, { file: string; codes: object }> = {
  sdk: { file: "packages/sdk/src/issues.ts", codes: ISSUE_CODES },
  evaluator: { file: "packages/evaluator/src/codes.ts", codes: EVALUATOR_CODES },
  server: { file: "packages/server/src/codes.ts", codes: SERVER_CODES },
  reconciler: { file: "packages/reconciler/src/model/codes.ts", codes: CODES },
  lint: { file: "packages/reconciler/src/model/checks.ts", codes: CHECKS },
};
const FORMER: Record<string, string> = { ...ISSUE_FORMERLY, ...EVALUATOR_FORMERLY, ...FORMERLY };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const sources = readdirSync(join(root, "packages")).flatMap((pkg) =>
  sourceFiles(join(root, "packages", pkg, "src")).map((file) => ({
    file: relative(root, file),
    // Comments name codes as prose and blocks ("TW6200–TW6299"); only code counts.
    code: readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1"),
    // A family picked from a registry (`pick("TW4001", …)`) names codes without using them.
    uses: readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1").replace(/\bpick\([^)]*\)/g, ""),
  })),
);

const CODE = /\bTW(?:\d{4}|[EIL]\d{3})\b/g;

/** Every code literal written in source, with the files it is written in. */
function usedCodes(text: "code" | "uses" = "code"): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const { file, ...s } of sources) {
    for (const m of s[text].matchAll(CODE)) {
      const files = used.get(m[0]) ?? new Set<string>();
      files.add(file);
      used.set(m[0], files);
    }
  }
  return used;
}

const owners = (code: string) => Object.entries(REGISTRIES).filter(([, r]) => Object.hasOwn(r.codes, code)).map(([name]) => name);

describe("diagnostic and failure codes", () => {
  it("no code is in two registries", () => {
    const all = Object.values(REGISTRIES).flatMap((r) => Object.keys(r.codes));
    expect(all.filter((c) => owners(c).length > 1)).toEqual([]);
  });

  it("every code written in source is registered", () => {
    const unregistered = [...usedCodes()].filter(([c]) => owners(c).length === 0).map(([c, files]) => `${c} in ${[...files].join(", ")}`);
    expect(unregistered).toEqual([]);
  });

  it("every registered code is used outside its registry (no dead entries)", () => {
    const used = usedCodes("uses");
    const dead: string[] = [];
    for (const [name, r] of Object.entries(REGISTRIES)) {
      for (const c of Object.keys(r.codes)) {
        if (![...(used.get(c) ?? [])].some((f) => f !== r.file)) dead.push(`${name}: ${c}`);
      }
    }
    expect(dead).toEqual([]);
  });

  it("nothing decides by a code's spelling", () => {
    const byPrefix = sources.filter((s) => /\.code\.startsWith\(|code\.startsWith\("TW/.test(s.code)).map((s) => s.file);
    expect(byPrefix).toEqual([]);
  });

  it("a renumbered code's old spelling names a code of another meaning, and the README maps it", () => {
    const readme = readFileSync(join(root, "packages/reconciler/README.md"), "utf8");
    for (const [now, was] of Object.entries(FORMER)) {
      expect(owners(now)).toHaveLength(1);
      expect(now).not.toBe(was);
      expect(readme).toContain(`| \`${now}\` | \`${was}\` |`);
    }
  });
});

describe("the renumbered codes are what is reported", () => {
  const spec = toSpec(automation("failed").in(project("acme/llm")).on(onRunState(["failed"])).do(sendNotification(slack("alerts"))));

  it("the evaluator: TW2030 duplicate ids, TW2031 a bad timestamp, TW2032 a snapshot of another version", () => {
    expect(() => createEngine([{ id: "a", spec }, { id: "a", spec }])).toThrow('TW2030: two automations have the id "a"; ids must be unique');
    const engine = createEngine([{ id: "a", spec }]);
    const run = { id: "r1", name: "r1", user: "alice" };
    expect(() => engine.push({ type: "run.state", entity: "acme", project: "llm", timestamp: "yesterday", run, state: "failed" })).toThrow('TW2031: event timestamp "yesterday" is not an ISO 8601 date-time');
    expect(() => restoreEngine([{ id: "a", spec }], { ...engine.snapshot(), version: 2 } as never)).toThrow("TW2032: unsupported engine snapshot version 2");
  });

  it("the wire encoder: TW1050 for an action without its integration's ID", () => {
    expect(() => encodeAutomation(spec, { scopeId: "UHJvamVjdDox" })).toThrow(`TW1050: automation "failed": its notification action needs the integration's ID`);
  });

  it("test files: TW7002 with its old spelling, in the data and in the text", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-codes-"));
    writeFileSync(join(dir, "a.test.yaml"), "tests:\n  - name: x\n    metrix: 1\n");
    const r = readTestFile(join(dir, "a.test.yaml"), dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((d) => [d.code, d.formerly])).toEqual(r.diagnostics.map(() => ["TW7002", "TW5002"]));
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(formatDiagnostic(r.diagnostics[0]!)).toMatch(/^a\.test\.yaml:\d+:\d+ - error TW7002 \(formerly TW5002\): /);
    const missing = readTestFile(join(dir, "none.test.yaml"), dir);
    expect(missing.ok ? [] : missing.diagnostics.map((d) => [d.code, d.formerly])).toEqual([["TW7001", "TW5001"]]);
  });
});
