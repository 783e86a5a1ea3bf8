import { jsonEscape, signPayload, templateVariables, type Firing } from "@tripwire/evaluator";
import { classifyPlaceholder, PLACEHOLDER } from "@tripwire/sdk";

/**
 * A webhook's request prepared once per integration, secrets and payload template, then built per firing:
 * the same request `webhookRequest` from `@tripwire/evaluator` builds (a test checks it on many inputs), without
 * re-reading the template, re-classifying its placeholders, copying the secrets and re-building the constant
 * headers for every delivery.
 */
export interface CompiledWebhook {
  readonly url: string;
  /** The body for a firing. */
  body(firing: Firing): string;
  /**
   * The headers for a body as undici's flat `[name, value, …]` list: `webhookRequest`'s, in its order, then
   * `extra` (name, value pairs).
   */
  headers(body: string, extra: readonly string[]): string[];
}

/** One piece of a template: literal text, or a placeholder read from the firing's variables. */
type Part = string | { readonly variable: string };

/**
 * Prepares a webhook request. `payloadText` undefined means no body configured (sends ""); `secret` signs the
 * body, `accessToken` is the bearer token and `${ACCESS_TOKEN}`; `secrets` are the entity's secrets by name.
 */
export function compileWebhook(
  hook: { url: string; secret?: string; accessToken?: string },
  payloadText: string | undefined,
  secrets: Readonly<Record<string, string>>,
): CompiledWebhook {
  const all: Record<string, string> = { ...secrets };
  if (hook.accessToken !== undefined) all.ACCESS_TOKEN = hook.accessToken;
  // Literal text and secret values are fixed: fold them into the literals between variables.
  const parts: Part[] = [];
  let literal = "";
  let variables = 0;
  if (payloadText !== undefined) {
    let last = 0;
    for (const m of payloadText.matchAll(PLACEHOLDER)) {
      literal += payloadText.slice(last, m.index);
      last = m.index + m[0].length;
      const name = m[1] ?? "";
      if (classifyPlaceholder(name).kind === "secret") literal += jsonEscape(Object.hasOwn(all, name) ? (all[name] as string) : "");
      else {
        parts.push(literal, { variable: name });
        literal = "";
        variables++;
      }
    }
    literal += payloadText.slice(last);
  }
  parts.push(literal);
  const fixed = ["Content-Type", "application/json"];
  if (hook.accessToken !== undefined) fixed.push("Authorization", `Bearer ${hook.accessToken}`);
  const { secret } = hook;
  return {
    url: hook.url,
    body(firing: Firing): string {
      if (payloadText === undefined) return "";
      if (variables === 0) return literal;
      const vars = templateVariables(firing);
      let out = "";
      for (const p of parts) out += typeof p === "string" ? p : jsonEscape(Object.hasOwn(vars, p.variable) ? (vars[p.variable] as string) : "");
      return out;
    },
    headers(body: string, extra: readonly string[]): string[] {
      const h = fixed.slice();
      if (secret !== undefined) h.push("X-Wandb-Signature", signPayload(body, secret));
      for (const x of extra) h.push(x);
      return h;
    },
  };
}
