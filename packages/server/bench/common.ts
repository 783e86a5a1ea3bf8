// Helpers shared by the server benchmarks: child processes, a load loop over an undici Pool, formatting.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";

export const BIN = fileURLToPath(new URL("../bin/tripwire-server.js", import.meta.url));
export const BARE = fileURLToPath(new URL("./bare-server.ts", import.meta.url));

/** Spawns a server child and resolves with its URL once it logs `"msg":"listening"`. */
export async function spawnListening(args: string[]): Promise<{ child: ChildProcess; url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /"msg":"listening","url":"([^"]+)"/.exec(err);
      if (m) {
        clearInterval(t);
        resolve(m[1] as string);
      }
    }, 20);
    child.once("exit", (code) => {
      clearInterval(t);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
  return {
    child,
    url,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once("exit", () => r());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Sends `make(i)` bodies with `concurrency` requests in flight for `seconds`; every answer must be 200.
 * Returns requests/s and the latency percentiles.
 */
export async function load(url: string, path: string, headers: Record<string, string>, make: (i: number) => string, concurrency: number, seconds: number) {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: concurrency, pipelining: 1 });
  const deadline = performance.now() + seconds * 1000;
  let sent = 0;
  let done = 0;
  const latencies: number[] = [];
  const worker = async () => {
    while (performance.now() < deadline) {
      const body = make(sent++);
      const t0 = performance.now();
      const res = await pool.request({ method: "POST", path, headers, body });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${text.slice(0, 300)}`);
      latencies.push(performance.now() - t0);
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { requests: done, rps: done / elapsed, p50: pct(0.5), p99: pct(0.99) };
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
