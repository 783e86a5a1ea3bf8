// The delivery benchmark's receiver: node:http on loopback. Request n (counted from 0) is answered 500 when
// n % 100 == 7, 429 with Retry-After: 1 when n % 100 == 57, else 200 — 1 % and 1 %. It counts 2xx answers per
// Idempotency-Key; GET /stats reports them, POST /reset clears them.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

let n = 0;
let duplicates = 0;
let ok = new Map<string, number>();
let statuses: Record<number, number> = {};
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    if (req.method === "GET" && req.url === "/stats") {
      res.end(JSON.stringify({ requests: n, keys: ok.size, duplicates, statuses }));
      return;
    }
    if (req.url === "/reset") {
      n = 0;
      duplicates = 0;
      ok = new Map();
      statuses = {};
      res.end("{}");
      return;
    }
    const i = n++;
    const status = i % 100 === 7 ? 500 : i % 100 === 57 ? 429 : 200;
    statuses[status] = (statuses[status] ?? 0) + 1;
    const key = req.headers["idempotency-key"];
    if (status === 200 && typeof key === "string") {
      const seen = ok.get(key) ?? 0;
      if (seen === 1) duplicates++;
      ok.set(key, seen + 1);
    }
    res.writeHead(status, status === 429 ? { "Retry-After": "1" } : {});
    res.end(status === 200 ? "ok" : "busy");
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.stderr.write(`${JSON.stringify({ msg: "listening", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`));
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
