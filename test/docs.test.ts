// Every runtime export of a public entry point carries TSDoc with an @example (house style 24).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Entry points whose runtime exports are public, with the source folder they are declared in. */
const ENTRY_POINTS: Record<string, string> = {
  "@tripwire/sdk": "packages/sdk/src",
  "@tripwire/sdk/wire": "packages/sdk/src",
  "@tripwire/sdk/seed": "packages/sdk/src",
  "@tripwire/evaluator": "packages/evaluator/src",
  "@tripwire/evaluator/testing": "packages/evaluator/src/testing",
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith(".ts") ? [join(dir, n)] : []));
}

/** The doc comment directly above the first declaration of `name` (overloads share the first one's comment). */
function docOf(sources: { file: string; text: string }[], name: string): { file: string; doc: string } | undefined {
  for (const { file, text } of sources) {
    const m = new RegExp(`^export (?:const|function|class|async function) ${name}\\b`, "m").exec(text);
    if (!m) continue;
    const before = text.slice(0, m.index).trimEnd();
    const doc = before.endsWith("*/") ? before.slice(before.lastIndexOf("/**")) : "";
    return { file: relative(root, file), doc };
  }
  return undefined;
}

describe("docs: public exports have TSDoc with an @example", () => {
  for (const [entry, dir] of Object.entries(ENTRY_POINTS)) {
    it(entry, async () => {
      const mod = (await import(entry)) as Record<string, unknown>;
      const sources = files(join(root, dir)).map((file) => ({ file, text: readFileSync(file, "utf8") }));
      const missing = Object.keys(mod)
        .map((name) => ({ name, found: docOf(sources, name) }))
        .filter(({ found }) => !found || !found.doc.includes("@example"))
        .map(({ name, found }) => `${name}${found ? ` (${found.file})` : " (declaration not found)"}`);
      expect(missing).toEqual([]);
    });
  }
});
