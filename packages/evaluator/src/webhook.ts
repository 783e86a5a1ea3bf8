/**
 * The webhook request W&B sends (spec §E.1): POST, `Content-Type: application/json`, the rendered payload,
 * `Authorization: Bearer <access token>` when the webhook has one, and `X-Wandb-Signature`, the base64
 * HMAC-SHA256 of the body keyed with the webhook's secret. Pure: the server does the HTTP.
 */
import { createHmac } from "node:crypto";
import type { WebhookActionSpec } from "@tripwire/sdk";
import type { Firing } from "./engine.js";
import { renderPayload } from "./template.js";

/**
 * `X-Wandb-Signature`: base64 HMAC-SHA256 of the body bytes (UTF-8) with the webhook's secret.
 * @example signPayload('{"a":1}', "s3cret") // same as: echo -n '{"a":1}' | openssl dgst -sha256 -hmac s3cret -binary | base64
 */
export function signPayload(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
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
  const all: Record<string, string> = { ...secrets };
  if (hook.accessToken !== undefined) all.ACCESS_TOKEN = hook.accessToken;
  const body = renderPayload(action, firing, { secrets: all }) ?? "";
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (hook.accessToken !== undefined) headers.Authorization = `Bearer ${hook.accessToken}`;
  if (hook.secret !== undefined) headers["X-Wandb-Signature"] = signPayload(body, hook.secret);
  return { url: hook.url, headers, body };
}
