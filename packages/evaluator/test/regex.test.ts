import { describe, expect, it } from "vitest";
import { alias, runName } from "@tripwire/sdk";
import { compileFilter, compileRegex, createEngine, regexError } from "../src/index.js";
import { auto, points, run1 } from "./helpers.js";

describe("user regexes run on RE2 (issue 10, item 2)", () => {
  it("keeps MongoDB's $regex semantics: an unanchored search, anchored with ^ and $", () => {
    const f = compileFilter(alias.regex("prod"));
    expect(f({ alias: ["latest", "my-production"] })).toBe(true);
    expect(compileFilter(alias.regex("^prod"))({ alias: ["my-production"] })).toBe(false);
    expect(compileFilter(alias.regex("^v\\d+$"))({ alias: ["v12"] })).toBe(true);
    expect(compileFilter(alias.regex("^v\\d+$"))({ alias: ["v12a"] })).toBe(false);
    expect(compileFilter({ op: "raw", json: { alias: { $regex: "^rc-[0-9]" } } })({ alias: ["rc-1"] })).toBe(true);
  });

  it("refuses what RE2 cannot run in linear time, saying why; such a filter matches nothing", () => {
    expect(regexError("^(?=train)")).toMatch(/^invalid or unsupported Perl syntax: `\(\?=` \(patterns use RE2 syntax: no lookaround or backreferences\)$/);
    expect(regexError("(a)\\1")).toMatch(/invalid escape sequence: `\\1`/);
    expect(regexError("a(b")).toMatch(/^missing closing \): `a\(b`/);
    expect(regexError("^train-\\d+$")).toBeUndefined();
    expect(compileRegex("(?<=x)y").ok).toBe(false);
    expect(compileFilter(runName.regex("(?=a)a"))({ runName: ["a"] })).toBe(false);
  });

  it("evaluates ^(a+)+$ against 30 a's and a ! at once (JavaScript's backtracking takes minutes)", () => {
    const name = `${"a".repeat(30)}!`;
    const engine = createEngine([auto({ type: "runMetricThreshold", metric: "loss", agg: null, window: 1, cmp: "gt", threshold: 0, runFilter: runName.regex("^(a+)+$") })], {});
    expect(engine.pushBatch(points([1], { run: { ...run1, name } }))).toEqual([]);
    expect(engine.pushBatch(points([1], { run: { ...run1, id: "r9", name: "a".repeat(30) } }))).toHaveLength(1);
  });
});
