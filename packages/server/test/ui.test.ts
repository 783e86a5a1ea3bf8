// The web page of the server in real headless Chromium: sign-in, cookie flags, CSP, automations, history filters,
// an execution's request, response, explanation and sparkline.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Seed } from "../src/seed.js";
import { startServer, type RunningServer } from "../src/server.js";
import { UI_COOKIE, UI_CSP } from "../src/ui.js";
import { launchBrowser, recordingPage, signIn } from "./browser.js";
import { CreateAutomation } from "./documents.js";
import { gql, KEYS, metric, postEvents, SEED, tempDir } from "./helpers.js";

const closers: (() => Promise<void> | void)[] = [];
let browser: Browser;
let server: RunningServer;
let hookUrl: string;

const threshold = (cmp: string, value: number) =>
  JSON.stringify({
    run_filter: JSON.stringify({ $and: [] }),
    run_metric_filter: { threshold_filter: { name: "loss", agg_op: null, window_size: 1, cmp_op: cmp, threshold: value } },
    metric_filter: null,
  });

/** One event per batch, so the sparkline reads the batches around the firing's. */
const LOSS_R1 = [0.5, 0.6, 0.7, 0.75, 0.9, 0.7, 0.6, 0.5, 0.4, 0.3];
const LOSS_R2 = [0.1, 0.01, 0.2];

async function create(s: RunningServer, name: string, filter: string, type: string, action: Record<string, unknown>) {
  const d = (await gql(s.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } }`)).body.data;
  const r = await gql(s.url, KEYS.bob, CreateAutomation, {
    input: { enabled: true, eventFilter: filter, name, scopeID: d.project.id, scopeType: "PROJECT", triggeredActionConfig: action, triggeredActionType: type, triggeringEventType: "RUN_METRIC" },
  });
  expect(r.body.errors).toBeUndefined();
}

async function start(extra: { renderDefinition?: (spec: { name: string; event: { type: string } }) => string } = {}) {
  const t = tempDir();
  const seed: Seed = { ...SEED, integrations: [{ kind: "webhook", entity: "ml", name: "ci", url: `${hookUrl}/hook`, secret: "HOOK_SECRET", accessToken: "HOOK_TOKEN" }] };
  const s = await startServer({ db: join(t.dir, "ui.db"), port: 0, seed, allowPrivate: ["127.0.0.1"], durability: "normal", ...extra });
  closers.push(t.cleanup, s.close);
  return s;
}

/** A receiver that echoes the body it got (with the secret in it): history must show it masked. */
async function echoReceiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const echo = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => res.writeHead(200, { "Content-Type": "application/json" }).end(`echo ${Buffer.concat(chunks).toString("utf8")}`));
  });
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(echo.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => (echo.closeAllConnections(), echo.close(() => r()))) };
}

beforeAll(async () => {
  const hook = await echoReceiver();
  closers.push(hook.close);
  hookUrl = hook.url;
  server = await start();
  const integrations = (await gql(server.url, KEYS.bob, `{ entity(name: "ml") { integrations { edges { node { id } } } } }`)).body.data.entity.integrations.edges;
  await create(server, "loss-hook", threshold("$gt", 0.8), "GENERIC_WEBHOOK", { genericWebhookActionInput: { integrationID: integrations[0].node.id, requestPayload: '{"run":"${run_name}","token":"${ACCESS_TOKEN}"}' } });
  await create(server, "loss-low", threshold("$lt", 0.05), "NO_OP", { noOpActionInput: { noOp: true } });
  for (const [i, loss] of LOSS_R1.entries()) expect((await postEvents(server.url, KEYS.bob, metric("r1", i, { loss }, { name: "sweep-1" }))).status).toBe(200);
  for (const [i, loss] of LOSS_R2.entries()) expect((await postEvents(server.url, KEYS.bob, metric("r2", i, { loss }, { name: "sweep-2" }))).status).toBe(200);
  await server.dispatcher.idle();
  browser = await launchBrowser();
  closers.push(() => browser.close());
}, 60_000);

afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe("the server's web page", () => {
  it("answers / with the sign-in form under a strict Content-Security-Policy, and its data needs the key", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(UI_CSP);
    expect(UI_CSP).toMatch(/^default-src 'none'; script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/ui/login" id="login">');
    expect(html).not.toContain("<script");
    const data = await fetch(`${server.url}/ui/api/history`);
    expect(data.status).toBe(401);
    expect(await data.json()).toEqual({ error: "sign in first: the page's data needs the API key cookie the sign-in form sets" });
    // A key in the cookie that is not a key is refused the same way.
    expect((await fetch(`${server.url}/ui/api/history`, { headers: { Cookie: `${UI_COOKIE}=nope` } })).status).toBe(401);
    // The vendored libraries come from the package's own dependencies, under the same policy.
    const preact = await fetch(`${server.url}/ui/vendor/preact.mjs`);
    expect(preact.status).toBe(200);
    expect(preact.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(preact.headers.get("content-security-policy")).toBe(UI_CSP);
    expect((await fetch(`${server.url}/ui/vendor/../../package.json`)).status).toBe(404);
  });

  it("refuses a wrong key at the sign-in form and sets no cookie", async () => {
    const { page, problems } = await recordingPage(browser);
    await page.goto(`${server.url}/`);
    await page.fill("#key", "not-a-key");
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/ui/login")), page.click("#login button[type=submit]")]);
    expect(answer.status()).toBe(401);
    expect(await page.textContent("#login-error")).toBe("That API key is not valid on this server.");
    expect(await page.context().cookies()).toEqual([]);
    // The 401 answer itself is the one console line the browser writes ("Failed to load resource").
    expect(problems.filter((p) => !p.includes("401"))).toEqual([]);
    await page.context().close();
  });

  it("refuses sign-in and sign-out form posts from another site", async () => {
    const form = { "Content-Type": "application/x-www-form-urlencoded" };
    for (const headers of [{ ...form, Origin: "http://evil.example" }, { ...form, Origin: "null" }, { ...form, "Sec-Fetch-Site": "cross-site" }, { ...form, "Sec-Fetch-Site": "same-site", Origin: server.url }]) {
      for (const path of ["/ui/login", "/ui/logout"]) {
        const res = await fetch(`${server.url}${path}`, { method: "POST", headers, body: `key=${KEYS.bob}`, redirect: "manual" });
        expect({ path, status: res.status, cookie: res.headers.get("set-cookie") }).toEqual({ path, status: 403, cookie: null });
        expect(await res.json()).toEqual({ error: "sign-in and sign-out forms are accepted from this server's own page only" });
      }
    }
    const same = await fetch(`${server.url}/ui/login`, { method: "POST", headers: { ...form, Origin: server.url, "Sec-Fetch-Site": "same-origin" }, body: `key=${KEYS.bob}`, redirect: "manual" });
    expect(same.status).toBe(303);
    expect(same.headers.get("set-cookie")).toBe(`${UI_COOKIE}=${KEYS.bob}; Path=/; HttpOnly; SameSite=Strict`);
  });

  it("signs in with an HttpOnly, SameSite=Strict cookie; lists automations by scope with the raw definition; filters history; opens an execution", async () => {
    const { page, problems } = await recordingPage(browser);
    await signIn(page, server.url, KEYS.bob);
    expect(await page.textContent("#user")).toBe("signed in as bob");
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => ({ name: c.name, value: c.value, httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path }))).toEqual([{ name: UI_COOKIE, value: KEYS.bob, httpOnly: true, sameSite: "Strict", path: "/" }]);
    expect(await page.evaluate("document.cookie")).toBe("");

    // Automations by scope; a definition opens on demand. No renderer injected: the saved definition, raw.
    await page.waitForSelector("section.scope");
    expect(await page.$$eval("section.scope", (s) => s.map((x) => [x.getAttribute("data-scope"), [...x.querySelectorAll("details.automation")].map((d) => d.getAttribute("data-name"))]))).toEqual([["project ml/llm", ["loss-hook", "loss-low"]]]);
    await page.click('details[data-name="loss-hook"] summary');
    const raw = JSON.parse((await page.textContent('details[data-name="loss-hook"] pre.definition.raw', { timeout: 10_000 })) as string);
    expect(raw).toMatchObject({ name: "loss-hook", scope: "project ml/llm", eventType: "RUN_METRIC", actionType: "GENERIC_WEBHOOK", action: { integration: "webhook ci", requestPayload: '{"run":"${run_name}","token":"${ACCESS_TOKEN}"}' } });
    expect(raw.eventFilter.run_metric_filter.threshold_filter).toEqual({ name: "loss", agg_op: null, window_size: 1, cmp_op: "$gt", threshold: 0.8 });
    expect(JSON.stringify(raw)).not.toContain(hookUrl);
    expect(await page.$('details[data-name="loss-hook"] pre.definition.sdk')).toBeNull();

    // History: newest first, then filtered by automation, status, run and since.
    const rows = () => page.$$eval("#history tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(1).map((td) => td.textContent)));
    await page.waitForSelector("#history tbody tr");
    expect(await rows()).toEqual([
      ["loss-low", "runMetricThreshold", "sweep-2", "NO_OP", "finished", "0", ""],
      ["loss-hook", "runMetricThreshold", "sweep-1", "GENERIC_WEBHOOK", "finished", "1", "200"],
    ]);
    const rowsAre = (n: number) => expect.poll(() => page.locator("#history tbody tr").count(), { timeout: 10_000 }).toBe(n);
    const filtered = async (select: () => Promise<unknown>, param: string) => {
      const [req] = await Promise.all([page.waitForRequest((r) => r.url().includes("/ui/api/history") && r.url().includes(param)), select()]);
      await page.waitForResponse((r) => r.url() === req.url());
      await page.waitForSelector("#history, #no-executions");
      return new URL(req.url()).searchParams;
    };
    await filtered(() => page.selectOption('select[name="automation"]', "loss-hook"), "automation=loss-hook");
    await rowsAre(1);
    expect((await rows()).map((r) => r[0])).toEqual(["loss-hook"]);
    await filtered(() => page.selectOption('select[name="status"]', "failed"), "status=failed");
    await page.waitForSelector("#no-executions");
    await filtered(() => page.selectOption('select[name="status"]', ""), "automation=loss-hook");
    await filtered(() => page.selectOption('select[name="automation"]', ""), "limit=");
    await filtered(async () => {
      await page.fill('input[name="run"]', "sweep-2");
      await page.press('input[name="run"]', "Enter");
    }, "run=sweep-2");
    await rowsAre(1);
    expect((await rows()).map((r) => r[0])).toEqual(["loss-low"]);
    await page.fill('input[name="run"]', "");
    await page.press('input[name="run"]', "Enter");
    const before = Date.now();
    const since = await filtered(() => page.selectOption('select[name="since"]', "1h"), "since=");
    expect(Math.abs(Date.parse(since.get("since") as string) - (before - 3_600_000))).toBeLessThan(60_000);
    await rowsAre(2);

    // An execution: why it fired, the sparkline of the run's loss around the firing, what was sent and answered.
    await page.click("#history tbody tr:nth-child(2)");
    await page.waitForSelector("#execution .explanation");
    expect(await page.textContent("#execution h3")).toBe("loss-hook finished");
    expect(await page.textContent("#execution .explanation")).toBe("loss [0.9] = 0.9 > 0.8");
    expect(await page.textContent("#execution pre.request")).toBe('{"run":"sweep-1","token":"***"}');
    // The receiver echoed the token it was sent: the page shows it masked, as history does everywhere.
    expect(await page.textContent("#execution pre.response")).toBe('echo {"run":"sweep-1","token":"***"}');
    expect(await page.content()).not.toContain("t0ken-value");
    expect(await page.textContent("#execution figcaption")).toBe("loss of sweep-1, 10 values around step 4 (0.3 to 0.9); threshold 0.8");
    const d = (await page.getAttribute("#execution path.series", "d")) as string;
    expect(d.split(" ").map((s) => s[0])).toEqual(["M", "L", "L", "L", "L", "L", "L", "L", "L", "L"]);
    expect(await page.$$eval("#execution svg circle.fired, #execution svg line.threshold", (e) => e.map((x) => x.tagName))).toEqual(["line", "circle"]);

    // The screenshot, compared structurally: a PNG of the viewport, the page's parts present, nothing in the console.
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 720]);
    const parts = ["header.top h1", "#user", "form[action='/ui/logout']", "#automations section.scope", "details.automation", "#filters select", "#filters input", "#history tbody tr", "#execution", "#execution svg"];
    const structure = Object.fromEntries(await Promise.all(parts.map(async (s) => [s, await page.locator(s).count()])));
    expect(structure).toEqual({ "header.top h1": 1, "#user": 1, "form[action='/ui/logout']": 1, "#automations section.scope": 1, "details.automation": 2, "#filters select": 3, "#filters input": 1, "#history tbody tr": 2, "#execution": 1, "#execution svg": 1 });
    expect(problems).toEqual([]);

    // Signing out clears the cookie: the form again.
    await Promise.all([page.waitForURL(`${server.url}/`), page.click("form[action='/ui/logout'] button")]);
    await page.waitForSelector("#login");
    expect(await page.context().cookies()).toEqual([]);
    await page.context().close();
  });

  it("shows a definition as SDK code when the server is given a renderer, and other teams see nothing", async () => {
    const rendered = await start({ renderDefinition: (spec) => `automation(${JSON.stringify(spec.name)}) // ${spec.event.type}` });
    await create(rendered, "loss-hook", threshold("$gt", 0.8), "NO_OP", { noOpActionInput: { noOp: true } });
    const { page, problems } = await recordingPage(browser);
    await signIn(page, rendered.url, KEYS.bob);
    await page.click('details[data-name="loss-hook"] summary');
    expect(await page.textContent('details[data-name="loss-hook"] pre.definition.sdk', { timeout: 10_000 })).toBe('automation("loss-hook") // runMetricThreshold');
    expect(problems).toEqual([]);
    await page.context().close();

    const carol = await recordingPage(browser);
    await signIn(carol.page, rendered.url, KEYS.carol);
    await carol.page.waitForSelector("#no-automations");
    await carol.page.waitForSelector("#no-executions");
    const listed = (await (await fetch(`${rendered.url}/ui/api/automations`, { headers: { Cookie: `${UI_COOKIE}=${KEYS.bob}` } })).json()) as { scopes: { automations: { id: string }[] }[] };
    const id = listed.scopes[0]?.automations[0]?.id as string;
    const asCarol = await fetch(`${rendered.url}/ui/api/definition?id=${encodeURIComponent(id)}`, { headers: { Cookie: `${UI_COOKIE}=${KEYS.carol}` } });
    expect(asCarol.status).toBe(404);
    expect(carol.problems).toEqual([]);
    await carol.page.context().close();
  });
});
