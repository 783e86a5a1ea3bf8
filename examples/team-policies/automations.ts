// Policies defined once for a whole team or organisation (W&B team and organization scopes).
import { alias, automation, doNothing, metric, onAddArtifactAlias, onRunMetric, org, runName, not, sendNotification, slack, team } from "@tripwire/sdk";

export const productionAudit = automation("production-alias-audit")
  .in(org("acme"))
  .on(onAddArtifactAlias(alias.eq("production")))
  .do(sendNotification(slack("ml-audit"), { title: "Production alias moved", severity: "WARN" }))
  .describe("Every production promotion in the organisation, for the audit channel");

export const teamNanLoss = automation("team-nan-guard")
  .in(team("acme-ml"))
  .on(onRunMetric(metric("loss").max(3).gt(1e6)).where(not(runName.regex("^debug-"))))
  .do(doNothing())
  .enabled(false)
  .describe("Disabled until the team agrees on a threshold");
