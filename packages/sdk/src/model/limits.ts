/**
 * Largest texts an automation may hold, in characters, as they go over the wire: `description`, a webhook's
 * `requestPayload` (the payload's JSON text, or `payloadText`), a Slack message's `title` and `message`. Tripwire's
 * server refuses longer ones (every execution stores the action with its firing), and `validate` says so first, at
 * the definition.
 *
 * @example TEXT_LIMITS.requestPayload // 65536
 */
export const TEXT_LIMITS = { description: 4096, requestPayload: 65_536, title: 1024, message: 4096 } as const;

export type TextLimitField = keyof typeof TEXT_LIMITS;
