import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffMs, isRetryable, retryAfterMs, retryDelayMs, type RetryPolicy } from "../src/index.js";

// Two policies as different as the clients' (the reconciler's GraphQL client backs off with full jitter and honours
// every Retry-After; the server's dispatcher uses equal jitter, every 5xx, Retry-After on 429 / 503 only).
const FULL: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, jitter: "full", statuses: [429, 503], serverErrors: false, retryAfterOn: "any", maxRetryAfterMs: 5000 };
const EQUAL: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 1000, jitter: "equal", statuses: [408, 429], serverErrors: true, retryAfterOn: [429, 503], maxRetryAfterMs: 60_000 };
const STATUSES = [200, 301, 400, 401, 408, 409, 425, 429, 500, 501, 502, 503, 504, 505, 599];

describe("the retry policy: which failures are retried", () => {
  it("an attempt without an answer is always retryable; statuses as listed, every 5xx only with serverErrors", () => {
    for (const p of [FULL, EQUAL]) expect(isRetryable(p, null)).toBe(true);
    expect(STATUSES.filter((s) => isRetryable(FULL, s))).toEqual([429, 503]);
    expect(STATUSES.filter((s) => isRetryable(EQUAL, s))).toEqual([408, 429, 500, 501, 502, 503, 504, 505, 599]);
  });

  it("a status not retried gives no next attempt, unless the answer says it is rate-limited", () => {
    expect(retryDelayMs(FULL, 1, { status: 409 }, () => 0.5)).toBeUndefined();
    expect(retryDelayMs(FULL, 1, { status: 403 }, () => 0.5)).toBeUndefined();
    expect(retryDelayMs(FULL, 1, { status: 403, rateLimited: true }, () => 0.5)).toBe(50);
    expect(retryDelayMs(FULL, 1, { status: 403, rateLimited: true, retryAfterMs: 4000 }, () => 0.5)).toBe(4000);
  });

  it("maxAttempts counts the first attempt: after attempt maxAttempts there is none", () => {
    expect(retryDelayMs(FULL, 3, { status: 503 }, () => 0)).toBe(0);
    expect(retryDelayMs(FULL, 4, { status: 503 }, () => 0)).toBeUndefined();
    expect(retryDelayMs(EQUAL, 2, { status: null }, () => 0)).toBe(200);
    expect(retryDelayMs(EQUAL, 3, { status: null }, () => 0)).toBeUndefined();
  });
});

describe("the retry policy: how long to wait", () => {
  it("full jitter draws the wait from [0, step]; equal jitter from [step/2, step]; the step doubles up to the cap", () => {
    expect([1, 2, 3, 4, 5, 20].map((a) => backoffMs(FULL, a, () => 0.5))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 20].map((a) => backoffMs(EQUAL, a, () => 0.5))).toEqual([150, 300, 600, 750, 750, 750]);
    expect(backoffMs(FULL, 3, () => 0)).toBe(0);
    expect(backoffMs(EQUAL, 3, () => 0)).toBe(400);
    expect(backoffMs(FULL, 10, () => 1)).toBe(1000);
  });

  it("every backoff lies within its jitter's bounds (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(FULL, EQUAL), fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (p, attempt, r) => {
        const step = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
        const wait = backoffMs(p, attempt, () => r);
        expect(wait).toBeGreaterThanOrEqual(p.jitter === "full" ? 0 : Math.round(step / 2));
        expect(wait).toBeLessThanOrEqual(step);
      }),
    );
  });

  it("Retry-After replaces the backoff where the policy honours it, capped at maxRetryAfterMs", () => {
    // `any`: on every retried status.
    expect(retryDelayMs(FULL, 1, { status: 429, retryAfterMs: 2000 }, () => 0.5)).toBe(2000);
    expect(retryDelayMs(FULL, 2, { status: 503, retryAfterMs: 0 }, () => 0.5)).toBe(0);
    expect(retryDelayMs(FULL, 1, { status: 429, retryAfterMs: 90_000 }, () => 1)).toBe(5000);
    // Listed statuses only: on a 500 it backs off whatever the header says.
    expect(retryDelayMs(EQUAL, 1, { status: 429, retryAfterMs: 1000 }, () => 0.5)).toBe(1000);
    expect(retryDelayMs(EQUAL, 1, { status: 503, retryAfterMs: 3_600_000 }, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(EQUAL, 1, { status: 500, retryAfterMs: 1000 }, () => 0.5)).toBe(150);
    // No answer has no header to honour.
    expect(retryDelayMs(FULL, 1, { status: null, retryAfterMs: 1000 }, () => 0.5)).toBe(50);
  });

  it("draws from the jitter source only when it backs off", () => {
    let draws = 0;
    const random = () => {
      draws++;
      return 0.5;
    };
    retryDelayMs(EQUAL, 1, { status: 429, retryAfterMs: 1000 }, random);
    retryDelayMs(EQUAL, 3, { status: 500 }, random);
    retryDelayMs(EQUAL, 1, { status: 404 }, random);
    expect(draws).toBe(0);
    retryDelayMs(EQUAL, 1, { status: 500 }, random);
    expect(draws).toBe(1);
  });
});

describe("retryAfterMs: the one reading of Retry-After", () => {
  it("reads delay seconds (with a fraction) and HTTP dates; anything else is no value", () => {
    expect(retryAfterMs("3", 0)).toBe(3000);
    expect(retryAfterMs(" 1.5 ", 0)).toBe(1500);
    expect(retryAfterMs(["2", "9"], 0)).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(new Date(1_000).toUTCString(), 4_000)).toBe(0);
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
    expect(retryAfterMs("", 0)).toBeUndefined();
    expect(retryAfterMs("soon", 0)).toBeUndefined();
  });
});
