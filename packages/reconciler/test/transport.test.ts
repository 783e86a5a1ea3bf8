import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpTransport } from "../src/remote/transport.js";
import { backoffMs, retryDelayMs } from "@tripwire/evaluator";
import { DEFAULT_RETRY, retryAfterMs } from "../src/model/transport.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void;
const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function serve(handler: Handler): Promise<{ url: string; seen: { auth?: string; body: string }[] }> {
  const seen: { auth?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body });
      handler(req, res, body, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

const ok = (res: ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end('{"data":{"viewer":{"id":"1"}}}');
const noSleep = { sleep: async () => {}, random: () => 0.5 };

describe("HttpTransport", () => {
  it("posts GraphQL with W&B's Basic auth to <base>/graphql", async () => {
    const s = await serve((req, res) => {
      expect(req.url).toBe("/graphql");
      ok(res);
    });
    const t = new HttpTransport(s.url, { apiKey: "secret-key" });
    const r = await t.request({ query: "{ viewer { id } }" });
    await t.close();
    expect(r).toEqual({ status: 200, data: { viewer: { id: "1" } } });
    expect(s.seen[0]).toEqual({ auth: `Basic ${Buffer.from("api:secret-key").toString("base64")}`, body: '{"query":"{ viewer { id } }"}' });
  });

  it("retries 429 honouring Retry-After, and 5xx with backoff, then succeeds", async () => {
    const waits: number[] = [];
    const s = await serve((_req, res, _b, n) => {
      if (n === 1) res.writeHead(429, { "retry-after": "2" }).end("slow down");
      else if (n === 2) res.writeHead(500).end("oops");
      else if (n === 3) res.writeHead(503).end();
      else ok(res);
    });
    const retries: unknown[] = [];
    const t = new HttpTransport(s.url, { ...noSleep, sleep: async (ms) => void waits.push(ms), onRetry: (i) => retries.push(i) });
    const r = await t.request({ query: "{ viewer { id } }" });
    await t.close();
    expect(r.status).toBe(200);
    expect(t.requestCount).toBe(4);
    expect(waits).toEqual([2000, 250, 500]); // Retry-After, then base·2^(n-1)·jitter(0.5)·… capped
    expect(retries).toEqual([
      { attempt: 1, status: 429, delayMs: 2000 },
      { attempt: 2, status: 500, delayMs: 250 },
      { attempt: 3, status: 503, delayMs: 500 },
    ]);
  });

  it("gives up after the retry budget with a coded failure naming the status", async () => {
    const s = await serve((_req, res) => res.writeHead(502).end("bad gateway"));
    const t = new HttpTransport(s.url, { ...noSleep, retry: { maxAttempts: 3 } });
    await expect(t.request({ query: "{ x }" })).rejects.toMatchObject({ code: "TWE002", message: expect.stringContaining("HTTP 502: bad gateway") });
    expect(t.requestCount).toBe(3);
    await t.close();
  });

  it("returns GraphQL errors with the status for the caller to judge (a 409 duplicate is not retried)", async () => {
    const s = await serve((_req, res) => res.writeHead(409, { "content-type": "application/json" }).end('{"errors":[{"message":"exists"}]}'));
    const t = new HttpTransport(s.url, noSleep);
    expect(await t.request({ query: "mutation { x }" })).toEqual({ status: 409, errors: [{ message: "exists" }] });
    expect(t.requestCount).toBe(1);
    await t.close();
  });

  it("retries dropped connections, then reports the backend unreachable", async () => {
    const s = await serve((req) => req.socket.destroy());
    const t = new HttpTransport(s.url, { ...noSleep, retry: { maxAttempts: 2 } });
    await expect(t.request({ query: "{ x }" })).rejects.toMatchObject({ code: "TWE001" });
    expect(t.requestCount).toBe(2);
    await t.close();
  });

  it("Retry-After in seconds or as a date, and W&B's RateLimit-Reset", () => {
    expect(retryAfterMs({ "retry-after": "3" })).toBe(3000);
    expect(retryAfterMs({ "retry-after": new Date(10_000).toUTCString() }, 4_000)).toBe(6000);
    expect(retryAfterMs({ "ratelimit-reset": "1" })).toBe(1000);
    expect(retryAfterMs({})).toBeUndefined();
    expect(backoffMs(DEFAULT_RETRY, 10, () => 1)).toBe(30_000);
    expect(retryDelayMs(DEFAULT_RETRY, 1, { status: 429, retryAfterMs: 90_000 }, () => 1)).toBe(30_000);
  });
});
