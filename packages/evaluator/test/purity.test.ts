import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../src", import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));

describe("the evaluator is pure (ARCHITECTURE: sdk ◀ evaluator; HOUSE_STYLE 11)", () => {
  it.each(files(src).map((f) => [f.slice(src.length + 1), f]))("%s imports only the SDK, zod, node:crypto and its own modules, and has no clock, timer, randomness or console", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const imports = [...text.matchAll(/^import\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1] as string);
    // testing/vitest.ts is the one exception: the `@tripwire/evaluator/vitest` entry registers matchers with vitest,
    // an optional peer dependency loaded only by the test files that import that entry.
    // re2js is a pure-JavaScript RE2 (linear-time user regexes, src/regex.ts): no I/O, no clock, no native code.
    const allowed = ["@tripwire/sdk", "@tripwire/sdk/wire", "zod", "node:crypto", ...(file.endsWith("/regex.ts") ? ["re2js"] : []), ...(file.endsWith("/testing/vitest.ts") ? ["vitest"] : [])];
    for (const spec of imports) expect(allowed.includes(spec) || spec.startsWith("./") || spec.startsWith("../"), spec).toBe(true);
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    expect(code).not.toMatch(/\b(console\.|setTimeout|setInterval|Math\.random|Date\.now|performance\.now|process\.)/);
  });
});

describe("every runtime export of @tripwire/evaluator carries TSDoc with an @example (HOUSE_STYLE 24)", () => {
  it("index.ts", async () => {
    const mod = (await import("../src/index.js")) as Record<string, unknown>;
    const sources = files(src).map((file) => readFileSync(file, "utf8"));
    const missing = Object.keys(mod).filter((name) => {
      for (const text of sources) {
        const m = new RegExp(`^export (?:const|function|class|async function) ${name}\\b`, "m").exec(text);
        if (!m) continue;
        const before = text.slice(0, m.index).trimEnd();
        return !(before.endsWith("*/") && before.slice(before.lastIndexOf("/**")).includes("@example"));
      }
      return true;
    });
    expect(missing).toEqual([]);
  });
});
