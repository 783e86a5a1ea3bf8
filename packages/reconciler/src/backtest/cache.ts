/**
 * The history cache: fetched run history in `.tripwire/history/<entity>/<project>/<run>.twh`, one file per run,
 * columnar (steps, times, then one column per metric, little-endian float64), with the listing fields it was fetched
 * at. A run whose listing still says the same (`lastStep`, `historyLineCount`) needs no history request; one that
 * grew is read again from the window its cached history ended in. A run's system metrics (its `events` stream) are
 * cached the same way in `<entity>/<project>/system/<run>.twh`, keyed by `eventsLineCount`, with whether the backend
 * sampled them. A collection's artifact versions are kept as JSON in `<entity>/<project>/artifacts/<type>/<collection>.json`
 * with the listing's cursor after the last one (backtest/artifacts.ts reads on from it). A CI cache (actions/cache) can restore the folder.
 *
 * Layout: `TWH1`, a uint32 header length, the header (JSON), the columns.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LiveArtifactVersion } from "./artifacts.js";
import type { HistoryColumns } from "./runs.js";

const MAGIC = "TWH1";

export interface CachedRun {
  /** The listing fields the history was read at (`lastStep`, `historyLineCount`; for system metrics `eventsLineCount`, `sampled`). */
  readonly run: Readonly<Record<string, number | boolean>>;
  /** Metrics held, in column order. */
  readonly metrics: readonly string[];
  readonly columns: HistoryColumns;
}

/** Where a run's history (or its system metrics: `stream` "system") is cached. */
export function cachePath(dir: string, entity: string, project: string, run: string, stream: "history" | "system" = "history"): string {
  const file = `${encodeURIComponent(run)}.twh`;
  return stream === "history" ? join(dir, encodeURIComponent(entity), encodeURIComponent(project), file) : join(dir, encodeURIComponent(entity), encodeURIComponent(project), stream, file);
}

/** The cached history of a run, or undefined (none, or unreadable: it is then fetched again). */
export function readCached(path: string): CachedRun | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return undefined;
  }
  if (buf.length < 8 || buf.toString("latin1", 0, 4) !== MAGIC) return undefined;
  const headerLength = buf.readUInt32LE(4);
  let header: { run: CachedRun["run"]; metrics: string[]; rows: number };
  try {
    header = JSON.parse(buf.toString("utf8", 8, 8 + headerLength)) as typeof header;
  } catch {
    return undefined;
  }
  const n = header.rows;
  const start = 8 + headerLength;
  const need = start + 8 * n * (2 + header.metrics.length);
  if (!Number.isInteger(n) || n < 0 || buf.length !== need) return undefined;
  // Copied out: the file's buffer need not be 8-byte aligned.
  const all = new Float64Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + need));
  const col = (k: number) => all.subarray(k * n, (k + 1) * n);
  return {
    run: header.run,
    metrics: header.metrics,
    columns: { steps: col(0), times: col(1), values: Object.fromEntries(header.metrics.map((m, k) => [m, col(k + 2)])) },
  };
}

/** Writes a run's history (to a temporary file first, so an interrupted write leaves the old one). */
export function writeCached(path: string, run: Readonly<Record<string, number | boolean>>, metrics: readonly string[], columns: HistoryColumns): void {
  const n = columns.steps.length;
  const header = Buffer.from(JSON.stringify({ run, metrics, rows: n }), "utf8");
  const data = new Float64Array(n * (2 + metrics.length));
  data.set(columns.steps, 0);
  data.set(columns.times, n);
  metrics.forEach((m, k) => data.set(columns.values[m] ?? new Array<number>(n).fill(Number.NaN), (k + 2) * n));
  const head = Buffer.alloc(8);
  head.write(MAGIC, 0, "latin1");
  head.writeUInt32LE(header.length, 4);
  writeWhole(path, Buffer.concat([head, header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

/** Writes a file through a temporary one, so an interrupted write leaves the old file. */
function writeWhole(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The rows of `columns` with a step below `step` (the part of a cached history kept when the rest is read again). */
export function rowsBefore(columns: HistoryColumns, step: number): { steps: number[]; times: number[]; values: Record<string, number[]> } {
  let n = 0;
  while (n < columns.steps.length && (columns.steps[n] as number) < step) n++;
  const head = (v: ArrayLike<number>) => Array.from({ length: n }, (_, i) => v[i] as number);
  return {
    steps: head(columns.steps),
    times: head(columns.times),
    values: Object.fromEntries(Object.entries(columns.values).map(([m, v]) => [m, head(v)])),
  };
}

/** The cached versions of a collection and the cursor after the last of them. */
export interface CachedVersions {
  readonly endCursor: string;
  readonly versions: LiveArtifactVersion[];
}

/** Where a collection's artifact versions are cached. */
export function artifactCachePath(dir: string, entity: string, project: string, type: string, collection: string): string {
  return join(dir, encodeURIComponent(entity), encodeURIComponent(project), "artifacts", encodeURIComponent(type), `${encodeURIComponent(collection)}.json`);
}

/** The cached versions of a collection, or undefined (none, or unreadable: they are then listed again). */
export function readCachedVersions(path: string): CachedVersions | undefined {
  try {
    const json = JSON.parse(readFileSync(path, "utf8")) as Partial<CachedVersions> & { format?: unknown };
    if (json.format !== MAGIC || typeof json.endCursor !== "string" || !Array.isArray(json.versions)) return undefined;
    return { endCursor: json.endCursor, versions: json.versions };
  } catch {
    return undefined;
  }
}

/** Writes a collection's versions (to a temporary file first, as the run cache). */
export function writeCachedVersions(path: string, cached: CachedVersions): void {
  writeWhole(path, JSON.stringify({ format: MAGIC, ...cached }));
}
