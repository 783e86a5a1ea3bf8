// Training health for the LLM pre-training project: page the team when a run goes wrong,
// and trial a new signal with doNothing() before it notifies anyone.
import {
  and,
  automation,
  doNothing,
  metric,
  not,
  onRunMetric,
  onRunState,
  or,
  project,
  runName,
  runUser,
  sendNotification,
  slack,
} from "@tripwire/sdk";

const llm = project("acme-ml/llm-pretrain");
const alerts = slack("ml-alerts");

/** The mean loss of the last 5 logged values of a sweep run went above 0.6. */
export const lossSpike = automation("loss-spike")
  .in(llm)
  .on(onRunMetric(metric("loss").mean(5).gt(0.6)).where(runName.contains("sweep-")))
  .do(sendNotification(alerts, { title: "Loss spiked", message: "Mean loss over the last 5 steps is above 0.6", severity: "WARN" }))
  .describe("Sweep runs whose loss spikes above 0.6");

/** Trial: how often does the mean loss of the last 10 values fall 25% below the 50 values before them? */
export const lossPlateau = automation("loss-plateau")
  .in(llm)
  .on(onRunMetric(metric("loss").mean(10).decreasesBy({ frac: 0.25, priorWindow: 50 })))
  .do(doNothing())
  .describe("Trial of a change-threshold signal; promote to Slack once its volume is known");

/** GPU utilisation (the `gpu` system metric, logged every 15 s) averaged under 5% over 20 samples: an idle GPU. */
export const idleGpu = automation("idle-gpu")
  .in(llm)
  .on(onRunMetric(metric("gpu").mean(20).lt(5)).where(not(runName.regex("^debug-"))))
  .do(sendNotification(alerts, { title: "Idle GPU", message: "A run has kept its GPU under 5% for about 5 minutes", severity: "WARN" }));

/** A production training run failed (crashed counts as failed). */
export const runFailed = automation("run-failed")
  .in(llm)
  .on(onRunState(["failed"]).where(and(runName.regex("^train-"), or(runUser.eq("alice"), runUser.eq("bob")))))
  .do(sendNotification(alerts, { title: "Training run failed", severity: "ERROR" }));

/** Alice's runs finished: tell her channel. */
export const runFinished = automation("run-finished")
  .in(llm)
  .on(onRunState(["finished"]).where(runUser.eq("alice")))
  .do(sendNotification(slack("alice-runs"), { title: "Run finished" }));

/** Gradient norm is an outlier against its last 30 values, either way. */
export const gradOutlier = automation("grad-norm-outlier")
  .in(llm)
  .on(onRunMetric(metric("grad_norm").zscore(30).abs().gt(4)))
  .do(sendNotification(alerts, { title: "Gradient norm outlier", severity: "WARN" }));
