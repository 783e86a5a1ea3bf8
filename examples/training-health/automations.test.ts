// Unit tests for the training-health automations, in vitest: synthetic runs in, expected firings out.
// `import "@tripwire/evaluator/vitest"` registers the `toFire` matcher (and its types).
import { describe, expect, it } from "vitest";
import { evaluate, runStream } from "@tripwire/evaluator/testing";
import "@tripwire/evaluator/vitest";
import * as automations from "./automations.js";

describe("training health", () => {
  it("a loss spike on a sweep run notifies once, at the step the mean of 5 crosses 0.6", () => {
    const run = runStream("r1", { name: "sweep-1", user: "alice" }).metric("loss", "0.5x4 0.9 0.9 0.9");
    // means of the last 5: steps 4–6 → 0.58, 0.66, 0.74: crossing at step 5, then W&B's 24 h limit holds
    expect(evaluate(automations, run)).toFire("loss-spike", { run: "r1", atStep: 5, times: 1 });
  });

  it("a spike on a run that is not a sweep does not notify", () => {
    const run = runStream("r2", { name: "train-2", user: "alice" }).metric("loss", "0.9x10");
    expect(evaluate(automations, run)).not.toFire("loss-spike");
  });

  it("the same run spikes again a day later: a second notification", () => {
    const run = runStream("r1", { name: "sweep-1" }).metric("loss", "0.9x5").wait("24h").metric("loss", "0.9");
    expect(evaluate(automations, run)).toFire("loss-spike", { run: "sweep-1", times: 2 });
  });

  it("an idle GPU on a debug run is not reported; on a sweep run it is", () => {
    const idle = "2x20";
    const result = evaluate(automations, [
      runStream("d1", { name: "debug-1", every: "15s" }).metric("gpu", idle),
      runStream("s1", { name: "sweep-1", every: "15s" }).metric("gpu", idle),
    ]);
    expect(result).not.toFire("idle-gpu", { run: "debug-1" });
    expect(result).toFire("idle-gpu", { run: "sweep-1", atStep: 19 });
  });

  it("a failed production run pages only for its owners; a crash counts as failed", () => {
    const result = evaluate(automations, [
      runStream("t1", { name: "train-1", user: "alice" }).metric("loss", [1]).state("crashed"),
      runStream("t2", { name: "train-2", user: "carol" }).state("failed"),
    ]);
    expect(result).toFire("run-failed", { run: "train-1" });
    expect(result).not.toFire("run-failed", { run: "train-2" });
  });

  it("a gradient-norm outlier fires; the steady state does not", () => {
    const steady = runStream("r1", { name: "sweep-1" }).metric("grad_norm", Array(5).fill("1 1.1 0.9 1 1.05 0.95").join(" "));
    expect(evaluate(automations, steady)).not.toFire("grad-norm-outlier");
    expect(evaluate(automations, steady.metric("grad_norm", [9]))).toFire("grad-norm-outlier", { atStep: 30 });
  });
});
