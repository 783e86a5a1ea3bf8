import { availableParallelism } from "node:os";
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Tests import the packages' sources through the "@tripwire/source" export condition; the CLI child processes they
// start run the built bin, as a user's would, which the global setup rebuilds first when a source changed.
const conditions = ["@tripwire/source", ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/build.global.ts"],
    testTimeout: 30_000,
    maxWorkers: availableParallelism(),
    isolate: false,
  },
});
