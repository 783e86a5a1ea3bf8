import type { Backend } from "../model/backend.js";

/**
 * The entity to use when none is named and `WANDB_ENTITY` is unset: the API key's user's default entity
 * (`viewer.entity`), as the `wandb` client defaults to it. Undefined when the backend has none for this key.
 */
export async function defaultEntity(backend: Pick<Backend, "client">): Promise<string | undefined> {
  const viewer = await backend.client.viewer();
  return viewer?.entity ?? undefined;
}
