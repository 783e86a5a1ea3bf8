/**
 * W&B's opaque GraphQL IDs: base64 of `"<Type>:<n>"` (spec §C.1), e.g. `Trigger:12` → `VHJpZ2dlcjoxMg==`.
 */
export type IdType = "Trigger" | "Integration" | "Project" | "ArtifactCollection" | "Entity" | "Organization" | "User" | "TriggerExecution" | "ApiKey";

/** Encodes a row ID as W&B's base64 `Type:n` GraphQL ID. */
export function toGlobalId(type: IdType, id: number): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64");
}

/** Decodes a GraphQL ID of the given type; `undefined` when it is not one (wrong type, not base64, not a number). */
export function fromGlobalId(type: IdType, globalId: string): number | undefined {
  const text = Buffer.from(globalId, "base64").toString("utf8");
  const sep = text.indexOf(":");
  if (sep < 0 || text.slice(0, sep) !== type) return undefined;
  const rest = text.slice(sep + 1);
  if (!/^[1-9][0-9]{0,15}$/.test(rest)) return undefined;
  const n = Number(rest);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Relay cursors: opaque base64 of `cursor:<row id>`; pages are ordered by row ID. */
export function toCursor(id: number): string {
  return Buffer.from(`cursor:${id}`, "utf8").toString("base64");
}

export function fromCursor(cursor: string | null | undefined): number | undefined {
  if (cursor === null || cursor === undefined || cursor === "") return 0;
  const text = Buffer.from(cursor, "base64").toString("utf8");
  const m = /^cursor:(\d{1,15})$/.exec(text);
  return m ? Number(m[1]) : undefined;
}
