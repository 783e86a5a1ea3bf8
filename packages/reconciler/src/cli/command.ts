import type { Argv } from "yargs";
import type { Io } from "./io.js";

/**
 * One `tripwire` command: its yargs definition and a handler returning the exit code. Each lives in its own file
 * (cli/<command>.ts) and main.ts only lists them.
 */
export interface Command {
  readonly command: string;
  readonly describe: string;
  // yargs' builder types are too intricate to carry through a list; each file types its own builder.
  readonly builder: (y: Argv) => Argv<any>;
  /** Checks across the parsed options (yargs has validated each): throws a UsageError for a mistake. */
  readonly check?: (args: any) => void;
  readonly run: (args: any, io: Io) => Promise<number>;
}

/** Options shared by the commands that load definitions. */
export const definitionOptions = <T>(y: Argv<T>) =>
  y
    .positional("paths", { type: "string", array: true, default: [] as string[], describe: "definition files or folders (default: the config's automations, else automations/)" })
    .option("config", { alias: "c", type: "string", describe: "config file (default: tripwire.config.ts in the working directory)" })
    .option("json", { type: "boolean", default: false, describe: "print one JSON document on stdout (human text goes to stderr)" })
    .option("typecheck", { type: "boolean", default: true, describe: "type-check definition files with TypeScript (--no-typecheck to skip)" });

/** Options shared by the commands that talk to the live backend. */
export const liveOptions = <T>(y: Argv<T>) =>
  y
    .option("color", { type: "boolean", describe: "colour output (default: when the stream is a terminal and NO_COLOR is unset)" })
    .option("parallelism", { type: "number", describe: "concurrent requests to the backend (default 8)" });

/** A mistake on the command line: printed with the help, exit 1. */
export class UsageError extends Error {}
