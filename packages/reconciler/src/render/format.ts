import { diffLines } from "diff";
import type { JsonValue } from "@tripwire/sdk";
import { flatten, type FieldChange } from "../model/fields.js";
import type { Operation, PlanSummary, Prerequisite } from "../model/plan.js";

/** Terminal styles; identity functions when colour is off. */
export interface Style {
  readonly add: (s: string) => string;
  readonly change: (s: string) => string;
  readonly remove: (s: string) => string;
  readonly rename: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const ansi = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
export const COLOR: Style = { add: ansi(32), change: ansi(33), remove: ansi(31), rename: ansi(36), dim: ansi(2), bold: ansi(1) };
const id = (s: string) => s;
export const PLAIN: Style = { add: id, change: id, remove: id, rename: id, dim: id, bold: id };

/** Text made safe inside HTML (GitHub's markdown renders `<b>`, `<code>`, `<details>`): `&`, `<` and `>` escaped. */
export const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * `Plan: 2 to add, 1 to change, 0 to destroy.` (renames appear only when there are some). With errors, a plan of
 * nothing is not "no changes": what the errors hold back (a refused protected delete) is still different.
 */
export function summaryLine(s: PlanSummary, errors = 0): string {
  if (s.add + s.change + s.rename + s.destroy === 0 && errors === 0) return "No changes. The live automations match the code.";
  const rename = s.rename > 0 ? `, ${s.rename} to rename` : "";
  return `Plan: ${s.add} to add, ${s.change} to change${rename}, ${s.destroy} to destroy.`;
}

export const SYMBOL: Record<Operation["op"], string> = { create: "+", update: "~", rename: "~", delete: "-" };
export const VERB: Record<Operation["op"], string> = { create: "create", update: "update", rename: "rename", delete: "destroy" };

export function opTitle(op: Operation): string {
  if (op.op === "rename") return `${op.address.slice(0, op.address.length - op.name.length)}${op.from} → ${op.name}`;
  return op.address;
}

export const UPDATE_REASONS: Record<string, string> = {
  code: "",
  drift: "restores the code's definition over changes made outside Tripwire",
  conflict: "changed in code and outside Tripwire since the last apply; the code wins",
  ownership: "records Tripwire's ownership marker; no field changes",
};

/** A scalar or short value on one line; objects as compact JSON. */
export function inline(value: JsonValue | undefined): string {
  if (value === undefined) return "(none)";
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value);
}

// Objects, and arrays that do not fit one short line, are shown as a diff of pretty JSON.
const isStructured = (v: JsonValue | undefined) =>
  v !== null && typeof v === "object" && !(Array.isArray(v) && v.every((x) => x === null || typeof x !== "object") && JSON.stringify(v).length <= 80);

/**
 * Lines describing one field change: `path: before → after`, or a line diff of pretty JSON for payloads and other
 * structured values (prefixed `+`/`-`/` `). `whole`: the field is shown as part of a whole definition being created or
 * destroyed, so a missing side is not "(none)".
 */
export function changeLines(change: FieldChange, whole = false): { head: string; diff?: { sign: "+" | "-" | " "; text: string }[] } {
  const { path, before, after } = change;
  if (isStructured(before) || isStructured(after)) {
    const a = before === undefined ? "" : `${JSON.stringify(before, null, 2)}\n`;
    const b = after === undefined ? "" : `${JSON.stringify(after, null, 2)}\n`;
    const lines: { sign: "+" | "-" | " "; text: string }[] = [];
    for (const part of diffLines(a, b)) {
      const sign = part.added ? "+" : part.removed ? "-" : " ";
      for (const text of part.value.replace(/\n$/, "").split("\n")) lines.push({ sign, text });
    }
    return { head: `${path}:`, diff: lines };
  }
  if (before === undefined) return { head: `${path}: ${inline(after)}` };
  if (after === undefined) return { head: whole ? `${path}: ${inline(before)}` : `${path}: ${inline(before)} → (none)` };
  return { head: `${path}: ${inline(before)} → ${inline(after)}` };
}

// A whole definition leaves out what says nothing: an empty description, "any run".
const shown = ([path, value]: [string, JsonValue]) => !(path === "description" && value === "") && value !== "(any)";

/** The fields shown for an operation: changes for updates and renames, every field for creates and deletes. */
export function opChanges(op: Operation): FieldChange[] {
  switch (op.op) {
    case "create":
      return flatten(op.after).filter(shown).map(([path, after]) => ({ path, after }));
    case "delete":
      return op.before ? flatten(op.before).filter(shown).map(([path, before]) => ({ path, before })) : [];
    default:
      return [...op.changes];
  }
}

/** `project acme/llm`, `collection acme/llm:dataset`, `webhook integration "deploy" in acme`. */
export function describePrerequisite(p: Prerequisite): string {
  switch (p.kind) {
    case "entity":
      return `${p.entityType ?? "team"} ${p.entity}`;
    case "project":
      return `project ${p.entity}/${p.name}`;
    case "registry":
      return `registry ${p.entity}/${p.name}`;
    case "collection":
      return `collection ${p.entity}/${p.parent ?? "?"}:${p.name}`;
    case "slack":
      return `Slack integration #${p.name} in ${p.entity}`;
    case "webhook":
      return `webhook integration "${p.name}" in ${p.entity}`;
    case "secret":
      return `secret ${p.name} in ${p.entity}`;
  }
}
