// Data pipeline: a new version of the training dataset starts a retraining job; a version tagged for a
// region starts that region's compliance workflow.
import { automation, onAddArtifactTag, onCreateArtifact, project, sendWebhook, tag, webhook } from "@tripwire/sdk";

const data = project("acme-ml/data-pipeline");

export const retrainOnNewDataset = automation("retrain-on-new-dataset")
  .in(data.collection("training-set"))
  .on(onCreateArtifact())
  .do(
    sendWebhook(webhook("retrain"), {
      payload: { dataset: "${artifact_version_string}", version: "${artifact_version_index}", rows: "${artifact_metadata.num_rows}" },
    }),
  )
  .describe("Retrain on every new version of the training set");

export const regionalWorkflow = automation("regional-workflow")
  .in(data)
  .on(onAddArtifactTag(tag.in(["europe", "asia"])))
  .do(sendWebhook(webhook("regional-compliance"), { payload: { region: "${tag}", artifact: "${artifact_version_string}", token: "${COMPLIANCE_TOKEN}" } }));
