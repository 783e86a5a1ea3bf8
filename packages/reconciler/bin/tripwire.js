#!/usr/bin/env node
// The tripwire CLI. TypeScript runs from source through tsx's loader (a dependency), so the CLI and the
// definitions it loads need no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
