import type { SourceLocation } from "../model/automation.js";

/** Freezes a plain-data value and everything inside it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** `T` with every key that may hold `undefined` made optional instead. */
export type Compact<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drops keys whose value is `undefined`, so specs never hold explicit undefineds. */
export function compact<T extends object>(value: T): Compact<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as Compact<T>;
}

const FRAME = /\(?((?:file:\/\/|\/|[A-Za-z]:[\\/])[^()]*?):(\d+):(\d+)\)?\s*$/;
// The SDK's own folder (src/ when run from source; the bundle's folder when bundled): frames there are skipped.
const SDK_ROOT = stripFileUrl(new URL("../", import.meta.url).href);

function stripFileUrl(path: string): string {
  return path.startsWith("file://") ? decodeURIComponent(path.slice("file://".length)) : path;
}

/**
 * Where the user called the builder: the first stack frame outside the SDK and outside Node's internals
 * and module loaders. Used for diagnostics that point at `file:line:col`.
 */
export function captureSource(): SourceLocation | undefined {
  // V8's Error.stackTraceLimit, typed locally so the SDK needs no Node.js type definitions.
  const V8Error = Error as { stackTraceLimit?: number };
  const previous = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? "";
  if (previous !== undefined) V8Error.stackTraceLimit = previous;
  for (const line of stack.split("\n").slice(1)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = stripFileUrl(m[1] ?? "");
    if (file.startsWith(SDK_ROOT) || file.includes("/node_modules/") || file.startsWith("node:")) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
