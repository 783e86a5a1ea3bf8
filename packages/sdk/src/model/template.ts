/**
 * Payload template variables W&B substitutes in a webhook's `${…}` placeholders (spec §E.2).
 * `artifact_metadata.<KEY>` reads a top-level metadata key; any other name is a team secret
 * (`${ACCESS_TOKEN}` is the webhook's access-token secret).
 * @example TEMPLATE_VARIABLES.includes("artifact_version_string") // true
 */
export const TEMPLATE_VARIABLES = [
  "automation_name",
  "event_type",
  "event_author",
  "entity_name",
  "project_name",
  "alias",
  "tag",
  "artifact_collection_name",
  "artifact_version",
  "artifact_version_string",
  "artifact_version_index",
  "run_name",
  "run_status",
  "metric_name",
  "metric_values",
  "metric_filter",
  "metric_filter_short",
  "metric_current_status",
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/**
 * Prefix of `${artifact_metadata.<KEY>}` placeholders.
 * @example "${" + METADATA_PREFIX + "num_rows}"
 */
export const METADATA_PREFIX = "artifact_metadata.";

/**
 * Matches one `${name}` placeholder; group 1 is the name.
 * @example "${alias} ${tag}".replace(PLACEHOLDER, (_, name) => values[name] ?? "")
 */
export const PLACEHOLDER = /\$\{([^{}]*)\}/g;

/**
 * Every placeholder name in a text, in order of appearance.
 * @example placeholders('{"v": "${alias}"}') // ["alias"]
 */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "");
}

/**
 * What a placeholder refers to: a W&B variable, a metadata key, or a secret (by name).
 * @example classifyPlaceholder("ACCESS_TOKEN") // { kind: "secret", name: "ACCESS_TOKEN" }
 */
export function classifyPlaceholder(
  name: string,
): { kind: "variable"; name: TemplateVariable } | { kind: "metadata"; key: string } | { kind: "secret"; name: string } {
  if ((TEMPLATE_VARIABLES as readonly string[]).includes(name)) return { kind: "variable", name: name as TemplateVariable };
  if (name.startsWith(METADATA_PREFIX)) return { kind: "metadata", key: name.slice(METADATA_PREFIX.length) };
  return { kind: "secret", name };
}

/**
 * Secret names use letters, digits and underscores (W&B team secrets).
 * @example SECRET_NAME.test("GITHUB_TOKEN") // true
 */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
