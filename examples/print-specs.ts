// Prints every example automation as the plain data the SDK produces (the main job until the CLI exists).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatIssue, isAutomation, toSpec, validateAll, type AnyAutomation } from "@tripwire/sdk";

const root = fileURLToPath(new URL(".", import.meta.url));
const found: AnyAutomation[] = [];
const collect = (value: unknown): void => {
  if (isAutomation(value)) found.push(value);
  else if (Array.isArray(value)) value.forEach(collect);
};
for (const dir of readdirSync(root).sort()) {
  const folder = join(root, dir);
  if (!statSync(folder).isDirectory() || dir === "node_modules") continue;
  for (const file of readdirSync(folder).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).sort()) {
    const mod = (await import(pathToFileURL(join(folder, file)).href)) as Record<string, unknown>;
    Object.values(mod).forEach(collect);
  }
}
const specs = found.map(toSpec);
const { issues } = validateAll(specs);
for (const issue of issues) console.error(formatIssue(issue));
console.log(JSON.stringify(specs, null, 2));
