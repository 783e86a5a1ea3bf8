// A live backend as the stages see it. The client's class is the one thing named from outside model/ (a type only:
// the GraphQL client is remote/'s, and every stage talks to the backend through it).
import type { EmbeddedIntegration } from "./config.js";
import type { Prerequisite } from "./plan.js";
import type { WandbClient } from "../remote/client.js";

/**
 * What only the embedded default can do: create the scopes, integrations and secrets the definitions reference
 * (nothing else could create them in a local database). Every call is idempotent.
 */
export interface EmbeddedAdmin {
  ensureEntity(name: string, type: "team" | "organization"): Promise<void>;
  ensureProject(entity: string, project: string): Promise<void>;
  ensureCollection(entity: string, project: string, collection: string): Promise<void>;
  ensureIntegration(integration: EmbeddedIntegration): Promise<void>;
  /** Sets a team secret's value (values are never read back). */
  ensureSecret(entity: string, name: string, value: string): Promise<void>;
  /** Declared integrations and secrets (tripwire.config.ts) the database lacks or holds differently. */
  outOfSync(): Prerequisite[];
}

/** A live backend: W&B or a Tripwire server over HTTP, or the embedded default in-process. */
export interface Backend {
  readonly kind: "embedded" | "remote";
  /** Where it is: the GraphQL URL, or `file:<path>` of the embedded database. */
  readonly url: string;
  readonly client: WandbClient;
  readonly admin?: EmbeddedAdmin | undefined;
  close(): Promise<void>;
}

