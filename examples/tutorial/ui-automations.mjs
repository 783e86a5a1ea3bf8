// Makes two automations the way the W&B UI would (plain GraphQL, no Tripwire marker), so the tutorial has
// something to import. Usage: WANDB_BASE_URL=http://127.0.0.1:8080 WANDB_API_KEY=tutorial-key-0000001 node ui-automations.mjs
const base = process.env.WANDB_BASE_URL ?? "http://127.0.0.1:8080";
const key = process.env.WANDB_API_KEY ?? "tutorial-key-0000001";
const gql = async (query, variables) => {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`api:${key}`).toString("base64")}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`${res.status}: ${body.errors.map((e) => e.message).join("; ")}`);
  return body.data;
};

const { project } = await gql(`{ project(name: "llm", entityName: "acme-ml") { id } }`);
const { entity } = await gql(`{ entity(name: "acme-ml") { integrations { edges { node { __typename ... on SlackIntegration { id channelName } ... on GenericWebhookIntegration { id name } } } } } }`);
const integration = (pick) => entity.integrations.edges.map((e) => e.node).find(pick).id;
const create = `mutation($input: CreateFilterTriggerInput!) { createFilterTrigger(input: $input) { trigger { id name } } }`;

const made = [
  await gql(create, {
    input: {
      name: "loss-spike",
      description: "Made in the W&B UI",
      enabled: true,
      scopeID: project.id,
      scopeType: "PROJECT",
      triggeringEventType: "RUN_METRIC",
      eventFilter: JSON.stringify({
        run_filter: JSON.stringify({ $and: [{ display_name: { $contains: "sweep-" } }] }),
        run_metric_filter: { threshold_filter: { name: "loss", agg_op: "AVERAGE", window_size: 5, cmp_op: "$gt", threshold: 0.6 } },
        metric_filter: null,
      }),
      triggeredActionType: "NOTIFICATION",
      triggeredActionConfig: {
        notificationActionInput: { integrationID: integration((n) => n.channelName === "ml-alerts"), title: "Loss spiked", message: "", severity: "WARN" },
      },
    },
  }),
  await gql(create, {
    input: {
      name: "run-failed",
      enabled: true,
      scopeID: project.id,
      scopeType: "PROJECT",
      triggeringEventType: "RUN_STATE",
      eventFilter: JSON.stringify({ run_filter: JSON.stringify({ $and: [] }), run_state_filter: { states: ["FAILED"] } }),
      triggeredActionType: "GENERIC_WEBHOOK",
      triggeredActionConfig: {
        genericWebhookActionInput: { integrationID: integration((n) => n.name === "deploy"), requestPayload: JSON.stringify({ run: "${run_name}", status: "${run_status}" }) },
      },
    },
  }),
];
for (const m of made) console.log(`created ${m.createFilterTrigger.trigger.name} (${m.createFilterTrigger.trigger.id})`);
