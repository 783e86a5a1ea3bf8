import type { Access } from "../access.js";
import type { ExecutionRecord, Store, UserRecord } from "../store/types.js";
import type { UrlPolicy } from "../runtime/url-policy.js";

/** What every resolver gets: the store, the authenticated user and what they may see. */
export interface GraphQLContext {
  readonly store: Store;
  readonly user: UserRecord;
  readonly access: Access;
  /** A webhook execution's request body as sent, with secret values masked (history only). */
  readonly historyPayload?: (execution: ExecutionRecord) => string | null;
  /** Warnings for the client, answered in the response's `extensions.warnings`. */
  readonly warnings?: { code: string; message: string; path: readonly (string | number)[] }[];
  /** Where integrations may point (absent: public addresses only). */
  readonly urlPolicy?: UrlPolicy;
}
