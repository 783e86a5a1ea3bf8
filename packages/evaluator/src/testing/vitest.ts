/**
 * `import "@tripwire/evaluator/vitest"` in a test file (or a vitest `setupFiles` entry) registers `toFire` with
 * vitest's `expect`, with its types. The only module of the evaluator that imports a test framework: vitest is an
 * optional peer dependency, needed only by the test files that import this entry.
 */
import { expect } from "vitest";
import { tripwireMatchers, type FiringQuery } from "./evaluate.js";

expect.extend(tripwireMatchers);

declare module "vitest" {
  interface Matchers<T = any> {
    /**
     * The automation (by name) fired for the evaluation, as queried: on a run (ID or name), at a step, at a time,
     * for an artifact's collection / version / alias / tag, `times` exactly. `.not.toFire(…)`: it did not.
     */
    toFire(automation: string, query?: FiringQuery): T;
  }
}
