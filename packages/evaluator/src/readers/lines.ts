/**
 * The lines of a text given as lines (e.g. from `node:readline`) or as whole texts: each item is split on `\n`
 * (a trailing `\r` is dropped), and items never join. Raw stream chunks must go through `node:readline` first.
 */
export async function* linesOf(input: AsyncIterable<string> | Iterable<string>): AsyncIterable<string> {
  for await (const item of input) {
    const parts = item.split("\n");
    if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
    for (const p of parts) yield p.endsWith("\r") ? p.slice(0, -1) : p;
  }
}
