// EMBEDDED_BACKEND.md says what the embedded backend does and does not emulate of W&B, each statement with the test
// that holds it. This keeps those references real: every named file exists and has a test of that exact name.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const spec = readFileSync(join(here, "EMBEDDED_BACKEND.md"), "utf8");

describe("EMBEDDED_BACKEND.md", () => {
  it("names only tests that exist, in files that exist, and every reference is well formed", () => {
    const refs = [...spec.matchAll(/`([\w./-]+\.test\.ts)` › "([^"\n]+)"/g)].map((m) => ({ file: m[1] as string, title: m[2] as string }));
    // Each › is one reference: none is written so that it would be skipped here.
    expect(refs.length).toBeGreaterThan(0);
    expect(refs).toHaveLength(spec.split("›").length - 1);
    const missing = refs.filter(({ file, title }) => {
      const path = join(here, file);
      return !existsSync(path) || !readFileSync(path, "utf8").includes(`it(${JSON.stringify(title)}`);
    });
    expect(missing).toEqual([]);
  });
});
