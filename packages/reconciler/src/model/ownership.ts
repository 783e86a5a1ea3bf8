import { createHash } from "node:crypto";
import { dequal } from "dequal";
import { canonicalJson, normalizeSpec, type AutomationSpec } from "@tripwire/sdk";
import type { Ownership } from "./types.js";

/**
 * W&B automations have no labels, so Tripwire records ownership on the live object: a marker line at the end of
 * its description. It names the owner (the `owner` of tripwire.config.ts, so several repositories can manage
 * automations in the same entity without touching each other's), carries a hash of the definition Tripwire last
 * applied (so a later difference can be told apart: changed in code, or changed by hand in W&B), and whether
 * deletion is refused. The marker is hidden from diffs and from the user's own description.
 *
 *     Deploy whatever gets the production alias
 *
 *     [managed by Tripwire · tw1 owner=ml-platform hash=3f9a0c1d2e4b5a69 protect]
 */
const MARKER = /(?:\n\n)?\[managed by Tripwire · tw1 owner=([A-Za-z0-9._-]{1,64}) hash=([0-9a-f]{16})( protect)?\]\s*$/;

/** Owner names: letters, digits, ".", "_", "-" (at most 64). */
export const OWNER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
export const DEFAULT_OWNER = "default";

// Specs are never mutated once built or decoded, so a hash can be remembered per spec object.
const hashes = new WeakMap<AutomationSpec, string>();
// The normalised stored form a hash was made from, for `sameHash` to compare against.
const storedForms = new WeakMap<AutomationSpec, object>();

/** What W&B stores for a definition: normalised, rename/protect instructions excluded. */
function storedForm(spec: AutomationSpec): object {
  const { movedFrom: _m, protect: _p, ...stored } = normalizeSpec(spec);
  return stored;
}

/** Hash of what W&B stores for a definition (normalised; rename/protect instructions excluded). */
export function definitionHash(spec: AutomationSpec): string {
  let hash = hashes.get(spec);
  if (hash === undefined) {
    const stored = storedForm(spec);
    hash = createHash("sha256").update(canonicalJson(stored)).digest("hex").slice(0, 16);
    hashes.set(spec, hash);
    storedForms.set(spec, stored);
  }
  return hash;
}

/**
 * `definitionHash(spec)`, found without hashing when the definition stores exactly as `known` does (the common
 * case when a plan compares a live automation with its code): both hash the same canonical JSON then.
 */
export function definitionHashLike(spec: AutomationSpec, known: AutomationSpec): string {
  const cached = hashes.get(spec);
  if (cached !== undefined) return cached;
  const knownHash = definitionHash(known);
  // dequal: structural equality of plain data (key order aside), so both forms hash the same canonical JSON.
  if (!dequal(storedForm(spec), storedForms.get(known))) return definitionHash(spec);
  hashes.set(spec, knownHash);
  return knownHash;
}

/** The description Tripwire writes: the user's own text, then the marker line. */
export function markDescription(spec: AutomationSpec, owner: string): string {
  const tag = `[managed by Tripwire · tw1 owner=${owner} hash=${definitionHash(spec)}${spec.protect ? " protect" : ""}]`;
  return spec.description ? `${spec.description}\n\n${tag}` : tag;
}

/** Splits a live description into the user's text and Tripwire's marker, if any. */
export function readMarker(description: string | null | undefined): { description?: string; ownership?: Ownership } {
  const text = description ?? "";
  const m = MARKER.exec(text);
  if (!m) return text === "" ? {} : { description: text };
  const rest = text.slice(0, m.index);
  const ownership: Ownership = { owner: m[1] as string, hash: m[2] as string, protect: m[3] !== undefined };
  return rest === "" ? { ownership } : { description: rest, ownership };
}
