import { describe, expect, it } from "vitest";
import { alias, automation, doNothing, metric, onAddArtifactAlias, onRunMetric, onRunState, project, registry, runName, toSpec } from "@tripwire/sdk";
import { artifactEvents, checkFiring, durationMs, evaluate, parseSeries, runStream, tripwireMatchers } from "../src/testing/index.js";
import "../src/testing/vitest.js";

const llm = project("acme/llm");
const lossSpike = automation("loss-spike").in(llm).on(onRunMetric(metric("loss").mean(3).gt(0.6)).where(runName.contains("sweep-"))).do(doNothing());
const failed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());
const deploy = automation("deploy").in(registry("acme/model").collection("llm-7b")).on(onAddArtifactAlias(alias.eq("production"))).do(doNothing());

describe("parseSeries", () => {
  it.each([
    ["0.5 0.6 0.9x3", [0.5, 0.6, 0.9, 0.9, 0.9]],
    ["1+0.5x3 _ 2", [1, 1.5, 2, null, 2]],
    ["10-2x3", [10, 8, 6]],
    ["-1 +2, 1e-3 -1e2", [-1, 2, 0.001, -100]],
    ["_x2 3×2", [null, null, 3, 3]],
    ["NaN Inf -Inf", [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
    ["", []],
  ])("%j", (text, values) => {
    expect(parseSeries(text)).toEqual(values);
  });
  it("takes lists as they are, and explains bad tokens", () => {
    expect(parseSeries([0.5, null, 2])).toEqual([0.5, null, 2]);
    expect(() => parseSeries("0.5 abc")).toThrow('TW2020: series: "abc" is not a value (write a number, NaN, Inf, _ for not logged, a×N or a+b×N)');
    expect(() => parseSeries("1x0")).toThrow('TW2020: series: "1x0" repeats 0 times; write at least 1');
    expect(() => parseSeries(["1" as unknown as number])).toThrow('TW2020: series: item 0 is "1", not a number or null');
  });
});

describe("runStream and artifactEvents", () => {
  it("a run logs at consecutive steps one minute apart, then its state; wait moves the clock", () => {
    const s = runStream("r1", { name: "sweep-1", user: "alice", project: "acme/llm" })
      .metrics({ loss: "0.5 _ 0.9", gpu: [90, 91] })
      .wait("1h")
      .metric("loss", [0.4])
      .state("failed");
    const run = { id: "r1", name: "sweep-1", user: "alice" };
    expect(s.events()).toEqual([
      { type: "run.metric", entity: "acme", project: "llm", run, step: 0, timestamp: "2026-01-01T00:00:00.000Z", metrics: { loss: 0.5, gpu: 90 } },
      { type: "run.metric", entity: "acme", project: "llm", run, step: 1, timestamp: "2026-01-01T00:01:00.000Z", metrics: { gpu: 91 } },
      { type: "run.metric", entity: "acme", project: "llm", run, step: 2, timestamp: "2026-01-01T00:02:00.000Z", metrics: { loss: 0.9 } },
      { type: "run.metric", entity: "acme", project: "llm", run, step: 3, timestamp: "2026-01-01T01:03:00.000Z", metrics: { loss: 0.4 } },
      { type: "run.state", entity: "acme", project: "llm", run, state: "failed", timestamp: "2026-01-01T01:04:00.000Z" },
    ]);
  });
  it("builders are immutable; events are frozen", () => {
    const base = runStream("r1", { project: "acme/llm", start: "2026-03-01T12:00:00Z", every: "15s", firstStep: 10 });
    const a = base.metric("loss", [1]);
    const b = base.metric("acc", [2]);
    expect(a.events().map((e) => (e.type === "run.metric" ? [e.step, e.timestamp, e.metrics] : []))).toEqual([[10, "2026-03-01T12:00:00.000Z", { loss: 1 }]]);
    expect(b.events().map((e) => (e.type === "run.metric" ? e.metrics : {}))).toEqual([{ acc: 2 }]);
    expect(base.events()).toEqual([]);
    expect(Object.isFrozen(a.events()[0])).toBe(true);
  });
  it("artifact events of one collection", () => {
    const ev = artifactEvents({ registry: "acme/model", collection: "llm-7b", user: "bob" }).link(2, { source: "acme/llm/ckpt:v5" }).addAlias(2, "production").events();
    expect(ev).toEqual([
      { type: "artifact.linked", entity: "acme", registry: "model", collection: "llm-7b", user: "bob", version: 2, aliases: [], tags: [], source: { entity: "acme", project: "llm", collection: "ckpt", version: 5 }, timestamp: "2026-01-01T00:00:00.000Z" },
      { type: "artifact.alias_added", entity: "acme", registry: "model", collection: "llm-7b", user: "bob", version: 2, alias: "production", timestamp: "2026-01-01T00:01:00.000Z" },
    ]);
  });
  it("misuse is explained", () => {
    expect(() => runStream("r1", { project: "llm" })).toThrow('TW2021: project "llm" must be written "entity/name"');
    expect(() => runStream("r1").events()).toThrow('TW2022: runStream("r1") names no project: pass runStream("r1", { project: "entity/project" })');
    expect(() => artifactEvents({ collection: "x" })).toThrow("TW2021: artifactEvents() needs exactly one of project");
    expect(() => runStream("r1").wait("soon")).toThrow('TW2021: duration "soon" is not a number followed by ms, s, m, h or d');
    expect(durationMs("1h30m")).toBe(5_400_000);
    expect(durationMs(250)).toBe(250);
  });
});

describe("evaluate and toFire", () => {
  const sweep = runStream("r1", { name: "sweep-1" }).metric("loss", "0.5 0.7 0.9x3").state("failed");
  const debug = runStream("r2", { name: "debug-2" }).metric("loss", "0.9x5");

  it("places runs in the automations' project and merges inputs in time order", () => {
    const result = evaluate({ lossSpike, failed, notAnAutomation: 3 }, [debug, sweep]);
    expect(result.firings.map((f) => [f.automation, f.run?.id, f.step, f.at])).toEqual([
      ["loss-spike", "r1", 2, "2026-01-01T00:02:00.000Z"],
      ["run-failed", "r1", undefined, "2026-01-01T00:05:00.000Z"],
    ]);
    expect(result.events.map((e) => e.timestamp.slice(11, 16))).toEqual(["00:00", "00:00", "00:01", "00:01", "00:02", "00:02", "00:03", "00:03", "00:04", "00:04", "00:05"]);
  });

  it("toFire passes and fails with what fired instead", () => {
    const result = evaluate([lossSpike, failed], [sweep, debug]);
    expect(result).toFire("loss-spike", { run: "r1", atStep: 2 });
    expect(result).toFire("loss-spike", { run: "sweep-1", times: 1 });
    expect(result).not.toFire("loss-spike", { run: "debug-2" });
    expect(result).toFire("run-failed", { at: "2026-01-01T00:05" });
    expect(() => expect(result).toFire("loss-spike", { run: "r1", atStep: 7 })).toThrow(
      'expected "loss-spike" on run r1 at step 7 to fire, but it did not; it fired 1 time in all:\n  - loss-spike on run sweep-1 (r1) at step 2, 2026-01-01T00:02:00.000Z: Run sweep-1 in acme/llm: mean(loss, 3) = 0.7 (mean(loss, 3) > 0.6)',
    );
    expect(() => expect(result).not.toFire("loss-spike")).toThrow('expected "loss-spike" not to fire, but it fired 1 time:\n  - loss-spike on run sweep-1 (r1) at step 2');
    expect(() => expect(result).toFire("loss-spike", { times: 2 })).toThrow('expected "loss-spike" to fire 2 times, but it fired 1 time as queried; it fired 1 time in all:');
    // a typo never passes as "did not fire"
    expect(() => expect(result).not.toFire("los-spike")).toThrow('TW2023: no automation named "los-spike" was evaluated (there are: loss-spike, run-failed)');
  });

  it("says when nothing fired, or only other automations", () => {
    const quiet = evaluate([lossSpike, failed], runStream("r3", { name: "sweep-3" }).metric("loss", [0.1, 0.1, 0.1]));
    expect(checkFiring(quiet, "loss-spike").message.fire).toBe('expected "loss-spike" to fire, but nothing fired (3 events evaluated)');
    const others = evaluate([lossSpike, failed], runStream("r3", { name: "sweep-3" }).state("failed"));
    expect(checkFiring(others, "loss-spike").message.fire).toBe('expected "loss-spike" to fire, but it never fired; other automations fired:\n  - run-failed on run sweep-3 (r3), 2026-01-01T00:00:00.000Z: Run sweep-3 in acme/llm is now failed');
  });

  it("artifact automations: alias and version queries", () => {
    const result = evaluate([deploy], artifactEvents({ registry: "acme/model", collection: "llm-7b" }).link(2).addAlias(2, "staging").addAlias(2, "production"));
    expect(result).toFire("deploy", { version: 2, alias: "production", times: 1 });
    expect(result).not.toFire("deploy", { alias: "staging" });
  });

  it("asks for a project when the automations do not name exactly one", () => {
    const other = automation("other").in(project("acme/other")).on(onRunState(["failed"])).do(doNothing());
    expect(() => evaluate([failed, other], runStream("r1").state("failed"))).toThrow(
      'TW2022: runStream("r1") names no project, and the automations do not watch exactly one: pass runStream("r1", { project: "entity/project" })',
    );
    expect(evaluate([failed, other], runStream("r1", { project: "acme/other" }).state("failed")).firings.map((f) => f.automation)).toEqual(["other"]);
    expect(evaluate([toSpec(failed)], { type: "run.state", entity: "acme", project: "llm", run: { id: "r", name: "r", user: "u" }, state: "failed", timestamp: "2026-01-01T00:00:00Z" }).firings).toHaveLength(1);
    expect(() => evaluate([failed], { type: "run.state" } as never)).toThrow("TW2022: events[0] is not a valid event: entity: ");
  });

  it("the matcher object works with any expect.extend (its message depends on .not)", () => {
    const result = evaluate([lossSpike], sweep);
    const r = tripwireMatchers.toFire.call({ isNot: true }, result, "loss-spike", { atStep: 2 });
    expect(r.pass).toBe(true);
    expect(r.message()).toMatch(/^expected "loss-spike" at step 2 not to fire, but it fired 1 time:/);
    expect(() => tripwireMatchers.toFire.call({}, { firings: [] }, "loss-spike")).toThrow("toFire() expects the result of evaluate(automations, events)");
  });
});
