// Model promotion through the registry: a newly linked version is evaluated; a version that gets the
// `production` alias is deployed by a GitHub Actions workflow through a repository_dispatch event.
import { alias, automation, onAddArtifactAlias, onLinkArtifact, registry, sendWebhook, webhook } from "@tripwire/sdk";

const llm7b = registry("acme/model").collection("llm-7b");

export const evaluateOnLink = automation("evaluate-on-link")
  .in(llm7b)
  .on(onLinkArtifact())
  .do(
    sendWebhook(webhook("eval-service"), {
      payload: {
        model: "${artifact_version_string}",
        collection: "${artifact_collection_name}",
        linked_by: "${event_author}",
      },
    }),
  )
  .describe("Run the evaluation suite on every version linked into llm-7b");

// GitHub: POST /repos/acme/deploy/dispatches with a token as the webhook's access-token secret.
// The workflow listens with `on: repository_dispatch: types: [BUILD_AND_DEPLOY]`; event_type must match.
export const deployProduction = automation("deploy-production")
  .in(llm7b)
  .on(onAddArtifactAlias(alias.eq("production")))
  .do(
    sendWebhook(webhook("github-dispatch"), {
      payload: {
        event_type: "BUILD_AND_DEPLOY",
        client_payload: {
          event_author: "${event_author}",
          artifact_version: "${artifact_version}",
          artifact_version_string: "${artifact_version_string}",
          artifact_collection_name: "${artifact_collection_name}",
          project_name: "${project_name}",
          entity_name: "${entity_name}",
        },
      },
    }),
  )
  .describe("Deploy whatever gets the production alias")
  .protect();

/** Staging candidates anywhere in the registry get a smoke test. */
export const smokeTestStaging = automation("smoke-test-staging")
  .in(registry("acme/model"))
  .on(onAddArtifactAlias(alias.regex("^staging")))
  .do(sendWebhook(webhook("eval-service"), { payload: { suite: "smoke", model: "${artifact_version_string}", alias: "${alias}" } }));
