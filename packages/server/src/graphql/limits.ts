/**
 * Cost limits on GraphQL requests, so one request cannot hold the event loop or the memory of the server: a body
 * and query size, a token count (graphql-js stops parsing at it), a depth and an alias count (graphql-js
 * validation rules), and a cost that counts every field selected times the pages and lists it is selected over,
 * with the page sizes the request asks for. Each refusal is a 4xx answer that names its limit.
 *
 * The cost walk is written here rather than taken from graphql-query-complexity: that package imports
 * `graphql` by its `main` (CommonJS) while bundlers resolve this package's imports to graphql's ESM build, and
 * two copies of graphql refuse each other's schemas; it also walks a fragment at every spread.
 *
 * The numbers leave room for W&B's own clients and Tripwire's documents: the dearest, the legacy listing of
 * automations per project, costs 26,702 at the reconciler's 100 projects a page and 287,002 at the largest page
 * (1,000); `test/faults/graphql-limits.test.ts` checks every document both send.
 */
import {
  getNamedType,
  GraphQLError,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationRule,
} from "graphql";
import type { ServerCode } from "../codes.js";
import { DEFAULT_PAGE, MAX_PAGE } from "./connection.js";

/**
 * The limits, and the server code each refusal carries in `extensions.tripwireCode`.
 * @example GRAPHQL_LIMITS.depth.max // 15
 */
export const GRAPHQL_LIMITS = {
  body: { code: "TW6300" satisfies ServerCode, max: 1024 * 1024, what: "bytes of request body" },
  query: { code: "TW6301" satisfies ServerCode, max: 100_000, what: "characters of query" },
  tokens: { code: "TW6302" satisfies ServerCode, max: 10_000, what: "tokens" },
  depth: { code: "TW6303" satisfies ServerCode, max: 15, what: "levels of nested fields" },
  aliases: { code: "TW6304" satisfies ServerCode, max: 100, what: "aliased fields" },
  cost: { code: "TW6305" satisfies ServerCode, max: 300_000, what: "cost (fields selected, times the pages and lists they are selected over)" },
} as const;
export type GraphQLLimit = keyof typeof GRAPHQL_LIMITS;

/** A plain list (not a connection) is counted as this many items: its length is not known before it is read. */
const LIST_ESTIMATE = 10;

/**
 * The refusal for one limit: `extensions` name the limit, its maximum and what the request had (when known).
 * @example limitError("aliases", 50_000).extensions // { code: "QUERY_LIMIT", limit: "aliases", max: 100, actual: 50000, tripwireCode: "TW6304" }
 */
export function limitError(limit: GraphQLLimit, actual?: number, max: number = GRAPHQL_LIMITS[limit].max): GraphQLError {
  const l = GRAPHQL_LIMITS[limit];
  const had = actual === undefined ? "more" : String(actual);
  return new GraphQLError(`the request exceeds the ${limit} limit: it has ${had} ${l.what}; at most ${max} are allowed`, {
    extensions: { code: "QUERY_LIMIT", limit, max, ...(actual !== undefined ? { actual } : {}), tripwireCode: l.code },
  });
}

/** Whether an error is one of these refusals. */
export const isLimitError = (e: GraphQLError): boolean => e.extensions?.code === "QUERY_LIMIT";

/** Counts aliased fields over the whole document (each fragment once); refuses past the maximum. */
export const aliasLimit: ValidationRule = (context) => {
  let aliases = 0;
  return {
    Field(node) {
      if (node.alias && ++aliases === GRAPHQL_LIMITS.aliases.max + 1) context.reportError(limitError("aliases", countAliases(context.getDocument())));
    },
  };
};

function countAliases(doc: DocumentNode): number {
  let n = 0;
  const walk = (node: ASTNode): void => {
    if (node.kind === Kind.FIELD && node.alias) n++;
    const set = (node as { selectionSet?: SelectionSetNode }).selectionSet;
    if (set) for (const s of set.selections) walk(s);
  };
  for (const d of doc.definitions) walk(d);
  return n;
}

/** The depth of each operation in fields, fragments followed (a fragment cycle counts once; NoFragmentCycles refuses it). */
export const depthLimit: ValidationRule = (context) => {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  // A fragment's depth does not depend on where it is spread: computed once, or fragments spreading each other
  // twice over would take time exponential in their number.
  const memo = new Map<string, number>();
  const depthOf = (set: SelectionSetNode | undefined, active: Set<string>): number => {
    if (!set) return 0;
    let deepest = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) deepest = Math.max(deepest, 1 + depthOf(s.selectionSet, active));
      else if (s.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(s.selectionSet, active));
      else if (!active.has(s.name.value)) {
        const name = s.name.value;
        let d = memo.get(name);
        if (d === undefined) {
          active.add(name);
          d = depthOf(fragments.get(name)?.selectionSet, active);
          active.delete(name);
          memo.set(name, d);
        }
        deepest = Math.max(deepest, d);
      }
      if (deepest > GRAPHQL_LIMITS.depth.max) return deepest; // deep enough to refuse: stop walking
    }
    return deepest;
  };
  return {
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, new Set());
      if (depth > GRAPHQL_LIMITS.depth.max) context.reportError(limitError("depth", depth));
    },
  };
};

/** The limits checked with graphql-js's own validation rules, run with `specifiedRules` on every new document. */
export const LIMIT_RULES: readonly ValidationRule[] = [depthLimit, aliasLimit];

/** Field selections the cost walk visits at most before it refuses (a bound on the walk itself). */
const MAX_COST_NODES = 10_000;

/** A page size from a `first` argument: a literal, a variable, or the server's default page. */
function pageSize(node: FieldNode, variables: Record<string, unknown>): number {
  const arg = node.arguments?.find((a) => a.name.value === "first")?.value;
  const value = arg?.kind === Kind.INT ? Number(arg.value) : arg?.kind === Kind.VARIABLE ? variables[arg.name.value] : undefined;
  const n = typeof value === "number" && Number.isFinite(value) ? value : DEFAULT_PAGE;
  return Math.min(Math.max(n, 0), MAX_PAGE);
}

/**
 * The cost of one request: every field selected counts 1, times the page size of each connection (`first`,
 * from a literal or the request's variables; the default page when absent) and LIST_ESTIMATE for each plain
 * list it is selected under. Of fragments on the concrete types of a union or interface, the dearest counts. A
 * fragment's cost is computed once, so fragments spreading each other cannot make the walk exponential;
 * `Infinity` past MAX_COST_NODES selections. Run on documents that passed validation.
 * @example requestCost(schema, parse("{ viewer { id } }"), {}) // 2
 */
export function requestCost(schema: GraphQLSchema, doc: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, number>();
  let nodes = 0;
  const fragmentCost = (name: string, active: Set<string>): number => {
    let c = memo.get(name);
    if (c !== undefined) return c;
    if (active.has(name)) return 0; // a cycle: NoFragmentCycles refuses the document
    const f = fragments.get(name);
    active.add(name);
    c = f ? selectionCost(f.selectionSet, schema.getType(f.typeCondition.name.value), active) : 0;
    active.delete(name);
    memo.set(name, c);
    return c;
  };
  const selectionCost = (set: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined, active: Set<string>): number => {
    if (!set || parent === undefined) return 0;
    let total = 0;
    // Fragments on other types than the parent's are alternatives (one per concrete type of a union or
    // interface): an object is one of them, so the dearest counts, not their sum.
    const alternatives = new Map<string, number>();
    for (const s of set.selections) {
      if (++nodes > MAX_COST_NODES) return Number.POSITIVE_INFINITY;
      if (s.kind === Kind.FIELD) {
        const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[s.name.value] : undefined;
        if (def === undefined) {
          total += 1; // __typename, or a field validation already refused
          continue;
        }
        const child = selectionCost(s.selectionSet, getNamedType(def.type), active);
        // A connection's `edges` are its page, already counted by its `first`.
        const page = parent.name.endsWith("Connection");
        const times = def.args.some((a) => a.name === "first") ? pageSize(s, variables) : isList(def.type) && !page ? LIST_ESTIMATE : 1;
        total += 1 + times * child;
        continue;
      }
      const on = s.kind === Kind.INLINE_FRAGMENT ? s.typeCondition?.name.value : fragments.get(s.name.value)?.typeCondition.name.value;
      const c = s.kind === Kind.INLINE_FRAGMENT ? selectionCost(s.selectionSet, on ? schema.getType(on) : parent, active) : fragmentCost(s.name.value, active);
      if (on === undefined || on === parent.name) total += c;
      else alternatives.set(on, (alternatives.get(on) ?? 0) + c);
    }
    return total + Math.max(0, ...alternatives.values());
  };
  let cost = 0;
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION || (operationName !== undefined && d.name?.value !== operationName)) continue;
    const root = d.operation === "query" ? schema.getQueryType() : d.operation === "mutation" ? schema.getMutationType() : schema.getSubscriptionType();
    cost = Math.max(cost, selectionCost(d.selectionSet, root ?? undefined, new Set()));
  }
  return cost;
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}
