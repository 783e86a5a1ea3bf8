/**
 * `@tripwire/sdk/wire`: W&B's GraphQL wire format for automations — encode a definition into
 * `CreateFilterTriggerInput` / `UpdateFilterTriggerInput`, decode a saved `Trigger` back.
 */
export * from "./types.js";
export { encodeAutomation, encodeUpdate, encodeEventFilter, type EncodeIds } from "./encode.js";
export { encodeResave } from "./resave.js";
export { decodeAutomation, decodeEventFilter, type DecodeContext, type DecodeResult } from "./decode.js";
export { filterToJson, filterFromJson, runFilterJson, mutationFilterJson, simplify } from "./filter.js";
