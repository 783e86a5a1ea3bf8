import { join } from "node:path";
import type { Seed } from "../../src/seed.js";
import { startServer, type RunningServer, type ServerOptions } from "../../src/server.js";
import { CreateAutomation } from "../documents.js";
import { gql, KEYS, SEED, tempDir } from "../helpers.js";

/** Things to close after each test, last opened first. */
export const closers: (() => Promise<void> | void)[] = [];
export async function closeAll(): Promise<void> {
  for (const c of closers.splice(0).reverse()) await c();
}

/** A threshold filter in W&B's wire format. */
export const threshold = (name: string, value: number, cmp = "$gte") =>
  JSON.stringify({
    run_filter: JSON.stringify({ $and: [] }),
    run_metric_filter: { threshold_filter: { name, agg_op: null, window_size: 1, cmp_op: cmp, threshold: value } },
    metric_filter: null,
  });

/**
 * The real server on loopback with SEED's users and the given integrations (seeded: a seed is the operator's,
 * not checked at input, so delivery-time checks can be tried on it).
 */
export async function serve(integrations: NonNullable<Seed["integrations"]>, options: Partial<ServerOptions> = {}) {
  const t = tempDir();
  const server: RunningServer = await startServer({
    db: join(t.dir, "f.db"),
    port: 0,
    seed: { ...SEED, integrations },
    ...options,
    delivery: { baseDelayMs: 20, maxDelayMs: 200, ...options.delivery },
  });
  closers.push(t.cleanup, server.close);
  const d = (await gql(server.url, KEYS.bob, `{ project(name: "llm", entityName: "ml") { id } entity(name: "ml") { integrations { edges { node { id name: __typename } } } } }`)).body.data;
  const ids = (d.entity.integrations.edges as { node: { id: string } }[]).map((e) => e.node.id);
  return { server, dir: t.dir, project: d.project.id as string, integrations: ids };
}

/** A webhook automation on `acc >= 0.9` (one firing per run) that posts `payload` through `integrationID`. */
export async function hookAutomation(url: string, scopeID: string, integrationID: string, payload = '{"run":"${run_name}"}', name = "acc-hook") {
  const r = await gql(url, KEYS.bob, CreateAutomation, {
    input: {
      enabled: true,
      eventFilter: threshold("acc", 0.9),
      name,
      scopeID,
      scopeType: "PROJECT",
      triggeredActionConfig: { genericWebhookActionInput: { integrationID, requestPayload: payload } },
      triggeredActionType: "GENERIC_WEBHOOK",
      triggeringEventType: "RUN_METRIC",
    },
  });
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.result.trigger.id as string;
}

/** Every execution with its attempts, after the dispatcher went idle and wrote what it has. */
export async function settled(server: RunningServer) {
  await server.dispatcher.idle();
  server.dispatcher.flushWrites();
  return server.store.listExecutions({}, { after: 0, limit: 1000 }).items.map((x) => ({ ...x, tries: server.store.attempts(x.id) }));
}
