import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replay, type TripwireEvent } from "@tripwire/evaluator";
import { automation, doNothing, metric, onAddArtifactAlias, onRunMetric, onRunState, project, runName, toSpec, alias, type AutomationSpec } from "@tripwire/sdk";
import { runBacktest, type BacktestAutomation } from "../src/backtest/backtest.js";
import { FiringRecorder } from "../src/backtest/report.js";
import { automationsArb, eventsArb, optionsArb } from "../../evaluator/test/arbitraries.js";

const tmp = () => mkdtempSync(join(tmpdir(), "tripwire-backtest-"));
const jsonl = (events: readonly unknown[]) => events.map((e) => JSON.stringify(e)).join("\n") + "\n";
const asBacktest = (specs: readonly AutomationSpec[]): BacktestAutomation[] => specs.map((spec, i) => ({ id: `a${i}`, address: `project:acme/llm/${spec.name}`, spec }));

const llm = project("acme/llm");
const spike = automation("loss-spike").in(llm).on(onRunMetric(metric("loss").mean(3).gt(0.6)).where(runName.contains("sweep-"))).do(doNothing());
const failed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());
const promoted = automation("promoted").in(llm).on(onAddArtifactAlias(alias.eq("production"))).do(doNothing());
const specs = [spike, failed, promoted].map(toSpec);

const run = (id: string, name: string) => ({ id, name, user: "alice" });
const m = (r: ReturnType<typeof run>, step: number, timestamp: string, loss: number) => ({ type: "run.metric", entity: "acme", project: "llm", run: r, step, timestamp, metrics: { loss, acc: 0.5 } });

describe("backtest: the streaming replay equals the evaluator's replay", () => {
  // Artifact events interleaved with run events, and some timestamps with an offset (the slow path).
  const artifact = (i: number, timestamp: string): TripwireEvent => ({ type: "artifact.alias_added", entity: "acme", project: "llm", collection: "ckpt", version: i % 3, alias: i % 2 ? "production" : "staging", timestamp });
  const streamArb = fc.tuple(eventsArb, fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 })).map(([events, artifacts, offsets]) => {
    const out: TripwireEvent[] = [...events];
    for (const [i, at] of artifacts.entries()) {
      const pos = at % (out.length + 1);
      out.splice(pos, 0, artifact(i, (out[Math.max(0, pos - 1)] as TripwireEvent).timestamp));
    }
    return out.map((e, i) => (offsets.includes(i) ? { ...e, timestamp: e.timestamp.replace("Z", "+00:00") } : e));
  });

  it("for random automations, streams, options and batch sizes", async () => {
    const dir = tmp();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(automationsArb, streamArb, optionsArb, fc.integer({ min: 1, max: 40 }), async (autos, events, options, batchRows) => {
        const list = asBacktest([...autos, toSpec(promoted)]);
        const file = join(dir, `h${n++}.jsonl`);
        writeFileSync(file, jsonl(events));
        const outcome = await runBacktest(list, { cwd: dir, history: [file], engine: options, batchRows });
        if (!outcome.ok) throw new Error(JSON.stringify(outcome.diagnostics));
        const expected = new FiringRecorder();
        expected.record(replay(list.map((a) => ({ id: a.id, spec: a.spec })), events, options));
        expect(outcome.report.automations).toEqual(list.map((a) => expected.result(a.id, a.address, a.spec.name)));
        expect(outcome.report.history.events).toBe(events.length);
      }),
      { numRuns: 150 },
    );
  });
});

describe("backtest: the report", () => {
  it("counts firings per automation with runs, steps and the busiest day", async () => {
    const dir = tmp();
    const r1 = run("r1", "sweep-1");
    const r2 = run("r2", "sweep-2");
    const other = run("r3", "debug-3");
    const events = [
      m(r1, 0, "2026-11-25T10:00:00Z", 0.9),
      m(r2, 0, "2026-11-25T10:00:00Z", 0.9),
      m(r1, 1, "2026-11-25T10:01:00Z", 0.9),
      m(other, 0, "2026-11-25T10:01:00Z", 0.9),
      m(r2, 1, "2026-11-25T10:01:00Z", 0.9),
      m(other, 1, "2026-11-25T10:02:00Z", 0.9),
      m(r1, 2, "2026-11-25T10:02:00Z", 0.9), // r1 fires at step 2
      m(other, 2, "2026-11-25T10:03:00Z", 0.9), // filtered out: not a sweep run
      m(r1, 3, "2026-11-26T11:00:00Z", 0.9), // 25 h later: r1 fires again
      m(r2, 2, "2026-11-26T11:00:00Z", 0), // mean 0.6 is not above 0.6
      { type: "run.state", entity: "acme", project: "llm", run: r2, state: "failed", timestamp: "2026-11-26T12:00:00Z" },
      { type: "artifact.alias_added", entity: "acme", project: "llm", collection: "ckpt", version: 4, alias: "production", timestamp: "2026-11-26T13:00:00Z" },
    ];
    writeFileSync(join(dir, "day.jsonl"), jsonl(events));
    const outcome = await runBacktest(asBacktest(specs), { cwd: dir, history: ["."] });
    expect(outcome).toEqual({
      ok: true,
      report: {
        history: { files: ["day.jsonl"], events: 12, runs: 3, from: "2026-11-25T10:00:00.000Z", to: "2026-11-26T13:00:00.000Z" },
        automations: [
          {
            address: "project:acme/llm/loss-spike",
            name: "loss-spike",
            firings: 2,
            subjects: [{ subject: { kind: "run", entity: "acme", project: "llm", id: "r1", name: "sweep-1" }, firings: 2, at: ["2026-11-25T10:02:00.000Z", "2026-11-26T11:00:00.000Z"], steps: [2, 3] }],
            busiestDay: { day: "2026-11-25", firings: 1 },
            daily: [
              { day: "2026-11-25", firings: 1 },
              { day: "2026-11-26", firings: 1 },
            ],
          },
          {
            address: "project:acme/llm/run-failed",
            name: "run-failed",
            firings: 1,
            subjects: [{ subject: { kind: "run", entity: "acme", project: "llm", id: "r2", name: "sweep-2" }, firings: 1, at: ["2026-11-26T12:00:00.000Z"] }],
            busiestDay: { day: "2026-11-26", firings: 1 },
            daily: [{ day: "2026-11-26", firings: 1 }],
          },
          {
            address: "project:acme/llm/promoted",
            name: "promoted",
            firings: 1,
            subjects: [{ subject: { kind: "artifact", entity: "acme", project: "llm", collection: "ckpt", version: 4 }, firings: 1, at: ["2026-11-26T13:00:00.000Z"] }],
            busiestDay: { day: "2026-11-26", firings: 1 },
            daily: [{ day: "2026-11-26", firings: 1 }],
          },
        ],
      },
    });
  });

  it("reads W&B CSV exports with their .run.json metadata, and gzipped JSONL, in path order", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "history"));
    const csv = ["_step,_timestamp,_runtime,loss,lr", "0,1795687200,1,0.9,0.1", "1,1795687260,2,,0.1", "2,1795687320,3,0.8,0.1", "3,1795687380,4,0.7,0.1", ""].join("\n");
    writeFileSync(join(dir, "history", "a-r7.csv"), csv);
    writeFileSync(join(dir, "history", "a-r7.run.json"), JSON.stringify({ entity: "acme", project: "llm", id: "r7", name: "sweep-7", user: "bob", state: "crashed" }));
    writeFileSync(join(dir, "history", "b.jsonl.gz"), gzipSync(jsonl([m(run("r8", "sweep-8"), 0, "2026-11-26T10:00:00Z", 1), m(run("r8", "sweep-8"), 1, "2026-11-26T10:00:00Z", 1), m(run("r8", "sweep-8"), 2, "2026-11-26T10:00:00Z", 1)])));
    const outcome = await runBacktest(asBacktest(specs), { cwd: dir, history: ["history"] });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.diagnostics));
    expect(outcome.report.history).toEqual({ files: ["history/a-r7.csv", "history/b.jsonl.gz"], events: 8, runs: 2, from: "2026-11-26T10:00:00.000Z", to: "2026-11-26T10:03:00.000Z" });
    const [loss, state] = outcome.report.automations;
    // r7: loss 0.9, 0.8, 0.7 at steps 0, 2, 3 (step 1 logged no loss): the mean of 3 is 0.8 at step 3
    expect(loss?.subjects.map((s) => [s.subject.kind === "run" && s.subject.id, s.steps])).toEqual([["r8", [2]], ["r7", [3]]]); // the earliest first among equals
    expect(state?.subjects.map((s) => [s.subject.kind === "run" && s.subject.id, s.at])).toEqual([["r7", ["2026-11-26T10:03:00.000Z"]]]);
  });
});

describe("backtest: metric names are data, whatever they hold", () => {
  it("quotes, backslashes, line separators and Object.prototype's names", async () => {
    const names = ['val/"loss"\\x', "a\u2028b", "constructor", "__proto__"];
    const specs = names.map((name, i) => toSpec(automation(`m${i}`).in(llm).on(onRunMetric(metric(name).gt(0.5))).do(doNothing())));
    const dir = tmp();
    // "constructor" is never logged: Object.prototype.constructor must not count as a value.
    const lines = [0, 1].map((step) => `{"type":"run.metric","entity":"acme","project":"llm","run":{"id":"r1","name":"x","user":"u"},"step":${step},"timestamp":"2026-11-26T10:0${step}:00Z","metrics":{${JSON.stringify(names[0])}:${step},${JSON.stringify(names[1])}:${step},"__proto__":${step}}}`);
    writeFileSync(join(dir, "h.jsonl"), `${lines.join("\n")}\n`);
    const outcome = await runBacktest(asBacktest(specs), { cwd: dir, history: ["h.jsonl"] });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.diagnostics));
    expect(outcome.report.automations.map((a) => [a.name, a.firings, a.subjects[0]?.steps])).toEqual([
      ["m0", 1, [1]],
      ["m1", 1, [1]],
      ["m2", 0, undefined],
      ["m3", 1, [1]],
    ]);
  });
});

describe("backtest: bad input is a diagnostic naming the file and line", () => {
  const diagnose = async (files: Record<string, string>, history = ["."]) => {
    const dir = tmp();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const outcome = await runBacktest(asBacktest(specs), { cwd: dir, history });
    if (outcome.ok) throw new Error("expected diagnostics");
    return outcome.diagnostics.map((d) => `${d.source ? `${d.source.file}:${d.source.line} ` : ""}${d.code} ${d.message}`);
  };

  it("JSONL: a line that is not JSON, an invalid event; blank lines are fine", async () => {
    const good = JSON.stringify(m(run("r1", "sweep-1"), 0, "2026-11-26T10:00:00Z", 1));
    const text = [good, "", "{not json", JSON.stringify({ ...m(run("r1", "sweep-1"), 1, "2026-11-26T10:00:00Z", 1), step: -1 }), JSON.stringify({ type: "run.state", entity: "acme", project: "llm", run: run("r1", "x"), state: "paused", timestamp: "2026-02-30T00:00:00Z" })].join("\n");
    expect(await diagnose({ "h.jsonl": text })).toEqual([
      expect.stringMatching(/^h\.jsonl:3 TW4002 not valid JSON: /),
      "h.jsonl:4 TW4003 invalid event: step: Too small: expected number to be >=0",
      expect.stringMatching(/^h\.jsonl:5 TW4003 invalid event: state: Invalid option: expected one of .*; timestamp: Invalid ISO datetime$/),
    ]);
  });

  it("JSONL: ten diagnostics per file at most, then a count", async () => {
    const lines = Array.from({ length: 13 }, (_, i) => `{"type":"run.metric","n":${i}}`).join("\n");
    const out = await diagnose({ "h.jsonl": lines });
    expect(out).toHaveLength(11);
    expect(out[9]).toMatch(/^h\.jsonl:10 TW4003 invalid event: /);
    expect(out[10]).toBe("h.jsonl:1 TW4003 3 more invalid lines");
  });

  it("CSV: missing or invalid metadata, a bad row", async () => {
    const csv = "_step,_timestamp,loss\n0,1795687200,0.5\nx,1795687260,0.6\n";
    expect(await diagnose({ "r1.csv": csv })).toEqual(['r1.csv:1 TW4005 no run metadata for this W&B export: write r1.run.json with {"entity", "project", "id", "name", "user", "state"?}']);
    expect(await diagnose({ "r1.csv": csv, "r1.run.json": '{"entity":"acme","project":"llm","id":"r1","name":"a","user":"b","state":"paused"}' })).toEqual([
      'r1.run.json:1 TW4005 invalid run metadata: state: Invalid option: expected one of "running"|"finished"|"failed"|"crashed"|"killed"',
    ]);
    expect(await diagnose({ "r1.csv": csv, "r1.run.json": '{"entity":"acme","project":"llm","id":"r1","name":"a","user":"b"}' })).toEqual(['r1.csv:3 TW4004 column _step: "x" is not a step number']);
  });

  it("paths: missing, empty folder, unknown file kind", async () => {
    expect(await diagnose({ "notes.txt": "" }, ["nope", ".", "notes.txt"])).toEqual([
      "TW4001 history nope does not exist",
      "TW4001 history folder . holds no .jsonl, .ndjson or .csv files",
      "TW4001 history file notes.txt is neither JSONL (.jsonl, .ndjson) nor a CSV export (.csv)",
    ]);
  });
});
