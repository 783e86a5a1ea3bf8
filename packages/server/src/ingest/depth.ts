/** How deep JSON may nest in an event or a filter (an object or array is one level). */
export const MAX_JSON_DEPTH = 32;

/**
 * The path to the first value nested deeper than `max` levels, or undefined when none is. Walks with its own
 * stack, so a hostile depth cannot overflow the call stack the way the schema validators' recursion does. With
 * `nestedJson`, strings holding JSON objects or arrays (W&B's `run_filter` is one) are walked too, continuing the
 * depth count.
 */
export function tooDeep(value: unknown, max = MAX_JSON_DEPTH, nestedJson = false): (string | number)[] | undefined {
  const stack: { v: unknown; path: (string | number)[]; depth: number }[] = [{ v: value, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop() as (typeof stack)[number];
    let node = v;
    if (nestedJson && typeof v === "string" && /^\s*[[{]/.test(v)) {
      try {
        node = JSON.parse(v) as unknown;
      } catch {
        continue;
      }
    }
    if (node === null || typeof node !== "object") continue;
    if (depth + 1 > max) return path;
    if (Array.isArray(node)) node.forEach((c, i) => stack.push({ v: c, path: [...path, i], depth: depth + 1 }));
    else for (const [k, c] of Object.entries(node)) stack.push({ v: c, path: [...path, k], depth: depth + 1 });
  }
  return undefined;
}
