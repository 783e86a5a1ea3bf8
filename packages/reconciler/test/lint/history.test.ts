import { automation, doNothing, metric, not, onRunMetric, onRunState, project, runName, runUser, type Automation } from "@tripwire/sdk";
import { describe, expect, it } from "vitest";
import { historyFindings, type HistoryRun, type LintHistory } from "../../src/lint/history.js";
import { desired } from "../helpers.js";

const llm = project("acme/llm");

/** A run of acme/llm logging `metrics` (name → values, one per `every` steps). */
function run(name: string, user: string, metrics: Record<string, number[]>, every = 1): HistoryRun {
  return {
    entity: "acme",
    project: "llm",
    id: name,
    name,
    user,
    logged: new Set(Object.keys(metrics)),
    values: new Map(Object.entries(metrics)),
    steps: new Map(Object.entries(metrics).map(([m, v]) => [m, { first: 0, last: (v.length - 1) * every }])),
  };
}

const history = (...runs: HistoryRun[]): LintHistory => ({ runs, from: "history/" });
const check = (defs: Automation[], h: LintHistory | undefined) => historyFindings(defs.map((d) => desired(d)), h).map((f) => [f.code, f.subject.spec.name, f.message]);
const ramp = (n: number, from: number, step: number) => Array.from({ length: n }, (_, i) => from + i * step);

describe("history-aware lint checks", () => {
  it("TWL060: no history, or none for the scope, is said rather than passed", () => {
    const a = automation("a").in(llm).on(onRunState(["failed"])).do(doNothing());
    const b = automation("b").in(project("acme/vision")).on(onRunMetric(metric("loss").gt(1))).do(doNothing());
    expect(check([a], undefined)).toEqual([["TWL060", "a", "no history was given (--history): the history-aware checks did not run"]]);
    expect(check([a, b], history(run("r1", "alice", { loss: [1] })))).toEqual([
      ["TWL060", "b", "the history (history/) holds no run of project acme/vision: the history-aware checks did not run"],
    ]);
  });

  it("TWL061: a metric no run logged, with the similar names that were", () => {
    const a = automation("a").in(llm).on(onRunMetric(metric("val_loss").gt(1))).do(doNothing());
    expect(check([a], history(run("r1", "alice", { "val/loss": [1], acc: [1] })))).toEqual([
      ["TWL061", "a", 'no run of project acme/llm logged "val_loss" in the history (1 runs); logged: val/loss'],
    ]);
  });

  it("TWL062: a window the metric is logged too rarely to fill (50 on a metric logged every 1,000 steps of 5,000)", () => {
    const a = automation("a").in(llm).on(onRunMetric(metric("loss").mean(50).gt(1))).do(doNothing());
    const ok = automation("ok").in(llm).on(onRunMetric(metric("loss").mean(5).lt(1))).do(doNothing());
    expect(check([a, ok], history(run("r1", "alice", { loss: ramp(6, 0.5, 0.1) }, 1000)))).toEqual([
      ["TWL062", "a", '"loss" is logged too rarely for a window of 50: the most any run logged it is 6 times ("r1", over steps 0–5000 (about every 1000 steps))'],
    ]);
  });

  it("TWL063: change and z-score windows no run reached", () => {
    const change = automation("c").in(llm).on(onRunMetric(metric("loss").mean(10).decreasesBy({ frac: 0.25, priorWindow: 50 }))).do(doNothing());
    const z = automation("z").in(llm).on(onRunMetric(metric("loss").zscore(30).abs().gt(3))).do(doNothing());
    expect(check([change, z], history(run("r1", "alice", { loss: ramp(20, 1, 0) })))).toEqual([
      ["TWL063", "c", 'no run reached the window of 10 plus the prior window of 50 values of "loss" (60): the most any run logged it is 20 times ("r1", over steps 0–19 (about every 1 steps))'],
      ["TWL063", "z", 'no run reached the z-score window of 30 values of "loss": the most any run logged it is 20 times ("r1", over steps 0–19 (about every 1 steps))'],
    ]);
  });

  it("TWL064 / TWL065: thresholds that never or always hold, with the range", () => {
    const never = automation("never").in(llm).on(onRunMetric(metric("loss").lt(0))).do(doNothing());
    const always = automation("always").in(llm).on(onRunMetric(metric("loss").mean(5).lt(10))).do(doNothing());
    const fine = automation("fine").in(llm).on(onRunMetric(metric("loss").max(3).gt(0.7))).do(doNothing());
    const h = history(run("r1", "alice", { loss: ramp(10, 0.1, 0.1) }), run("r2", "bob", { loss: ramp(10, 0.2, 0.05) }));
    expect(check([never, always, fine], h)).toEqual([
      ["TWL064", "never", 'loss < 0 never held in the history: "loss" ranged from 0.1 to 1 over 20 logged values'],
      ["TWL065", "always", 'loss < 10 held for every value in the history: "loss" ranged from 0.1 to 1 over 20 logged values'],
    ]);
  });

  it("TWL064 / TWL065: a change that never happens, or happens in every run (a tiny changesBy on a noisy metric)", () => {
    const noisy = (seed: number) => Array.from({ length: 40 }, (_, i) => 1 + 0.1 * Math.sin(i * 1.7 + seed));
    const tiny = automation("tiny").in(llm).on(onRunMetric(metric("loss").mean(2).changesBy({ diff: 0.0001, priorWindow: 2 }))).do(doNothing());
    const huge = automation("huge").in(llm).on(onRunMetric(metric("loss").mean(2).increasesBy({ frac: 5, priorWindow: 2 }))).do(doNothing());
    const h = history(run("r1", "alice", { loss: noisy(0) }), run("r2", "bob", { loss: noisy(1) }));
    const found = check([tiny, huge], h);
    expect(found.map((f) => [f[0], f[1]])).toEqual([
      ["TWL065", "tiny"],
      ["TWL064", "huge"],
    ]);
    expect(found[0]?.[2]).toBe('a change of 0.0001 in "loss" happened in every one of the 2 runs that filled both windows: it fires on every run');
    expect(found[1]?.[2]).toMatch(/^an increase of 500% in "loss" never happened in the 2 runs that filled both windows: the largest change was -?\d+(\.\d+)?%$/);
  });

  it("TWL064 / TWL065: a z-score that never reaches its threshold, or does in every run", () => {
    // Slow noise, then a spike to 5 at the end of every run: z of the spike is 3 (nine values near 1 and the 5 itself).
    const calm = (seed: number) => Array.from({ length: 30 }, (_, i) => 1 + 0.01 * Math.sin(i * 0.3 + seed));
    const spiky = (seed: number) => [...calm(seed), 5];
    const high = automation("high").in(llm).on(onRunMetric(metric("loss").zscore(10).abs().gt(4))).do(doNothing());
    const spike = automation("spike").in(llm).on(onRunMetric(metric("loss").zscore(10).gt(2.5))).do(doNothing());
    const dip = automation("dip").in(llm).on(onRunMetric(metric("loss").zscore(10).lt(-2.5))).do(doNothing());
    const found = check([high, spike, dip], history(run("r1", "alice", { loss: spiky(0) }), run("r2", "bob", { loss: spiky(1) })));
    expect(found).toEqual([
      ["TWL064", "high", 'a z-score of ±4 over 10 values in "loss" never happened in the 2 runs that filled the window: the largest |z| was 2.99999'],
      ["TWL065", "spike", 'a z-score of +2.5 over 10 values in "loss" happened in every one of the 2 runs that filled the window: it fires on every run'],
      ["TWL064", "dip", 'a z-score of −2.5 over 10 values in "loss" never happened in the 2 runs that filled the window: the largest −z was 2.13414'],
    ]);
  });

  it("TWL066 / TWL067: a run-name condition no run matches and a user no run belongs to; negated ones are not checked", () => {
    const a = automation("a").in(llm).on(onRunState(["failed"]).where(runName.regex("^sweep-"))).do(doNothing());
    const b = automation("b").in(llm).on(onRunState(["failed"]).where(runUser.in(["alice", "carol"]))).do(doNothing());
    const c = automation("c").in(llm).on(onRunState(["failed"]).where(runName.contains("train"))).do(doNothing());
    const d = automation("d").in(llm).on(onRunState(["failed"]).where(not(runName.regex("^nope-")))).do(doNothing());
    const h = history(run("train-1", "alice", { loss: [1] }), run("train-2", "bob", { loss: [1] }));
    expect(check([a, b, c, d], h)).toEqual([
      ["TWL066", "a", "runName regex /^sweep-/ matches none of the 2 run names in the history (train-1, train-2)"],
      ["TWL067", "b", 'no run in the history belongs to "carol" (users seen: alice, bob)'],
    ]);
  });
});
