import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";

export interface Fault {
  /** Answer this status instead of forwarding (with these headers). */
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Forward, but hold the answer back this long. */
  readonly delayMs?: number;
  /** Forward (the backend acts on it), then cut the connection: the answer is lost on the way back. */
  readonly drop?: boolean;
}

/**
 * A real HTTP hop in front of the server that can refuse or slow down requests: how tests make a live backend
 * answer 429 and 500, or stall while the CLI is killed.
 */
export async function faultyProxy(target: string, decide: (body: string, n: number) => Fault | undefined): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      requests.push(body);
      const fault = decide(body, requests.length);
      if (fault?.status) {
        res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers }).end('{"errors":[{"message":"injected"}]}');
        return;
      }
      try {
        const upstream = await request(`${target}${req.url}`, {
          method: req.method as "POST",
          headers: { "content-type": "application/json", ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) },
          body,
        });
        const text = await upstream.body.text();
        if (fault?.drop) {
          res.destroy();
          return;
        }
        if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        res.writeHead(upstream.statusCode, { "content-type": "application/json" }).end(text);
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
