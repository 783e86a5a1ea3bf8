/**
 * Codes of the CLI's own errors (the block TW6200–TW6299): mistakes in what the user typed, set or pointed the CLI
 * at. Each names the input and how to fix it; none is reported as a Tripwire bug.
 */
export const CLI_CODES = {
  TW6200: "a mistake on the command line (unknown command or option, a bad value)",
  TW6201: "a file named on the command line does not exist or cannot be read",
  TW6202: "WANDB_BASE_URL is not a usable base URL",
  TW6203: "the backend needs an API key and WANDB_API_KEY is not set",
  TW6204: "the backend rejected the API key in WANDB_API_KEY",
  TW6205: "the server's seed file is missing, unreadable or invalid",
  TW6206: "the server cannot listen on the port or host it was given",
  TW6207: "GitHub answered with something that is not JSON",
  TW6208: "a definition file exports a Promise",
  TW6209: "a definition file called process.exit while it was loaded",
  TW6210: "loading a definition file did not finish in time",
  TW6211: "tripwire init could not write a file",
} as const;

export type CliCode = keyof typeof CLI_CODES;
