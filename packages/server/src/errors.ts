import { GraphQLError } from "graphql";

/**
 * Error codes the server puts in `errors[].extensions.code`, and the HTTP status each one answers with.
 * W&B's Python SDK reads the status: 409 on create means "automation exists", 404 on update "not found".
 */
export const ERROR_STATUS = {
  BAD_USER_INPUT: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL_SERVER_ERROR: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** A user-facing GraphQL error with a code (and so an HTTP status). */
export function gqlError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/** Raised by the store when a unique rule is broken (duplicate automation name in a scope, …). */
export class ConflictError extends Error {
  readonly code = "CONFLICT";
}
