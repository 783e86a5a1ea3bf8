// The baseline of the ingest benchmark: a bare node:http server that only reads the body and JSON-parses
// every event (NDJSON or a JSON array), then answers like the real endpoint. No validation, no storage.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const text = Buffer.concat(chunks).toString("utf8");
    let n = 0;
    if (text.trimStart().startsWith("[")) n = (JSON.parse(text) as unknown[]).length;
    else for (const line of text.split("\n")) if (line.trim() !== "") (JSON.parse(line), n++);
    const body = JSON.stringify({ accepted: n });
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => process.stderr.write(`${JSON.stringify({ msg: "listening", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
