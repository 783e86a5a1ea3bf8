import { describe, expect, it } from "vitest";
import { automation, doNothing, MAX_WINDOW, metric, onRunMetric, onRunState, project, runName, TEXT_LIMITS, toSpec, validate, validateAll, type AutomationSpec } from "@tripwire/sdk";

const llm = project("acme/llm");
const spec = (event: AutomationSpec["event"]): AutomationSpec => ({ name: "x", enabled: true, scope: { type: "project", entity: "acme", project: "llm" }, event, action: { type: "noop" } });
const issues = (s: unknown) => validate(s).issues.map((i) => `${i.severity} ${i.code} ${i.path.join(".")}: ${i.message}`);

describe("windows are bounded by MAX_WINDOW (issue 10, item 1)", () => {
  it("is one constant of 1,000 logged values", () => {
    expect(MAX_WINDOW).toBe(1000);
  });

  it("the builders refuse a larger window where it is written, and accept the largest", () => {
    expect(() => metric("loss").mean(1e15)).toThrow("TW1030: loss: a window of 1000000000000000 values is larger than the maximum of 1000");
    expect(() => metric("loss").max(MAX_WINDOW + 1)).toThrow(/TW1030/);
    expect(() => metric("loss").zscore(5000)).toThrow("TW1030: loss: a z-score window of 5000 values is larger than the maximum of 1000");
    expect(() => metric("loss").mean(10).decreasesBy({ frac: 0.1, priorWindow: 1001 })).toThrow("TW1030: loss: a prior window of 1001 values is larger than the maximum of 1000");
    const largest = toSpec(automation("big").in(llm).on(onRunMetric(metric("loss").mean(MAX_WINDOW).changesBy({ diff: 1, priorWindow: MAX_WINDOW }))).do(doNothing()));
    expect(validate(largest).ok).toBe(true);
  });

  it("validate reports every window over the maximum with its path (JSON and hand-made specs)", () => {
    expect(issues(spec({ type: "runMetricThreshold", metric: "loss", agg: "mean", window: 1e15, cmp: "gt", threshold: 1 }))).toEqual([
      "error TW1030 event.window: window of 1000000000000000 values is larger than the maximum of 1000",
    ]);
    expect(issues(spec({ type: "runMetricChange", metric: "loss", agg: "min", window: 1001, priorWindow: 2000, change: "relative", direction: "any", amount: 0.5 }))).toEqual([
      "error TW1030 event.window: window of 1001 values is larger than the maximum of 1000",
      "error TW1030 event.priorWindow: priorWindow of 2000 values is larger than the maximum of 1000",
    ]);
    expect(issues(spec({ type: "runMetricZScore", metric: "loss", window: 1e9, direction: "any", threshold: 3 }))).toEqual([
      "error TW1030 event.window: window of 1000000000 values is larger than the maximum of 1000",
    ]);
    expect(validateAll([spec({ type: "runMetricZScore", metric: "loss", window: MAX_WINDOW, direction: "any", threshold: 3 })]).ok).toBe(true);
  });
});

describe("validate checks regexes with the engine it is given (issue 10, item 2)", () => {
  const lookahead = toSpec(automation("la").in(llm).on(onRunState(["failed"]).where(runName.regex("^(?=train)"))).do(doNothing()));

  it("by default with JavaScript's RegExp, which accepts lookahead", () => {
    expect(validate(lookahead).ok).toBe(true);
  });

  it("with an injected check, reports its reason as TW1007 at the pattern", () => {
    const r = validate(lookahead, { regexError: (p) => (p.includes("(?=") ? "lookahead is not supported" : undefined) });
    expect(r.issues).toEqual([
      { code: "TW1007", severity: "error", message: "runName regex /^(?=train)/ does not compile: lookahead is not supported", path: ["event", "runFilter", "value"] },
    ]);
    expect(validateAll([lookahead], { regexError: () => "no" }).issues.map((i) => [i.code, ...i.path])).toEqual([["TW1007", 0, "event", "runFilter", "value"]]);
  });
});

describe("texts are bounded by TEXT_LIMITS, as the server bounds them (issue 10, item 8)", () => {
  const base = spec({ type: "runState", states: ["failed"] });
  const hook = (action: Record<string, unknown>) => ({ ...base, action: { type: "webhook", integration: { kind: "webhook", name: "deploy" }, ...action } });

  it("are W&B's wire fields in characters", () => {
    expect(TEXT_LIMITS).toEqual({ description: 4096, requestPayload: 65_536, title: 1024, message: 4096 });
  });

  it("validate reports each text over its limit with its path, measured as sent, and accepts each at its limit", () => {
    expect(issues({ ...base, description: "d".repeat(4097) })).toEqual(["error TW1031 description: description is 4097 characters long as sent; at most 4096 are allowed"]);
    expect(validate({ ...base, description: "d".repeat(4096) }).ok).toBe(true);
    const slack = (title: string, message: string) => ({ ...base, action: { type: "notification", integration: { kind: "slack", name: "alerts" }, title, message, severity: "INFO" } });
    expect(issues(slack("t".repeat(1025), "m".repeat(4097)))).toEqual([
      "error TW1031 action.title: title is 1025 characters long as sent; at most 1024 are allowed",
      "error TW1031 action.message: message is 4097 characters long as sent; at most 4096 are allowed",
    ]);
    expect(validate(slack("t".repeat(1024), "m".repeat(4096))).ok).toBe(true);
    // A payload object counts as its JSON text: {"k":"…"} is 8 characters around the value.
    expect(issues(hook({ payload: { k: "x".repeat(65_536 - 7) } }))).toEqual(["error TW1031 action.payload: requestPayload is 65537 characters long as sent; at most 65536 are allowed"]);
    expect(validate(hook({ payload: { k: "x".repeat(65_536 - 8) } })).ok).toBe(true);
    expect(issues(hook({ payloadText: `"${"x".repeat(65_535)}"` }))).toEqual(["error TW1031 action.payloadText: requestPayload is 65537 characters long as sent; at most 65536 are allowed"]);
  });
});
