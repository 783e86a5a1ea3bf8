// Identifiers for generated code: camelCase from W&B names, valid, never a reserved word, unique in the file.
import type { Scope } from "@tripwire/sdk";

/** A scope that can hold a shared constant: a project, registry, team or org (collections use their parent's). */
export type HolderScope = Exclude<Scope, { type: "collection" | "collections" }>;

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
    "implements interface package private protected public await arguments eval undefined NaN Infinity"
  ).split(" "),
);

// Generated identifiers are ASCII: every parser on the way (TypeScript, jiti's, V8) agrees on them, whatever Unicode
// version it knows. The automation's own name, in any script, stays in the `automation("…")` call.
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Whether `name` can be declared with `const name = …` in a strict ES module. */
export function isDeclarableIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/**
 * camelCase words of a W&B name, in ASCII: `loss-spike` → `lossSpike`, `GPU idle` → `gpuIdle`, `Deploy to prod!` →
 * `deployToProd`, `über-alert` → `uberAlert`. Empty when the name has no Latin letters or digits.
 */
export function camelCase(text: string): string {
  // Accents fold away (ü → u); letters of other scripts drop out.
  const ascii = text.normalize("NFKD").replace(/\p{M}/gu, "");
  const words = ascii.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return words
    .map((word, i) => {
      const lowered = word === word.toUpperCase() ? word.toLowerCase() : word;
      const head = lowered.charAt(0);
      return (i === 0 ? head.toLowerCase() : head.toUpperCase()) + lowered.slice(1);
    })
    .join("");
}

/** Hands out identifiers no other declaration in the file uses. */
export class Namer {
  private readonly taken: Set<string>;

  constructor(taken: Iterable<string> = []) {
    this.taken = new Set(taken);
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }

  /** Marks a name as used (an import or a declaration already in the file). */
  reserve(name: string): void {
    this.taken.add(name);
  }

  /**
   * The first candidate that is a free, declarable identifier; else the last declarable candidate numbered from 2
   * (`deploy2`, `deploy3`). `fallback` stands in when no candidate is declarable (a name without letters).
   */
  claim(candidates: readonly string[], fallback: string): string {
    const usable = candidates.filter(isDeclarableIdentifier);
    const list = usable.length > 0 ? usable : [fallback];
    const free = list.find((c) => !this.taken.has(c));
    const last = list[list.length - 1] as string;
    let name = free;
    for (let n = 2; name === undefined; n++) if (!this.taken.has(`${last}${n}`)) name = `${last}${n}`;
    this.taken.add(name);
    return name;
  }
}

/** Candidate names for the shared constant of a scope: `llm` for project `acme/llm`, `modelRegistry`, `mlTeam`, `acmeOrg`. */
export function scopeCandidates(scope: HolderScope): string[] {
  const word = (text: string, suffix: string) => {
    const c = camelCase(text);
    if (c === "") return [];
    const withSuffix = c.toLowerCase().endsWith(suffix.toLowerCase()) ? c : `${c}${suffix}`;
    return /^[0-9]/.test(c) ? [`${suffix.toLowerCase()}${c}`] : [withSuffix];
  };
  switch (scope.type) {
    case "project": {
      const c = camelCase(scope.project);
      return [...(/^[0-9]/.test(c) ? [] : [c]), ...word(scope.project, "Project")];
    }
    case "registry":
      return word(scope.registry, "Registry");
    case "team":
      return word(scope.team, "Team");
    case "org":
      return word(scope.org, "Org");
  }
}

/**
 * Its name in camelCase; when that is taken (the same name in another scope), qualified by its scope
 * (`runFailedMlTeam`, `deployLlm7b` for a collection); then `…Automation`.
 */
export function automationCandidates(name: string, qualifier: string, namer: Namer, automations: ReadonlySet<string>): string[] {
  const c = camelCase(name);
  if (c === "") return [];
  const base = /^[0-9]/.test(c) ? `automation${c}` : c;
  const q = camelCase(qualifier);
  const qualified = q === "" ? [] : [`${base}${q.charAt(0).toUpperCase()}${q.slice(1)}`];
  // A reserved word, or a name the vocabulary or a scope constant holds, reads best as `…Automation`.
  if (!isDeclarableIdentifier(base) || (namer.has(base) && !automations.has(base))) return [`${base}Automation`, ...qualified];
  return [base, ...qualified, `${base}Automation`];
}
