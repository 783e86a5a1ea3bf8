import { isAutomation, type AnyAutomation } from "@tripwire/sdk";

/**
 * Every automation a module exports: default and named exports, arrays and nested arrays, each value once
 * (the same automation exported twice is one definition). Incomplete builders are returned too, so the loader
 * can report them.
 */
export function collectAutomations(moduleExports: Record<string, unknown>): { automation: AnyAutomation; exportName: string }[] {
  const found: { automation: AnyAutomation; exportName: string }[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, name: string, depth: number): void => {
    if (seen.has(value) || depth > 8) return;
    if (isAutomation(value)) {
      seen.add(value);
      found.push({ automation: value, exportName: name });
    } else if (Array.isArray(value)) {
      seen.add(value);
      value.forEach((v, i) => visit(v, `${name}[${i}]`, depth + 1));
    }
  };
  const names = Object.keys(moduleExports).sort((a, b) => (a === "default" ? -1 : b === "default" ? 1 : 0));
  for (const name of names) visit(moduleExports[name], name, 0);
  return found;
}
