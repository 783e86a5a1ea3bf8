import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MIGRATIONS, openStore } from "../src/index.js";

const storeModule = fileURLToPath(new URL("../src/store/sqlite.ts", import.meta.url));

/** Opens (and so migrates) the database in a separate process, as concurrent CLI runs and a server do. */
function openInChild(path: string): Promise<{ code: number | null; stderr: string }> {
  const script = `const { openStore } = await import(${JSON.stringify(storeModule)}); openStore(${JSON.stringify(path)}).close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("migrations", () => {
  it("processes opening a new database at the same time each succeed, and every migration is applied once", async () => {
    for (let round = 0; round < 3; round++) {
      const path = join(mkdtempSync(join(tmpdir(), "tripwire-migrate-")), "db.sqlite");
      const results = await Promise.all(Array.from({ length: 4 }, () => openInChild(path)));
      expect(results.map((r) => (r.code === 0 ? "ok" : r.stderr))).toEqual(["ok", "ok", "ok", "ok"]);
      const store = openStore(path);
      expect(store.schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1]?.version);
      store.close();
    }
  }, 60_000);
});
