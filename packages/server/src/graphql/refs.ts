import { toGlobalId } from "../ids.js";
import { wireScope, type ResolvedScope } from "../scope.js";
import type { IntegrationRecord } from "../store/types.js";

// Nodes built from a record alone, without the GraphQL context: the leaves both `nodes.ts` and `history.ts` use,
// so neither imports the other for them.

/** The `Integration` union member for an integration row. */
export function integrationNode(i: IntegrationRecord) {
  return i.kind === "slack"
    ? // W&B's `teamName` is non-null (its OAuth flow always knows the workspace); a local one may have none.
      { __typename: "SlackIntegration", id: toGlobalId("Integration", i.id), teamName: i.teamName ?? "", channelName: i.channelName ?? "", createdAt: i.createdAt }
    : {
        __typename: "GenericWebhookIntegration",
        id: toGlobalId("Integration", i.id),
        name: i.name ?? "",
        urlEndpoint: i.url,
        secretRef: i.secretRef,
        accessTokenRef: i.accessTokenRef,
        createdAt: i.createdAt,
      };
}

/**
 * The trigger-scope union member for a resolved scope, with its identifying fields only (an execution's `scope`):
 * W&B's `TriggerFields` scope, whose collection's project is a full `Project` node here.
 */
export function scopeRef(s: ResolvedScope) {
  const scope = wireScope(s);
  if (s.type !== "ARTIFACT_COLLECTION") return scope;
  return { ...scope, project: { __typename: "Project", id: toGlobalId("Project", s.project.id), name: s.project.name, entityName: s.project.entityName } };
}
