// vitest's global setup: brings dist/ up to date (tsc -b is incremental: nothing to do when it is current) before any
// test runs, so the tests that start the CLI or the server as a process run what the sources say, without a manual
// build. Tests themselves import the sources (the "@tripwire/source" condition in vitest.config.ts).
import { build } from "./packed.js";

export function setup(): void {
  build();
}
