/**
 * The webhook request W&B sends (spec §E.1): POST, `Content-Type: application/json`, the rendered payload,
 * `Authorization: Bearer <access token>` when the webhook has one, and `X-Wandb-Signature`, the base64
 * HMAC-SHA256 of the body keyed with the webhook's secret. Pure: the server does the HTTP.
 */
import { createHmac } from "node:crypto";
import type { WebhookActionSpec } from "@tripwire/sdk";
import type { Firing } from "../engine/types.js";
import { compileTemplate, payloadTextOf, templateVariables } from "./template.js";

/**
 * `X-Wandb-Signature`: base64 HMAC-SHA256 of the body bytes (UTF-8) with the webhook's secret.
 * @example signPayload('{"a":1}', "s3cret") // same as: echo -n '{"a":1}' | openssl dgst -sha256 -hmac s3cret -binary | base64
 */
export function signPayload(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

/** A webhook's request prepared once per integration, secrets and payload template, then built per firing. */
export interface CompiledWebhook {
  readonly url: string;
  /** The body for a firing. */
  body(firing: Firing): string;
  /** The headers for a body as a flat `[name, value, …]` list (undici's form), then `extra` (name, value pairs). */
  headers(body: string, extra: readonly string[]): string[];
}

/**
 * The one webhook renderer: W&B's request (spec §E.1) prepared once per integration, secrets and payload text,
 * then built per firing. The server's dispatcher keeps one per integration; `webhookRequest` is its one-off form.
 * `payloadText` undefined means no body configured (sends ""); `secret` signs the body, `accessToken` is the bearer
 * token and `${ACCESS_TOKEN}`; `secrets` are the entity's secrets by name.
 * @example
 * const hook = compileWebhook({ url: "https://ci.example/hook", secret: "s" }, '{"run":"${run_name}"}', {});
 * const body = hook.body(firing);
 * await request(hook.url, { method: "POST", headers: hook.headers(body, []), body });
 */
export function compileWebhook(
  hook: { url: string; secret?: string; accessToken?: string },
  payloadText: string | undefined,
  secrets: Readonly<Record<string, string>>,
): CompiledWebhook {
  const all: Record<string, string> = { ...secrets };
  if (hook.accessToken !== undefined) all.ACCESS_TOKEN = hook.accessToken;
  const template = payloadText === undefined ? undefined : compileTemplate(payloadText, all);
  const fixed = ["Content-Type", "application/json"];
  if (hook.accessToken !== undefined) fixed.push("Authorization", `Bearer ${hook.accessToken}`);
  const { secret } = hook;
  return {
    url: hook.url,
    body(firing: Firing): string {
      if (template === undefined) return "";
      return template.render(template.variables === 0 ? {} : templateVariables(firing));
    },
    headers(body: string, extra: readonly string[]): string[] {
      const h = fixed.slice();
      if (secret !== undefined) h.push("X-Wandb-Signature", signPayload(body, secret));
      for (const x of extra) h.push(x);
      return h;
    },
  };
}

/**
 * The full request for a webhook firing. `hook` is the integration's URL and secrets; `${ACCESS_TOKEN}` in the
 * payload is the hook's access token, other secret names come from `secrets`. No body configured sends "".
 * @example
 * const req = webhookRequest(action, firing, { url: "https://ci.example/hook", secret: "s", accessToken: "t" });
 * await fetch(req.url, { method: "POST", headers: req.headers, body: req.body });
 */
export function webhookRequest(
  action: WebhookActionSpec,
  firing: Firing,
  hook: { url: string; secret?: string; accessToken?: string },
  secrets?: Readonly<Record<string, string>>,
): { url: string; headers: Record<string, string>; body: string } {
  const compiled = compileWebhook(hook, payloadTextOf(action), secrets ?? {});
  const body = compiled.body(firing);
  const flat = compiled.headers(body, []);
  const headers: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) headers[flat[i] as string] = flat[i + 1] as string;
  return { url: compiled.url, headers, body };
}
