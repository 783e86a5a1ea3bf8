import { gqlError } from "../errors.js";
import { fromCursor, toCursor } from "../ids.js";
import type { Page, PageArgs } from "../store/types.js";

/** Page size when `first` is not given (W&B's SDK asks for 50), and the largest page served. */
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 1000;

/** Relay `first`/`after` → a store page request; bad values are user errors. */
export function pageArgs(first: number | null | undefined, after: string | null | undefined): PageArgs {
  const limit = first ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 0) throw gqlError("BAD_USER_INPUT", `first must be a non-negative integer, got ${String(first)}`);
  const from = fromCursor(after);
  if (from === undefined) throw gqlError("BAD_USER_INPUT", `after: "${String(after)}" is not a cursor this server issued`);
  return { after: from, limit: Math.min(limit, MAX_PAGE) };
}

/** A Relay connection over a store page; rows are ordered by ID, which is also the cursor. */
export function connection<T, N>(page: Page<T>, id: (row: T) => number, node: (row: T) => N, extra: Record<string, unknown> = {}) {
  const edges = page.items.map((row) => ({ node: node(row), cursor: toCursor(id(row)) }));
  return {
    ...extra,
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasNextPage: page.hasNextPage,
      hasPreviousPage: false,
    },
  };
}

/** A connection over an in-memory list ordered by ID (for lists computed rather than queried). */
export function pageOf<T>(rows: readonly T[], id: (row: T) => number, args: PageArgs): Page<T> {
  const after = rows.filter((r) => id(r) > args.after);
  return { items: after.slice(0, args.limit), hasNextPage: after.length > args.limit };
}
