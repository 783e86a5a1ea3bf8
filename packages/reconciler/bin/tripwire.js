#!/usr/bin/env node
// The tripwire CLI runs its compiled JavaScript (dist/, built by `npm run build`; in this repository `npm ci` builds
// through the root `prepare` script). Only the user's definition files are transpiled, by the loader, at run time.
let cli;
try {
  cli = await import("../dist/cli/main.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/cli/main.js")) throw error;
  process.stderr.write("tripwire: this copy of @tripwire/reconciler is not built (no dist/): run `npm run build` in the repository\n");
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
