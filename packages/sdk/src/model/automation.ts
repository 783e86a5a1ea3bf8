import * as z from "zod";
import { ActionSpecSchema, type ActionSpec } from "./action.js";
import { EventSpecSchema, type EventSpec } from "./event.js";
import { ScopeSchema, type Scope } from "./scope.js";

/**
 * One automation as plain data: what the builders produce and every other package consumes.
 * `movedFrom` (earlier names, for renames that keep the W&B ID and history) and `protect` (refuse deletion)
 * are instructions to the reconciler; they are not part of W&B's object. So is `lintIgnore` (lint checks silenced
 * for this automation, each with the reason): it is recorded here, and never sent to W&B.
 * @example AutomationSpecSchema.safeParse(JSON.parse(text))
 */
export const AutomationSpecSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    enabled: z.boolean(),
    scope: ScopeSchema,
    event: EventSpecSchema,
    action: ActionSpecSchema,
    movedFrom: z.array(z.string()).optional(),
    protect: z.boolean().optional(),
    lintIgnore: z.array(z.object({ code: z.string(), reason: z.string() }).strict()).optional(),
  })
  .strict();

export type AutomationSpec = Omit<z.infer<typeof AutomationSpecSchema>, "scope" | "event" | "action"> & {
  scope: Scope;
  event: EventSpec;
  action: ActionSpec;
};

/** Where a definition was written, for diagnostics (`file:line:col`). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}
