import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { HistoryAnswer, HistoryFilter } from "@tripwire/server";
import type { TripwireConfig } from "../model/config.js";
import { ReconcilerError } from "../model/errors.js";
import { pick } from "../model/codes.js";
import { DEFAULT_DB, LOCAL_USER } from "./embedded.js";

/** Failure codes of `tripwire history` (block TW6600–TW6699). */
export const HISTORY_FAILURES = pick("TW6601", "TW6602", "TW6603", "TW6604");
export type HistoryFailure = keyof typeof HISTORY_FAILURES;

/** Where execution history is read from: a Tripwire server over HTTP, or the embedded database directly. */
export interface HistorySource {
  /** `file:<path>` or the server's base URL. */
  readonly url: string;
  read(filter: HistoryFilter, recheck: readonly number[]): Promise<HistoryAnswer>;
  close(): Promise<void>;
}

const fail = (code: HistoryFailure, message: string, cause?: unknown) => new ReconcilerError(code, message, cause === undefined ? {} : { cause });

/**
 * W&B shows execution history on its Automations pages, but its public API documents no query for it (the `wandb`
 * SDK's history client exists only on an unmerged branch), and it has no `/api/v1/history`: say so instead of guessing.
 */
export const WANDB_LACKS_HISTORY =
  "this backend has no execution-history API: W&B shows an automation's history only in its web UI (Automations → History); " +
  "its public API has no documented query for it. tripwire history reads a Tripwire server (tripwire server) or, " +
  "without WANDB_BASE_URL, the embedded database.";

/** The history of the backend `env` names: `WANDB_BASE_URL` (with `WANDB_API_KEY`), else the embedded database. */
export async function openHistory(ctx: { cwd: string; config: TripwireConfig; env: Readonly<Record<string, string | undefined>> }): Promise<HistorySource | { empty: string }> {
  const base = ctx.env.WANDB_BASE_URL;
  if (base) return httpHistory(base, ctx.env.WANDB_API_KEY);
  const path = resolve(ctx.cwd, ctx.config.embedded?.db ?? DEFAULT_DB);
  // Reading must not create a database: none means nothing was ever applied or fired here.
  if (!existsSync(path)) return { empty: path };
  return embeddedHistory(path);
}

/** The embedded database, read in-process as the local admin (the user the embedded default acts as). */
export async function embeddedHistory(path: string): Promise<HistorySource> {
  const { openStore, readHistory, reReadHistory } = await import("@tripwire/server");
  const store = openStore(path);
  return {
    url: `file:${path}`,
    async read(filter, recheck) {
      const user = store.userByName(LOCAL_USER);
      if (!user) return { entries: [], cursor: filter.after ?? 0, rechecked: [] };
      return { ...readHistory(store, user, filter), rechecked: reReadHistory(store, user, recheck) };
    },
    async close() {
      store.close();
    },
  };
}

/** A Tripwire server's `GET /api/v1/history`. */
export function httpHistory(baseUrl: string, apiKey: string | undefined): HistorySource {
  const base = baseUrl.replace(/\/+$/, "");
  const headers: Record<string, string> = { Accept: "application/json" };
  if (apiKey) headers.Authorization = `Basic ${Buffer.from(`api:${apiKey}`).toString("base64")}`;
  return {
    url: base,
    async read(filter, recheck) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
      if (recheck.length > 0) q.set("recheck", recheck.join(","));
      let res: Response;
      try {
        res = await fetch(`${base}/api/v1/history?${q}`, { headers, signal: AbortSignal.timeout(30_000) });
      } catch (e) {
        throw fail("TW6603", `could not reach ${base}: ${(e as Error).message}`, e);
      }
      const text = await res.text();
      if (res.status === 401 || res.status === 403) throw fail("TW6602", `${base} refused the API key (HTTP ${res.status}); set WANDB_API_KEY to a key of that server`);
      if (res.status === 404) throw fail("TW6601", `${base}: ${WANDB_LACKS_HISTORY}`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw fail("TW6603", `${base} answered HTTP ${res.status} with something other than JSON`);
      }
      if (res.status === 400) throw fail("TW6604", `${base} refused the query: ${(body as { error?: string }).error ?? text}`);
      const answer = body as Partial<HistoryAnswer>;
      if (res.status !== 200 || !Array.isArray(answer.entries) || typeof answer.cursor !== "number") {
        throw fail("TW6603", `${base} answered HTTP ${res.status} without execution history: is it a Tripwire server?`);
      }
      return { entries: answer.entries, cursor: answer.cursor, rechecked: answer.rechecked ?? [] };
    },
    async close() {},
  };
}
