/**
 * Runs the tests of a test file against the definitions: builds each test's events with the evaluator's test
 * builders, evaluates, and checks every expectation with the same check as the vitest `toFire` matcher.
 */
import type { TestResult } from "../model/testing.js";
import { isTripwireError } from "@tripwire/sdk";
import type { EngineAutomation, EngineOptions } from "@tripwire/evaluator";
import { artifactEvents, checkFiring, durationMs, evaluate, runStream, type ArtifactStream, type EventInput, type RunStream } from "@tripwire/evaluator/testing";
import type { ArtifactsInput, RunInput, TestCase, TestFileData } from "./file.js";

/** One test's outcome: passed, or the failures (each with the line of the expectation or input at fault). */

function runOf(r: RunInput): RunStream {
  let s = runStream(r.id, {
    ...(r.name !== undefined ? { name: r.name } : {}),
    ...(r.user !== undefined ? { user: r.user } : {}),
    ...(r.project !== undefined ? { project: r.project } : {}),
    ...(r.start !== undefined ? { start: r.start } : {}),
    ...(r.every !== undefined ? { every: r.every } : {}),
    ...(r.firstStep !== undefined ? { firstStep: r.firstStep } : {}),
  });
  const items = r.history ?? [...(r.metrics ? [{ metrics: r.metrics }] : []), ...(r.state ? [{ state: r.state }] : [])];
  for (const item of items) {
    if ("metrics" in item) s = s.metrics(item.metrics);
    else if ("wait" in item) s = s.wait(item.wait);
    else s = s.state(item.state);
  }
  return s;
}

function artifactsOf(a: ArtifactsInput): ArtifactStream {
  let s = artifactEvents({
    collection: a.collection,
    ...(a.project !== undefined ? { project: a.project } : {}),
    ...(a.registry !== undefined ? { registry: a.registry } : {}),
    ...(a.user !== undefined ? { user: a.user } : {}),
    ...(a.start !== undefined ? { start: a.start } : {}),
    ...(a.every !== undefined ? { every: a.every } : {}),
  });
  for (const e of a.events) {
    if ("create" in e) s = s.create(e.create, { ...(e.aliases ? { aliases: e.aliases } : {}), ...(e.tags ? { tags: e.tags } : {}), ...(e.metadata ? { metadata: e.metadata } : {}) });
    else if ("link" in e) s = s.link(e.link, { ...(e.source ? { source: e.source } : {}), ...(e.aliases ? { aliases: e.aliases } : {}), ...(e.tags ? { tags: e.tags } : {}) });
    else if ("unlink" in e) s = s.unlink(e.unlink);
    else if ("addAlias" in e) s = s.addAlias(e.addAlias, e.alias);
    else if ("addTag" in e) s = s.addTag(e.addTag, e.tag);
    else if ("removeTag" in e) s = s.removeTag(e.removeTag, e.tag);
    else if ("addCollectionTag" in e) s = s.addCollectionTag(e.addCollectionTag);
    else if ("removeCollectionTag" in e) s = s.removeCollectionTag(e.removeCollectionTag);
    else s = s.wait(e.wait);
  }
  return s;
}

/** The engine options a test file sets. */
export function engineOptionsOf(data: TestFileData): EngineOptions {
  const o = data.options ?? {};
  return {
    ...(o.partialWindows !== undefined ? { partialWindows: o.partialWindows } : {}),
    ...(o.cooldown !== undefined ? { cooldownMs: durationMs(o.cooldown) } : {}),
    ...(o.runStateCooldown !== undefined ? { runStateCooldown: o.runStateCooldown } : {}),
  };
}

/** Runs one test. `line(path)` gives the line of a value of the file (for failures); `path` is the test's. */
export function runTest(test: TestCase, path: readonly (string | number)[], automations: readonly EngineAutomation[], options: EngineOptions, line: (path: readonly (string | number)[]) => number): TestResult {
  const t0 = performance.now();
  const failures: { line: number; message: string }[] = [];
  const done = () => ({ name: test.name, line: line(path), ok: failures.length === 0, failures, ms: performance.now() - t0 });
  // Inputs are built one by one so a mistake points at its own entry.
  const inputs: EventInput[] = [];
  const build = <T>(what: readonly (string | number)[], make: () => T): T | undefined => {
    try {
      return make();
    } catch (error) {
      if (!isTripwireError(error)) throw error;
      failures.push({ line: line(what), message: error.message });
      return undefined;
    }
  };
  test.runs.forEach((r, i) => {
    const s = build([...path, "runs", i], () => runOf(r));
    if (s) inputs.push(s);
  });
  test.artifacts.forEach((a, i) => {
    const s = build([...path, "artifacts", i], () => artifactsOf(a));
    if (s) inputs.push(s);
  });
  if (failures.length > 0) return done();
  const result = build([...path, "runs"], () => evaluate(automations, inputs, options));
  if (!result) return done();
  test.expect.forEach((e, i) => {
    const where = [...path, "expect", i];
    const { automation, fires, ...query } = e;
    const check = build(where, () => checkFiring(result, automation, query));
    if (check && check.fired !== fires) failures.push({ line: line(where), message: fires ? check.message.fire : check.message.notFire });
  });
  return done();
}
