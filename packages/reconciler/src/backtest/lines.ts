/**
 * Lines of a history file, read in chunks: memory is one chunk plus the longest line, whatever the file's size.
 * The backtest and its benchmark's parse-only baseline both read through here, so the benchmark's ratio measures
 * only what the backtest adds to parsing.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

const CHUNK = 1 << 20;

/** A history file as a byte stream; `.gz` files are decompressed on the fly. */
export function openHistory(file: string): Readable {
  const raw = createReadStream(file, { highWaterMark: CHUNK });
  return file.endsWith(".gz") ? raw.pipe(createGunzip({ chunkSize: CHUNK })) : raw;
}

/**
 * Calls `onLine(text, lineNumber)` for every line (numbered from 1; a trailing `\r` is kept — JSON.parse treats
 * it as whitespace — and a final line without a newline counts). Returns the number of lines.
 * Lines are cut at the byte `\n`, which never occurs inside a multi-byte UTF-8 character, so each chunk decodes
 * on its own.
 */
export async function forEachLine(input: Readable, onLine: (line: string, n: number) => void): Promise<number> {
  let n = 0;
  let rest: Buffer | undefined;
  for await (const piece of input) {
    const chunk: Buffer = rest === undefined ? (piece as Buffer) : Buffer.concat([rest, piece as Buffer]);
    const end = chunk.lastIndexOf(10);
    if (end < 0) {
      rest = chunk;
      continue;
    }
    const text = chunk.toString("utf8", 0, end);
    rest = end + 1 < chunk.length ? chunk.subarray(end + 1) : undefined;
    let from = 0;
    for (;;) {
      const nl = text.indexOf("\n", from);
      if (nl < 0) {
        onLine(text.slice(from), ++n);
        break;
      }
      onLine(text.slice(from, nl), ++n);
      from = nl + 1;
    }
  }
  if (rest !== undefined && rest.length > 0) onLine(rest.toString("utf8"), ++n);
  return n;
}
