// Rate limits as W&B sends them (`RateLimit-Limit/Remaining/Reset`, `Retry-After` on 429), against a real loopback
// HTTP server that enforces a window and answers 429 past it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openBackend } from "../src/remote/open.js";
import { mapLimit } from "../src/model/limit.js";
import { HttpTransport, rateLimitOf } from "../src/remote/transport.js";

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** A GraphQL endpoint allowing `limit` requests per `windowMs`; beyond that, 429 with Retry-After. */
async function limited(limit: number, windowMs: number, options: { headersOn200?: boolean } = {}) {
  const log = { ok: 0, refused: 0 };
  let start = Date.now();
  let used = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const now = Date.now();
      if (now - start >= windowMs) {
        start = now;
        used = 0;
      }
      const resetS = ((start + windowMs - now) / 1000).toFixed(3);
      if (used >= limit) {
        log.refused++;
        res.writeHead(429, { "retry-after": resetS, "ratelimit-limit": String(limit), "ratelimit-remaining": "0", "ratelimit-reset": resetS }).end("rate limited");
        return;
      }
      used++;
      log.ok++;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (options.headersOn200 !== false) Object.assign(headers, { "ratelimit-limit": String(limit), "ratelimit-remaining": String(limit - used), "ratelimit-reset": resetS });
      res.writeHead(200, headers).end('{"data":{"ok":true}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log };
}

describe("rate limits", () => {
  it("reads the RateLimit-* fields", () => {
    expect(rateLimitOf({ "ratelimit-limit": "100", "ratelimit-remaining": "0", "ratelimit-reset": "1.5" })).toEqual({ limit: 100, remaining: 0, resetMs: 1500 });
    expect(rateLimitOf({ "ratelimit-remaining": "3" })).toBeUndefined();
    expect(rateLimitOf({})).toBeUndefined();
  });

  it("paces requests to the window the backend reports, so a burst never trips the limit", async () => {
    const s = await limited(3, 300);
    const pauses: number[] = [];
    const t = new HttpTransport(s.url, { onPause: (p) => pauses.push(p.delayMs) });
    // The first answer tells the window; from then on, a burst of concurrent writes stays inside it.
    expect((await t.request({ query: "{ features }" })).status).toBe(200);
    const started = Date.now();
    const results = await mapLimit(Array.from({ length: 10 }, (_, i) => i), 4, () => t.request({ query: "mutation { x }" }));
    await t.close();
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(s.log).toEqual({ ok: 11, refused: 0 });
    expect(pauses.length).toBeGreaterThanOrEqual(3);
    // Eleven requests at three per 300 ms window take at least three window resets.
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  }, 20_000);

  it("without RateLimit fields, honours Retry-After on 429 and says so in the progress output", async () => {
    const s = await limited(2, 250, { headersOn200: false });
    const lines: string[] = [];
    const backend = await openBackend({ cwd: process.cwd(), config: {}, env: { WANDB_BASE_URL: s.url }, reporter: { message: (_c, text) => lines.push(text), progress: () => {} } });
    for (let i = 0; i < 3; i++) expect((await backend.client.transport.request({ query: "{ x }" })).status).toBe(200);
    await backend.close();
    expect(s.log.ok).toBe(3);
    expect(s.log.refused).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^the backend answered HTTP 429; retrying in 0\.\d s \(2\/\d+\)$/);
  }, 20_000);

  it("with RateLimit fields, waits for the window before the limit is hit, and says so", async () => {
    const s = await limited(2, 250);
    const lines: string[] = [];
    const backend = await openBackend({ cwd: process.cwd(), config: {}, env: { WANDB_BASE_URL: s.url }, reporter: { message: (_c, text) => lines.push(text), progress: () => {} } });
    for (let i = 0; i < 3; i++) expect((await backend.client.transport.request({ query: "{ x }" })).status).toBe(200);
    await backend.close();
    expect(s.log).toEqual({ ok: 3, refused: 0 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^the backend's rate limit \(2 requests per window\) is used up: waiting 0\.\d s for it to reset$/);
  }, 20_000);
});
