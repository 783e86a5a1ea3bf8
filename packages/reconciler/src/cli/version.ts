import { createRequire } from "node:module";
import type { Command } from "./command.js";
import type { Io } from "./io.js";

/** This package's version, from its package.json (`src/cli/`, and the bundle's `dist/cli/` and `dist/chunks/`, sit two levels below it). */
export const VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

/** `tripwire version` (and `tripwire --version`): the CLI's version on stdout. */
export async function versionCommand(io: Io): Promise<number> {
  io.stdout.write(`${VERSION}\n`);
  return 0;
}

export const versionCmd: Command = {
  command: "version",
  describe: "print the version of tripwire",
  builder: (y) => y,
  run: (_a, io) => versionCommand(io),
};
