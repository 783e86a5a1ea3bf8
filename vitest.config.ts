import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Tests import the packages' sources through the "@tripwire/source" export condition (no build needed to run
// them); the CLI child processes they start run the built bin, as a user's would.
const conditions = ["@tripwire/source", ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
