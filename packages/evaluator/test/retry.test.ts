import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffMs, isRetryable, retryAfterMs, retryDelayMs, type RetryPolicy } from "../src/index.js";

// The parameters the two clients hold (packages/reconciler/src/model/transport.ts DEFAULT_RETRY, and the server
// dispatcher's defaults), spelt out here so that a change to either is a visible change to this test.
const GRAPHQL: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  jitter: "full",
  statuses: [429, 500, 502, 503, 504],
  serverErrors: false,
  retryAfterOn: "any",
  maxRetryAfterMs: 30_000,
};
const DELIVERY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  jitter: "equal",
  statuses: [408, 425, 429],
  serverErrors: true,
  retryAfterOn: [429, 503],
  maxRetryAfterMs: 600_000,
};

describe("the retry policy: which failures are retried", () => {
  it("an attempt without an answer is always retryable; statuses as listed, every 5xx only with serverErrors", () => {
    for (const p of [GRAPHQL, DELIVERY]) expect(isRetryable(p, null)).toBe(true);
    expect([200, 301, 400, 401, 408, 409, 425, 429, 500, 501, 502, 503, 504, 505, 599].filter((s) => isRetryable(GRAPHQL, s))).toEqual([429, 500, 502, 503, 504]);
    expect([200, 301, 400, 401, 408, 409, 425, 429, 500, 501, 502, 503, 504, 505, 599].filter((s) => isRetryable(DELIVERY, s))).toEqual([408, 425, 429, 500, 501, 502, 503, 504, 505, 599]);
  });

  it("a status not retried gives no next attempt, unless the answer says it is rate-limited", () => {
    expect(retryDelayMs(GRAPHQL, 1, { status: 409 }, () => 0.5)).toBeUndefined();
    expect(retryDelayMs(GRAPHQL, 1, { status: 403 }, () => 0.5)).toBeUndefined();
    expect(retryDelayMs(GRAPHQL, 1, { status: 403, rateLimited: true }, () => 0.5)).toBe(125);
    expect(retryDelayMs(GRAPHQL, 1, { status: 403, rateLimited: true, retryAfterMs: 4000 }, () => 0.5)).toBe(4000);
  });

  it("maxAttempts counts the first attempt: after attempt maxAttempts there is none", () => {
    expect(retryDelayMs(GRAPHQL, 5, { status: 503 }, () => 0)).toBe(0);
    expect(retryDelayMs(GRAPHQL, 6, { status: 503 }, () => 0)).toBeUndefined();
    expect(retryDelayMs(DELIVERY, 7, { status: null }, () => 0)).toBe(16_000);
    expect(retryDelayMs(DELIVERY, 8, { status: null }, () => 0)).toBeUndefined();
  });
});

describe("the retry policy: how long to wait", () => {
  it("full jitter draws the wait from [0, step]; equal jitter from [step/2, step]; the step doubles up to the cap", () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((a) => backoffMs(GRAPHQL, a, () => 0.5))).toEqual([125, 250, 500, 1000, 8000, 15_000, 15_000]);
    expect([1, 2, 3, 4, 7, 8, 20].map((a) => backoffMs(DELIVERY, a, () => 0.5))).toEqual([375, 750, 1500, 3000, 24_000, 45_000, 45_000]);
    expect(backoffMs(GRAPHQL, 3, () => 0)).toBe(0);
    expect(backoffMs(DELIVERY, 3, () => 0)).toBe(1000);
    expect(backoffMs(GRAPHQL, 10, () => 1)).toBe(30_000);
  });

  it("every backoff lies within its jitter's bounds (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(GRAPHQL, DELIVERY), fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (p, attempt, r) => {
        const step = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
        const wait = backoffMs(p, attempt, () => r);
        expect(wait).toBeGreaterThanOrEqual(p.jitter === "full" ? 0 : Math.round(step / 2));
        expect(wait).toBeLessThanOrEqual(step);
      }),
    );
  });

  it("Retry-After replaces the backoff where the policy honours it, capped at maxRetryAfterMs", () => {
    // The GraphQL client honours it on every retried status, up to 30 s.
    expect(retryDelayMs(GRAPHQL, 1, { status: 429, retryAfterMs: 2000 }, () => 0.5)).toBe(2000);
    expect(retryDelayMs(GRAPHQL, 2, { status: 500, retryAfterMs: 0 }, () => 0.5)).toBe(0);
    expect(retryDelayMs(GRAPHQL, 1, { status: 429, retryAfterMs: 90_000 }, () => 1)).toBe(30_000);
    // The dispatcher on 429 and 503 only, up to 10 min; on a 500 it backs off whatever the header says.
    expect(retryDelayMs(DELIVERY, 1, { status: 429, retryAfterMs: 1000 }, () => 0.5)).toBe(1000);
    expect(retryDelayMs(DELIVERY, 1, { status: 503, retryAfterMs: 3_600_000 }, () => 0.5)).toBe(600_000);
    expect(retryDelayMs(DELIVERY, 1, { status: 500, retryAfterMs: 1000 }, () => 0.5)).toBe(375);
    // No answer has no header to honour.
    expect(retryDelayMs(GRAPHQL, 1, { status: null, retryAfterMs: 1000 }, () => 0.5)).toBe(125);
  });

  it("draws from the jitter source only when it backs off", () => {
    let draws = 0;
    const random = () => {
      draws++;
      return 0.5;
    };
    retryDelayMs(DELIVERY, 1, { status: 429, retryAfterMs: 1000 }, random);
    retryDelayMs(DELIVERY, 8, { status: 500 }, random);
    retryDelayMs(DELIVERY, 1, { status: 404 }, random);
    expect(draws).toBe(0);
    retryDelayMs(DELIVERY, 1, { status: 500 }, random);
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
