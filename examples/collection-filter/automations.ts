// The project "collection level" of W&B: one definition for every checkpoint collection of a project,
// present and future. Tripwire resolves the filter at plan time into one automation per matching collection.
import { alias, automation, collectionName, onAddArtifactAlias, onCreateArtifact, project, sendNotification, slack } from "@tripwire/sdk";

const checkpoints = project("acme-ml/llm-pretrain").collections(collectionName.regex("^ckpt-"));

export const newCheckpoint = automation("new-checkpoint")
  .in(checkpoints)
  .on(onCreateArtifact())
  .do(sendNotification(slack("ml-checkpoints"), { title: "New checkpoint", message: "A checkpoint collection has a new version" }));

export const bestCheckpoint = automation("best-checkpoint")
  .in(checkpoints)
  .on(onAddArtifactAlias(alias.eq("best")))
  .do(sendNotification(slack("ml-checkpoints"), { title: "New best checkpoint", severity: "INFO" }));
