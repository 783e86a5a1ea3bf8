import { pick } from "../model/codes.js";

/**
 * Codes of the CLI's own errors (the block TW6200–TW6299): mistakes in what the user typed, set or pointed the CLI
 * at. Each names the input and how to fix it; none is reported as a Tripwire bug.
 */
export const CLI_CODES = pick("TW6200", "TW6201", "TW6202", "TW6203", "TW6204", "TW6205", "TW6206", "TW6207", "TW6208", "TW6209", "TW6210", "TW6211");

export type CliCode = keyof typeof CLI_CODES;
