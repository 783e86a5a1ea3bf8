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

/** V8's stack API, typed locally so the SDK needs no Node.js type definitions. */
interface V8ErrorConstructor {
  stackTraceLimit?: number;
  captureStackTrace?: (target: object, constructorOpt?: (...args: never[]) => unknown) => void;
}

function firstUserFrame(stack: string): SourceLocation | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = stripFileUrl(m[1] ?? "");
    if (file.startsWith(SDK_ROOT) || file.includes("/node_modules/") || file.startsWith("node:")) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** A source location computed on first use (and remembered). */
export type LazySource = () => SourceLocation | undefined;

/**
 * Where the user called the builder: the first stack frame outside the SDK and outside Node's internals
 * and module loaders. Used for diagnostics that point at `file:line:col`.
 *
 * V8 records a captured stack cheaply but formats it — running source maps for every frame — only when `.stack` is
 * first read. So the stack is captured here and read only when the location is asked for: a file of ten thousand
 * definitions pays for the few that end up in a diagnostic or a plan. `entry`, the SDK function the user called, and
 * the frames above it are left out.
 */
export function captureSource(entry?: (...args: never[]) => unknown): LazySource {
  const V8Error = Error as V8ErrorConstructor;
  const previous = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 12;
  const holder: { stack?: string | undefined } = {};
  if (entry && V8Error.captureStackTrace) V8Error.captureStackTrace(holder, entry);
  else holder.stack = new Error().stack;
  if (previous !== undefined) V8Error.stackTraceLimit = previous;
  let located: { value: SourceLocation | undefined } | undefined;
  return () => (located ??= { value: firstUserFrame(holder.stack ?? "") }).value;
}
