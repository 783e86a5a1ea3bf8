import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { postPlanComment } from "../src/github/comment.js";

interface Recorded {
  method: string;
  url: string;
  auth?: string;
  body?: unknown;
}

/** A stand-in for GitHub's REST API on loopback: keeps comments in memory and records every request. */
async function fakeGitHub(initial: { id: number; body: string }[], options: { rateLimitFirst?: boolean; pageSize?: number } = {}) {
  const comments = [...initial];
  const requests: Recorded[] = [];
  let nextId = 1000;
  let limited = options.rateLimitFirst ?? false;
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = raw ? (JSON.parse(raw) as { body: string }) : undefined;
      requests.push({ method: req.method ?? "", url: req.url ?? "", ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), ...(body ? { body } : {}) });
      if (limited) {
        limited = false;
        res.writeHead(403, { "retry-after": "0", "content-type": "application/json" }).end('{"message":"secondary rate limit"}');
        return;
      }
      const url = new URL(req.url ?? "/", "http://x");
      const json = (status: number, data?: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(data === undefined ? "" : JSON.stringify(data));
      let m: RegExpExecArray | null;
      if (req.method === "GET" && (m = /^\/repos\/acme\/automations\/issues\/7\/comments$/.exec(url.pathname))) {
        const size = options.pageSize ?? 100;
        const page = Number(url.searchParams.get("page") ?? "1");
        const slice = comments.slice((page - 1) * size, page * size);
        const more = page * size < comments.length;
        if (more) res.setHeader("link", `<${base}/repos/acme/automations/issues/7/comments?per_page=${size}&page=${page + 1}>; rel="next"`);
        return json(200, slice);
      }
      if (req.method === "POST" && /^\/repos\/acme\/automations\/issues\/7\/comments$/.test(url.pathname)) {
        const c = { id: nextId++, body: body?.body ?? "" };
        comments.push(c);
        return json(201, c);
      }
      if ((m = /^\/repos\/acme\/automations\/issues\/comments\/(\d+)$/.exec(url.pathname))) {
        const i = comments.findIndex((c) => c.id === Number(m?.[1]));
        if (req.method === "PATCH") {
          comments[i] = { id: Number(m[1]), body: body?.body ?? "" };
          return json(200, comments[i]);
        }
        comments.splice(i, 1);
        return json(204);
      }
      json(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => server.close());
  return { base, comments, requests };
}

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));
const post = (base: string, parts: string[]) => postPlanComment({ repo: "acme/automations", pr: 7, token: "ghs_test", parts, apiUrl: base, sleep: async () => {} });

describe("postPlanComment", () => {
  it("creates one comment per part, then updates the same comments in place", async () => {
    const gh = await fakeGitHub([{ id: 1, body: "LGTM from a human" }]);
    expect(await post(gh.base, ["plan A part 1", "plan A part 2"])).toEqual({ created: 2, updated: 0, deleted: 0 });
    expect(gh.comments.map((c) => c.body)).toEqual(["LGTM from a human", "<!-- tripwire-plan part=1 -->\nplan A part 1", "<!-- tripwire-plan part=2 -->\nplan A part 2"]);
    expect(gh.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /repos/acme/automations/issues/7/comments?per_page=100",
      "POST /repos/acme/automations/issues/7/comments",
      "POST /repos/acme/automations/issues/7/comments",
    ]);
    expect(gh.requests.every((r) => r.auth === "Bearer ghs_test")).toBe(true);

    gh.requests.length = 0;
    expect(await post(gh.base, ["plan B"])).toEqual({ created: 0, updated: 1, deleted: 1 });
    expect(gh.comments.map((c) => c.body)).toEqual(["LGTM from a human", "<!-- tripwire-plan part=1 -->\nplan B"]);
    expect(gh.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /repos/acme/automations/issues/7/comments?per_page=100",
      "PATCH /repos/acme/automations/issues/comments/1000",
      "DELETE /repos/acme/automations/issues/comments/1001",
    ]);

    gh.requests.length = 0;
    expect(await post(gh.base, ["plan B"])).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(gh.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  it("follows pagination to find its comments and retries a secondary rate limit", async () => {
    const others = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, body: `comment ${i}` }));
    const gh = await fakeGitHub([...others, { id: 99, body: "<!-- tripwire-plan part=1 -->\nold" }], { pageSize: 2, rateLimitFirst: true });
    expect(await post(gh.base, ["new"])).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(gh.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /repos/acme/automations/issues/7/comments?per_page=100",
      "GET /repos/acme/automations/issues/7/comments?per_page=100",
      "GET /repos/acme/automations/issues/7/comments?per_page=2&page=2",
      "GET /repos/acme/automations/issues/7/comments?per_page=2&page=3",
      "PATCH /repos/acme/automations/issues/comments/99",
    ]);
  });

  it("reports a refusal with GitHub's status and message", async () => {
    const gh = await fakeGitHub([]);
    await expect(postPlanComment({ repo: "acme/other", pr: 7, token: "t", parts: ["x"], apiUrl: gh.base })).rejects.toMatchObject({
      code: "TWE002",
      message: expect.stringContaining("answered 404"),
    });
  });
});
