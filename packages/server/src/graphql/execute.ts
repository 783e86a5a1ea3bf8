import { execute as gqlExecute, GraphQLError, parse, specifiedRules, validate, visit, BREAK, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { LRUCache } from "lru-cache";
import { Access } from "../access.js";
import { ERROR_STATUS, type ErrorCode } from "../errors.js";
import type { Logger } from "../log.js";
import type { ExecutionRecord, Store, UserRecord } from "../store/types.js";
import type { GraphQLContext } from "./context.js";
import { GRAPHQL_LIMITS, isLimitError, LIMIT_RULES, limitError, requestCost } from "./limits.js";
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
// validating one costs far more than executing it. Bounded in entries and in the characters of the queries kept
// (a document's AST is a small multiple of its text), least recently used evicted first.
type Parsed = DocumentNode | readonly GraphQLError[];
const documentsBySchema = new WeakMap<GraphQLSchema, LRUCache<string, Parsed>>();
const MAX_CACHED_DOCUMENTS = 500;
const MAX_CACHED_QUERY_CHARS = 4 * 1024 * 1024;
const RULES = [...specifiedRules, ...LIMIT_RULES];

function document(schema: GraphQLSchema, query: string): Parsed {
  let documents = documentsBySchema.get(schema);
  if (!documents) {
    documents = new LRUCache<string, Parsed>({ max: MAX_CACHED_DOCUMENTS, maxSize: MAX_CACHED_QUERY_CHARS, sizeCalculation: (_v, key) => Math.max(1, key.length) });
    documentsBySchema.set(schema, documents);
  }
  const hit = documents.get(query);
  if (hit) return hit;
  let out: Parsed;
  try {
    const doc = parse(query, { maxTokens: GRAPHQL_LIMITS.tokens.max });
    const errors = validate(schema, doc, RULES);
    // A limit refusal says everything the client needs; the other rules' errors over a huge document add nothing.
    const limits = errors.filter(isLimitError);
    out = limits.length > 0 ? limits : errors.length > 0 ? errors : doc;
  } catch (e) {
    out = [e instanceof GraphQLError && /contains more that \d+ tokens/.test(e.message) ? limitError("tokens") : e instanceof GraphQLError ? e : new GraphQLError(String(e))];
  }
  documents.set(query, out);
  return out;
}

/**
 * How much the document cache of a schema holds: entries, and characters of their queries (bounded by
 * MAX_CACHED_DOCUMENTS and MAX_CACHED_QUERY_CHARS), for diagnostics and the limits' tests.
 * @example documentCacheSize().documents <= 500
 */
export function documentCacheSize(schema: GraphQLSchema = (sharedSchema ??= createSchema())): { documents: number; chars: number } {
  const documents = documentsBySchema.get(schema);
  return { documents: documents?.size ?? 0, chars: documents?.calculatedSize ?? 0 };
}

/**
 * Builds the shared schema and parses and validates `queries` against it, ahead of the first request that sends
 * them: the same work {@link execute} would do on first use (the same document cache, so the same errors), done
 * while the caller waits for something else — the CLI's embedded default does it while TypeScript checks the
 * definitions in a child process.
 * @example prepareExecution([`query Viewer { viewer { username } }`]);
 */
export function prepareExecution(queries: readonly string[] = []): void {
  const schema = (sharedSchema ??= createSchema());
  for (const query of queries) if (query.length <= GRAPHQL_LIMITS.query.max) document(schema, query);
}

const refused = (errors: readonly GraphQLError[]): GraphQLResponse => ({
  status: 400,
  body: { errors: errors.map((e) => ({ ...e.toJSON(), extensions: isLimitError(e) ? e.extensions : { code: "GRAPHQL_VALIDATION_FAILED" } })) },
});

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
  if (request.query.length > GRAPHQL_LIMITS.query.max) return refused([limitError("query", request.query.length)]);
  const schema = options.schema ?? (sharedSchema ??= createSchema());
  const doc = document(schema, request.query);
  if (!("kind" in doc)) return refused(doc);
  const cost = requestCost(schema, doc, request.variables ?? {}, request.operationName || undefined);
  if (cost > GRAPHQL_LIMITS.cost.max) return refused([limitError("cost", Number.isFinite(cost) ? cost : undefined)]);
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
