// `npm run bench [filter]`: runs every packages/*/bench/*.bench.ts in its own process, one after another.
// Each benchmark compares against a baseline measured in the same run and prints the ratio.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const filter = process.argv[2] ?? "";
const files: string[] = [];
for (const pkg of readdirSync(join(root, "packages")).sort()) {
  const dir = join(root, "packages", pkg, "bench");
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) if (f.endsWith(".bench.ts")) files.push(join("packages", pkg, "bench", f));
}
const selected = files.filter((f) => f.includes(filter));
if (selected.length === 0) {
  console.error(`no benchmark matches "${filter}"; available:\n${files.join("\n")}`);
  process.exit(1);
}
let failed = 0;
for (const file of selected) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=8192", "--conditions=@tripwire/source", "--import", "tsx", file], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
