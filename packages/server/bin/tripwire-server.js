#!/usr/bin/env node
// Runs the server's compiled JavaScript (dist/, built by `npm run build`; in this repository `npm ci` builds it).
let cli;
try {
  cli = await import("../dist/cli.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/cli.js")) throw error;
  process.stderr.write("tripwire-server: this copy of @tripwire/server is not built (no dist/): run `npm run build` in the repository\n");
  process.exit(1);
}
cli.runServerCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", msg: "failed to start", error: String(e?.message ?? e) })}\n`);
    process.exit(1);
  },
);
