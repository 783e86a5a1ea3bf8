import { retryDelayMs, type RetryPolicy } from "@tripwire/evaluator";
import { ReconcilerError } from "../model/errors.js";
import { DEFAULT_RETRY, retryAfterMs } from "../model/transport.js";

/** GitHub's answers are retried as the GraphQL client's are, and also every 5xx and a rate-limited 403. */
const GITHUB_RETRY: RetryPolicy = { ...DEFAULT_RETRY, serverErrors: true };

/** Marks our comments so the next run finds and updates them in place: `<!-- tripwire-plan part=1 -->`. */
export const COMMENT_MARKER = "<!-- tripwire-plan";
const marker = (part: number) => `${COMMENT_MARKER} part=${part} -->`;
const partOf = (body: string): number | undefined => {
  const m = /^<!-- tripwire-plan part=(\d+) -->/.exec(body);
  return m ? Number(m[1]) : undefined;
};

export interface PostCommentOptions {
  /** `owner/name`. */
  readonly repo: string;
  /** Pull-request (issue) number. */
  readonly pr: number;
  readonly token: string;
  /** The comment parts (`tripwire plan --markdown`, split on its part separator). */
  readonly parts: readonly string[];
  /** GitHub's REST API root (GitHub Enterprise, or a test server). */
  readonly apiUrl?: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PostCommentResult {
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
}

interface GitHubComment {
  readonly id: number;
  readonly body: string;
}

/**
 * Posts the plan as pull-request comments, updating ours in place on every run (one comment per part, found by a
 * hidden marker) and deleting leftover parts when the plan got shorter. GitHub REST API through undici; retries
 * rate limits (403/429 with `Retry-After` or `X-RateLimit-Reset`) and 5xx.
 * @example await postPlanComment({ repo: "acme/automations", pr: 42, token: process.env.GITHUB_TOKEN!, parts });
 */
export async function postPlanComment(options: PostCommentOptions): Promise<PostCommentResult> {
  // undici loads with the command that posts, not with the package.
  const { request } = await import("undici");
  const api = (options.apiUrl ?? "https://api.github.com").replace(/\/$/, "");
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const call = async <T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<{ data: T; link?: string }> => {
    for (let attempt = 0; ; attempt++) {
      const res = await request(`${api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: "application/vnd.github+json",
          "x-github-api-version": "2022-11-28",
          "user-agent": "tripwire",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.body.text();
      const limited = res.statusCode === 429 || (res.statusCode === 403 && (res.headers["retry-after"] !== undefined || res.headers["x-ratelimit-remaining"] === "0"));
      const reset = res.headers["x-ratelimit-reset"];
      const resetMs = typeof reset === "string" ? Math.max(0, Number(reset) * 1000 - Date.now()) : undefined;
      const delayMs = retryDelayMs(GITHUB_RETRY, attempt + 1, { status: res.statusCode, rateLimited: limited, retryAfterMs: retryAfterMs(res.headers) ?? resetMs }, Math.random);
      if (delayMs !== undefined) {
        await sleep(delayMs);
        continue;
      }
      if (res.statusCode >= 400) {
        throw new ReconcilerError("TWE002", `GitHub ${method} ${path} answered ${res.statusCode}: ${text.slice(0, 200)}`, { status: res.statusCode });
      }
      const link = res.headers.link;
      let data: T | undefined;
      try {
        data = (text ? JSON.parse(text) : undefined) as T;
      } catch (error) {
        // A proxy's login page, or --api-url pointing at GitHub's web site rather than its REST API.
        const snippet = text.slice(0, 120).replace(/\s+/g, " ");
        throw new ReconcilerError(
          "TW6207",
          `GitHub ${method} ${api}${path} answered HTTP ${res.statusCode} with something that is not JSON ("${snippet}"): check --api-url (GitHub Enterprise: https://HOST/api/v3) and any proxy in between`,
          { cause: error, status: res.statusCode },
        );
      }
      return { data: data as T, ...(typeof link === "string" ? { link } : {}) };
    }
  };

  const ours = new Map<number, GitHubComment>();
  let path: string | undefined = `/repos/${options.repo}/issues/${options.pr}/comments?per_page=100`;
  while (path) {
    const page: { data: GitHubComment[]; link?: string } = await call<GitHubComment[]>("GET", path);
    for (const c of page.data) {
      const part = partOf(c.body ?? "");
      if (part !== undefined && !ours.has(part)) ours.set(part, c);
    }
    const next = /<([^>]+)>;\s*rel="next"/.exec(page.link ?? "")?.[1];
    path = next ? next.replace(api, "") : undefined;
  }

  let created = 0;
  let updated = 0;
  let deleted = 0;
  for (const [i, text] of options.parts.entries()) {
    const body = `${marker(i + 1)}\n${text}`;
    const existing = ours.get(i + 1);
    if (existing) {
      if (existing.body !== body) {
        await call("PATCH", `/repos/${options.repo}/issues/comments/${existing.id}`, { body });
        updated++;
      }
    } else {
      await call("POST", `/repos/${options.repo}/issues/${options.pr}/comments`, { body });
      created++;
    }
  }
  for (const [part, c] of ours) {
    if (part > options.parts.length) {
      await call("DELETE", `/repos/${options.repo}/issues/comments/${c.id}`);
      deleted++;
    }
  }
  return { created, updated, deleted };
}
