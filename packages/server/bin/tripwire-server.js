#!/usr/bin/env node
// Runs the server from its TypeScript source through tsx (no build step yet).
import { register } from "tsx/esm/api";

register();
const { runServerCli } = await import("../src/cli.ts");
runServerCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", msg: "failed to start", error: String(e?.message ?? e) })}\n`);
    process.exit(1);
  },
);
