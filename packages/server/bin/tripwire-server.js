#!/usr/bin/env node
// Runs the server from its TypeScript source through tsx (no build step yet).
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
