/**
 * The server's own codes: one object literal, so a code written twice does not compile. A refused GraphQL request
 * carries one in `extensions.tripwireCode`. Definition problems use the SDK's `ISSUE_CODES`; the reconciler's block
 * (`TW6xxx` for its CLI) skips TW6300–TW6399, and test/codes.test.ts keeps every registry disjoint.
 */
export const SERVER_CODES = {
  TW6300: "the request body exceeds the server's limit",
  TW6301: "the GraphQL query is longer than the server's limit",
  TW6302: "the GraphQL query has more tokens than the server's limit",
  TW6303: "the GraphQL query nests deeper than the server's limit",
  TW6304: "the GraphQL query has more aliases than the server's limit",
  TW6305: "the GraphQL query costs more than the server's limit",
} as const satisfies Record<string, string>;

export type ServerCode = keyof typeof SERVER_CODES;
