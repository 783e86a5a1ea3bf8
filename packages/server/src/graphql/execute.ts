import { execute as gqlExecute, GraphQLError, parse, validate, visit, BREAK, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { Access } from "../access.js";
import { ERROR_STATUS, type ErrorCode } from "../errors.js";
import type { Logger } from "../log.js";
import type { ExecutionRecord, Store, UserRecord } from "../store/types.js";
import type { GraphQLContext } from "./context.js";
import type { UrlPolicy } from "../runtime/url-policy.js";
import { createSchema } from "./schema.js";

/** A GraphQL request as W&B's clients send it. */
export interface GraphQLRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown> | null;
  readonly operationName?: string | null;
}

/** The answer: the JSON body a client receives, and the HTTP status it comes with. */
export interface GraphQLResponse {
  readonly status: number;
  readonly body: { data?: unknown; errors?: readonly GraphQLFormattedError[]; extensions?: { warnings: readonly { code: string; message: string; path: readonly (string | number)[] }[] } };
}

export interface ExecuteOptions {
  /** The authenticated user (a record or a username); absent means unauthenticated (401). */
  readonly user: UserRecord | string | undefined;
  /** Defaults to one shared {@link createSchema} instance. */
  readonly schema?: GraphQLSchema;
  readonly logger?: Logger;
  /** Renders a webhook execution's body for history with secrets masked (the runtime provides it). */
  readonly historyPayload?: (execution: ExecutionRecord) => string | null;
  /** Where integrations may point; default: public addresses only (the server passes its `--allow-private`). */
  readonly urlPolicy?: UrlPolicy;
}

let sharedSchema: GraphQLSchema | undefined;
// Parsed and validated documents, per schema: clients send the same few documents over and over, and parsing plus
// validating one costs far more than executing it. Bounded per schema, oldest evicted first.
const documentsBySchema = new WeakMap<GraphQLSchema, Map<string, DocumentNode | readonly GraphQLError[]>>();
const MAX_CACHED_DOCUMENTS = 500;

function document(schema: GraphQLSchema, query: string): DocumentNode | readonly GraphQLError[] {
  let documents = documentsBySchema.get(schema);
  if (!documents) {
    documents = new Map();
    documentsBySchema.set(schema, documents);
  }
  const hit = documents.get(query);
  if (hit) return hit;
  let out: DocumentNode | readonly GraphQLError[];
  try {
    const doc = parse(query);
    const errors = validate(schema, doc);
    out = errors.length > 0 ? errors : doc;
  } catch (e) {
    out = [e instanceof GraphQLError ? e : new GraphQLError(String(e))];
  }
  if (documents.size >= MAX_CACHED_DOCUMENTS) documents.delete(documents.keys().next().value as string);
  documents.set(query, out);
  return out;
}

/** Whether a document asks for `__schema` or `__type` (`__typename` is not introspection). */
function introspects(doc: DocumentNode): boolean {
  let found = false;
  visit(doc, {
    Field(node) {
      if (node.name.value === "__schema" || node.name.value === "__type") {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function codeOf(e: GraphQLError): ErrorCode | undefined {
  const code = e.extensions?.code;
  return typeof code === "string" && code in ERROR_STATUS ? (code as ErrorCode) : undefined;
}

const unauthenticated = (): GraphQLResponse => ({
  status: 401,
  body: { errors: [{ message: "authentication required: send Authorization: Basic base64(\"api:<API key>\")", extensions: { code: "UNAUTHENTICATED" } }] },
});

/**
 * Executes one GraphQL request against a store as `user`, exactly as the HTTP endpoint would, and returns
 * the body and status the client would have received — the CLI's embedded default uses this, no HTTP.
 * @example
 * const { status, body } = await execute(store, { query: "{ viewer { username } }" }, { user: "alice" });
 */
export async function execute(store: Store, request: GraphQLRequest, options: ExecuteOptions): Promise<GraphQLResponse> {
  const user = typeof options.user === "string" ? store.userByName(options.user) : options.user;
  if (!user) return unauthenticated();
  if (typeof request.query !== "string" || request.query.length === 0) {
    return { status: 400, body: { errors: [{ message: "the request has no query", extensions: { code: "BAD_USER_INPUT" } }] } };
  }
  const schema = options.schema ?? (sharedSchema ??= createSchema());
  const doc = document(schema, request.query);
  if (!("kind" in doc)) {
    return { status: 400, body: { errors: doc.map((e) => ({ ...e.toJSON(), extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) } };
  }
  if (/__(schema|type)\b/.test(request.query) && introspects(doc) && !user.admin && !store.memberships(user.id).some((m) => m.entity.type !== "personal")) {
    return {
      status: 403,
      body: { errors: [{ message: "introspection needs a member of a team or organization; this API key's user belongs to none", extensions: { code: "FORBIDDEN" } }] },
    };
  }
  const warnings: NonNullable<GraphQLContext["warnings"]> = [];
  const contextValue: GraphQLContext = {
    warnings,
    store,
    user,
    access: new Access(store, user),
    ...(options.historyPayload ? { historyPayload: options.historyPayload } : {}),
    ...(options.urlPolicy ? { urlPolicy: options.urlPolicy } : {}),
  };
  const result = await gqlExecute({
    schema,
    document: doc,
    variableValues: request.variables ?? undefined,
    operationName: request.operationName || undefined,
    contextValue,
  });
  if (!result.errors || result.errors.length === 0) return { status: 200, body: { data: result.data, ...(warnings.length > 0 ? { extensions: { warnings } } : {}) } };
  let status = 0;
  const errors = result.errors.map((e) => {
    const code = codeOf(e) ?? (e.originalError && !(e.originalError instanceof GraphQLError) ? "INTERNAL_SERVER_ERROR" : e.path ? "INTERNAL_SERVER_ERROR" : "BAD_USER_INPUT");
    if (code === "INTERNAL_SERVER_ERROR") {
      options.logger?.log("error", "graphql resolver failed", { error: String(e.originalError?.stack ?? e.message), path: e.path });
    }
    if (status === 0) status = ERROR_STATUS[code];
    const message = code === "INTERNAL_SERVER_ERROR" && !codeOf(e) ? "internal server error" : e.message;
    return { ...e.toJSON(), message, extensions: { ...e.extensions, code } };
  });
  return { status, body: { ...(result.data !== undefined ? { data: result.data } : {}), errors } };
}
