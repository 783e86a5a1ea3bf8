import type { AttemptRecord, ExecutionRecord, Store } from "../store/types.js";

/** What a secret value reads as in history. */
export const MASK = "***";

/**
 * The shortest tail of a truncated text that is masked when it could be the start of a secret: shorter tails
 * ("a", "ab") would mask ordinary text, and three characters of a secret say little about the rest.
 */
const MIN_PREFIX = 4;

/**
 * Replaces every occurrence of every secret value in a text with {@link MASK}. A text cut short (a response
 * snippet ends with "…") also has a tail masked when it begins a secret value, so a secret cut in two by the
 * snippet's limit does not show its first half. Longer values are replaced first, so one secret containing
 * another is masked whole.
 * @example maskSecrets("echo: s3cr3t", ["s3cr3t"]) // "echo: ***"
 */
export function maskSecrets(text: string | null, values: readonly string[]): string | null {
  if (text === null || values.length === 0) return text;
  const sorted = [...new Set(values)].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of sorted) if (out.includes(v)) out = out.split(v).join(MASK);
  const cut = out.endsWith("…");
  const body = cut ? out.slice(0, -1) : out;
  if (cut) {
    for (const v of sorted) {
      for (let n = Math.min(v.length - 1, body.length); n >= Math.min(MIN_PREFIX, v.length - 1) && n > 0; n--) {
        if (body.endsWith(v.slice(0, n))) return `${body.slice(0, body.length - n)}${MASK}…`;
      }
    }
  }
  return out;
}

/**
 * The secret values an execution's history must not show: every secret of the entity that owns its integration
 * (a payload template may use any of them, and a receiver may echo any of them back).
 * @example maskSecrets(x.response, historySecrets(store, x))
 */
export function historySecrets(store: Store, x: ExecutionRecord): string[] {
  let integrationId: unknown;
  try {
    integrationId = (JSON.parse(x.action) as { integrationId?: unknown }).integrationId;
  } catch {
    return [];
  }
  const integration = typeof integrationId === "number" ? store.integrationById(integrationId) : undefined;
  return integration ? Object.values(store.secretValues(integration.entityId)) : [];
}

/**
 * What history shows of a delivery's outcome — the receiver's response, the error, every attempt's — with the
 * secret values of the integration's entity masked, as the request payload is: a receiver may echo them back.
 */
export function deliveryOutcome(store: Store, x: ExecutionRecord): { response: string | null; error: string | null; attempts: () => AttemptRecord[] } {
  let secrets: string[] | undefined;
  const mask = (text: string | null) => maskSecrets(text, (secrets ??= historySecrets(store, x)));
  return {
    response: mask(x.response),
    error: mask(x.error),
    attempts: () => store.attempts(x.id).map((a) => ({ ...a, response: mask(a.response), error: mask(a.error) })),
  };
}
