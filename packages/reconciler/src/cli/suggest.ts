import { distance } from "fastest-levenshtein";
import yargs from "yargs";
import type { Command } from "./command.js";

/** The closest of `candidates` to `typed`, when it is close enough to be what was meant. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = distance(typed.toLowerCase(), name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  // A third of the word, at least two edits: "plna" → "plan", "detailed-exitcod" → "detailed-exitcode"; not "x" → "init".
  return best && best.d <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : undefined;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The long and short option names a command accepts (its own, and --help). */
export function optionNames(command: Command | undefined): string[] {
  const y = command ? command.builder(yargs([])) : yargs([]);
  // getOptions() is public in yargs but missing from @types/yargs.
  const options = (y as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  const names = new Set(["help", "h", ...Object.keys(options.key), ...Object.values(options.alias).flat()]);
  const positionals = new Set(command?.command.match(/[[<](\w+)/g)?.map((m) => m.slice(1)) ?? []);
  names.delete("version");
  return [...names].filter((n) => !positionals.has(n));
}

/**
 * yargs' strict mode lists each unknown flag with the camelCase twin its parser made of it ("Unknown arguments:
 * detailed-exitcod, detailedExitcod"); this says what the user typed, once, with the flag they most likely meant.
 */
export function unknownArguments(message: string, argv: readonly string[], commands: readonly Command[]): string | undefined {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return undefined;
  const listed = (m[1] as string).split(", ");
  const name = (c: Command) => c.command.split(" ")[0] as string;
  const command = commands.find((c) => name(c) === argv[0]);
  if (!command && argv[0] !== undefined && !argv[0].startsWith("-")) {
    const guess = closest(argv[0], commands.map(name));
    return `unknown command "${argv[0]}"${guess ? `: did you mean "tripwire ${guess}"?` : ""} (tripwire --help lists the commands)`;
  }
  // The first flag as typed; a camelCase name is a twin when its kebab-case spelling is listed too.
  const typed = listed.find((l) => !(l !== kebab(l) && listed.includes(kebab(l)))) ?? (listed[0] as string);
  const where = command ? `tripwire ${name(command)}` : "tripwire";
  const dashes = (n: string) => (n.length === 1 ? `-${n}` : `--${n}`);
  if (!argv.some((a) => a === dashes(typed) || a.startsWith(`${dashes(typed)}=`) || a === `--no-${typed}`)) {
    return `unexpected argument "${typed}" for ${where} (${where} --help lists what it takes)`;
  }
  const guess = closest(typed, optionNames(command).filter((n) => n.length > 1 && n === kebab(n)));
  return `unknown option ${dashes(typed)} for ${where}${guess ? `: did you mean --${guess}?` : ""} (${where} --help lists the options)`;
}
