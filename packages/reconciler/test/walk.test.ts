import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { filesUnder } from "../src/model/walk.js";

describe("filesUnder: the one folder walk (tinyglobby)", () => {
  it("finds accepted files depth first, each folder's entries in name order, skipping node_modules and dot entries", () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-walk-"));
    for (const f of ["b.ts", "b/x.ts", "a.ts", "c/d/e.ts", "c/a.md", "node_modules/m.ts", "x/node_modules/m.ts", ".hidden/h.ts", ".dot.ts", "B.ts", "c/z.ts"]) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), "");
    }
    mkdirSync(join(dir, "loop"));
    symlinkSync(join(dir, "c"), join(dir, "loop", "c"));
    const found = filesUnder(dir, (name) => name.endsWith(".ts")).map((f) => relative(dir, f));
    // What a readdirSync().sort() walk found: "b" (a folder) sorts before "b.ts", "B.ts" before both.
    expect(found).toEqual(["B.ts", "a.ts", "b/x.ts", "b.ts", "c/d/e.ts", "c/z.ts", "loop/c/d/e.ts", "loop/c/z.ts"]);
  });
});
