/** Splits text chunks (or whole lines) into lines, whatever the chunking: `\n` and `\r\n` end a line. */
export async function* linesOf(input: AsyncIterable<string> | Iterable<string>): AsyncIterable<string> {
  let rest = "";
  for await (const chunk of input) {
    const text = rest + chunk;
    const parts = text.split("\n");
    rest = parts.pop() ?? "";
    for (const p of parts) yield p.endsWith("\r") ? p.slice(0, -1) : p;
  }
  if (rest !== "") yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}
