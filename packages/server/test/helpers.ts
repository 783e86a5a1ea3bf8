import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type SqliteStore } from "../src/store/sqlite.js";
import { seedStore, type Seed } from "../src/seed.js";

/** A fresh directory under the OS temp dir, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tripwire-server-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Two teams in one org plus a team outside it; alice administers ml, bob is a member, carol is elsewhere. */
export const SEED: Seed = {
  users: [
    { username: "alice", apiKeys: ["alice-key-0001"] },
    { username: "bob", apiKeys: ["bob-key-00002"] },
    { username: "carol", apiKeys: ["carol-key-003"] },
    { username: "root", admin: true, apiKeys: ["root-key-0004"] },
  ],
  orgs: [{ name: "acme-org", entity: "acme", admins: ["alice"] }],
  teams: [
    { name: "ml", org: "acme-org", admins: ["alice"], members: ["bob"] },
    { name: "rivals", admins: ["carol"] },
  ],
  projects: [
    { entity: "ml", name: "llm", collections: ["dataset", "ckpt"] },
    { entity: "ml", name: "vision" },
    { entity: "rivals", name: "secret-project" },
  ],
  registries: [{ org: "acme-org", name: "model", collections: ["llm-7b"] }],
  secrets: [
    { entity: "ml", name: "HOOK_SECRET", value: "s3cr3t-value" },
    { entity: "ml", name: "HOOK_TOKEN", value: "t0ken-value" },
  ],
  integrations: [
    { kind: "slack", entity: "ml", channelName: "#alerts", teamName: "acme-slack", webhookUrl: "http://127.0.0.1:9/slack" },
    { kind: "webhook", entity: "ml", name: "ci", url: "http://127.0.0.1:9/hook", secret: "HOOK_SECRET", accessToken: "HOOK_TOKEN" },
  ],
};

/** A seeded store in a temp directory. */
export function seededStore(seed: Seed = SEED): { store: SqliteStore; dir: string; cleanup: () => void } {
  const t = tempDir();
  const store = openStore(join(t.dir, "test.db"));
  seedStore(store, seed);
  return {
    store,
    dir: t.dir,
    cleanup: () => {
      store.close();
      t.cleanup();
    },
  };
}

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Basic auth header for an API key, as W&B's clients send it. */
export const auth = (key: string): string => `Basic ${Buffer.from(`api:${key}`).toString("base64")}`;

export const KEYS = { alice: "alice-key-0001", bob: "bob-key-00002", carol: "carol-key-003", root: "root-key-0004" } as const;

/** POSTs a GraphQL document to a server and returns the HTTP status and JSON body. */
export async function gql(url: string, key: string | undefined, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(key ? { Authorization: auth(key) } : {}) },
    body: JSON.stringify({ query, variables, operationName: "" }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
}

/** POSTs an ingestion body. */
export async function postEvents(url: string, key: string, body: string) {
  const res = await fetch(`${url}/api/v1/events`, { method: "POST", headers: { Authorization: auth(key), "Content-Type": "application/x-ndjson" }, body });
  return { status: res.status, body: (await res.json()) as any };
}

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
  readonly status: number;
}

/**
 * A real webhook receiver on loopback. `respond` decides each answer (status and headers); every request is
 * recorded with the status it got.
 */
export async function receiver(respond: (n: number, req: { path: string; body: string }) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 })) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const answer = respond(received.length, { path: req.url ?? "", body });
      received.push({ path: req.url ?? "", headers: req.headers, body, at: Date.now(), status: answer.status });
      res.writeHead(answer.status, { "Content-Type": "text/plain", ...answer.headers });
      res.end(answer.status < 300 ? "ok" : `error ${answer.status}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `ms`. */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, ms = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A run.metric event line. */
export function metric(run: string, step: number, metrics: Record<string, number>, extra: { entity?: string; project?: string; name?: string; user?: string } = {}): string {
  return JSON.stringify({
    type: "run.metric",
    entity: extra.entity ?? "ml",
    project: extra.project ?? "llm",
    run: { id: run, name: extra.name ?? run, user: extra.user ?? "bob" },
    step,
    timestamp: new Date(Date.UTC(2026, 10, 26, 10, 0, step)).toISOString(),
    metrics,
  });
}
