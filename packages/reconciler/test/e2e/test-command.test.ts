import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeProject, REPO } from "../project.js";
import { runCli } from "./cli.js";

const alerts = `import { automation, project, metric, onRunMetric, onRunState, onAddArtifactAlias, registry, alias, doNothing, runName } from "@tripwire/sdk";
const llm = project("acme/llm");
export const spike = automation("loss-spike").in(llm).on(onRunMetric(metric("loss").mean(3).gt(0.6)).where(runName.contains("sweep-"))).do(doNothing());
export const failed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());
export const deploy = automation("deploy").in(registry("acme/model").collection("llm-7b")).on(onAddArtifactAlias(alias.eq("production"))).do(doNothing());
`;

const passing = `tests:
  - name: a spike on a sweep run
    runs:
      - id: r1
        name: sweep-1
        metrics:
          loss: "0.5 0.7 0.9x3"
        state: failed
    expect:
      - { automation: loss-spike, run: r1, atStep: 2, times: 1 }
      - { automation: run-failed, run: sweep-1 }
  - name: promotion deploys
    artifacts:
      - registry: acme/model
        collection: llm-7b
        events:
          - link: 2
            source: acme/llm/ckpt:v5
          - addAlias: 2
            alias: staging
          - addAlias: 2
            alias: production
    expect:
      - { automation: deploy, version: 2, alias: production }
      - { automation: deploy, alias: staging, fires: false }
`;

const failing = `{
  "tests": [
    {
      "name": "debug runs never page",
      "runs": [{ "id": "r2", "name": "sweep-2", "metrics": { "loss": [0.9, 0.9, 0.9] } }],
      "expect": [
        { "automation": "loss-spike", "fires": false },
        { "automation": "loss-spike", "atStep": 7 }
      ]
    }
  ]
}
`;

const tw = (dir: string, ...args: string[]) => runCli([...args, "--no-typecheck"], { cwd: dir });

describe("tripwire test", () => {
  it("passes: exit 0, each test listed; finds *.test.yaml files under the working directory", async () => {
    const dir = makeProject({ "automations/alerts.ts": alerts, "tests/alerts.test.yaml": passing });
    const r = await tw(dir, "test");
    expect(r.stdout).toBe("tests/alerts.test.yaml\n  ✓ a spike on a sweep run\n  ✓ promotion deploys\n\nTests: 2 passed (2 in 1 file)\n");
    expect(r.code).toBe(0);
  }, 60_000);

  it("fails: exit 1, each failure at its line with what fired instead; a JUnit report", async () => {
    const dir = makeProject({ "automations/alerts.ts": alerts, "tests/alerts.test.yaml": passing, "tests/debug.test.json": failing });
    const r = await tw(dir, "test", "tests", "--junit", "junit.xml");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        "tests/alerts.test.yaml",
        "  ✓ a spike on a sweep run",
        "  ✓ promotion deploys",
        "",
        "tests/debug.test.json",
        "  ✗ debug runs never page",
        '      tests/debug.test.json:7 expected "loss-spike" not to fire, but it fired 1 time:',
        "        - loss-spike on run sweep-2 (r2) at step 2, 2026-01-01T00:02:00.000Z: Run sweep-2 in acme/llm: mean(loss, 3) = 0.9 (mean(loss, 3) > 0.6)",
        '      tests/debug.test.json:8 expected "loss-spike" at step 7 to fire, but it did not; it fired 1 time in all:',
        "        - loss-spike on run sweep-2 (r2) at step 2, 2026-01-01T00:02:00.000Z: Run sweep-2 in acme/llm: mean(loss, 3) = 0.9 (mean(loss, 3) > 0.6)",
        "",
        "Tests: 1 failed, 2 passed (3 in 2 files)",
        "",
      ].join("\n"),
    );
    expect(r.stderr).toBe("Wrote the JUnit report to junit.xml.\n");
    const xml = readFileSync(join(dir, "junit.xml"), "utf8");
    expect(xml.replace(/time="[\d.]+"/g, 'time="T"').replace(/timestamp="[^"]+"/g, 'timestamp="TS"')).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="tripwire test" tests="3" failures="1" errors="0" time="T">',
        '  <testsuite name="tests/alerts.test.yaml" tests="2" failures="0" errors="0" time="T" timestamp="TS">',
        '    <testcase name="a spike on a sweep run" classname="tests/alerts.test.yaml" time="T" file="tests/alerts.test.yaml" line="2"/>',
        '    <testcase name="promotion deploys" classname="tests/alerts.test.yaml" time="T" file="tests/alerts.test.yaml" line="12"/>',
        "  </testsuite>",
        '  <testsuite name="tests/debug.test.json" tests="1" failures="1" errors="0" time="T" timestamp="TS">',
        '    <testcase name="debug runs never page" classname="tests/debug.test.json" time="T" file="tests/debug.test.json" line="3">',
        '      <failure message="expected &quot;loss-spike&quot; not to fire, but it fired 1 time:" type="AssertionError">tests/debug.test.json:7: expected &quot;loss-spike&quot; not to fire, but it fired 1 time:',
        "  - loss-spike on run sweep-2 (r2) at step 2, 2026-01-01T00:02:00.000Z: Run sweep-2 in acme/llm: mean(loss, 3) = 0.9 (mean(loss, 3) &gt; 0.6)",
        "",
        "tests/debug.test.json:8: expected &quot;loss-spike&quot; at step 7 to fire, but it did not; it fired 1 time in all:",
        "  - loss-spike on run sweep-2 (r2) at step 2, 2026-01-01T00:02:00.000Z: Run sweep-2 in acme/llm: mean(loss, 3) = 0.9 (mean(loss, 3) &gt; 0.6)</failure>",
        "    </testcase>",
        "  </testsuite>",
        "</testsuites>",
        "",
      ].join("\n"),
    );
  }, 60_000);

  it("mistakes in a test file are diagnostics at their line; an unknown automation fails its test", async () => {
    const bad = `tests:
  - name: typo
    runs:
      - id: r1
        metrics: { loss: "0.5 abc" }
    expect:
      - { automation: loss-spike }
  - name: unknown automation
    expect:
      - automation: los-spike
        fires: false
`;
    const invalid = `tests:
  - name: x
    runs:
      - id: r1
        metrix: {}
    expect: []
`;
    const dir = makeProject({ "automations/alerts.ts": alerts, "a.test.yaml": bad, "b.test.yaml": invalid });
    const r = await tw(dir, "test", "--junit", "j.xml");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        "a.test.yaml",
        "  ✗ typo",
        '      a.test.yaml:4 TW2020: series: "abc" is not a value (write a number, NaN, Inf, _ for not logged, a×N or a+b×N)',
        "  ✗ unknown automation",
        '      a.test.yaml:10 TW2023: no automation named "los-spike" was evaluated (there are: deploy, run-failed, loss-spike)',
        "",
        "b.test.yaml",
        '  b.test.yaml:4:9 - error TW7002 (formerly TW5002): tests[0].runs[0]: Unrecognized key: "metrix"',
        "  b.test.yaml:6:13 - error TW7002 (formerly TW5002): tests[0].expect: list at least one expectation",
        "",
        "Tests: 2 failed, 1 file with errors (2 in 2 files)",
        "",
      ].join("\n"),
    );
    expect(readFileSync(join(dir, "j.xml"), "utf8")).toContain('<error message="tests[0].runs[0]: Unrecognized key: &quot;metrix&quot;" type="TestFileError">b.test.yaml:4:9 - error TW7002 (formerly TW5002)');
  }, 60_000);

  it("a test file names its definitions; invalid definitions exit 3; no test files exit 1", async () => {
    const dir = makeProject({ "defs/alerts.ts": alerts, "checks/alerts.test.yaml": `automations: ../defs\n${passing}`, "broken/x.ts": alerts.replace("mean(3)", "mean(0)"), "broken/x.test.yaml": `automations: x.ts\n${passing}` });
    expect((await tw(dir, "test", "checks")).code).toBe(0);
    const broken = await tw(dir, "test", "broken");
    expect(broken.code).toBe(3);
    expect(broken.stdout).toMatch(/^broken\/x\.test\.yaml\n {2}broken\/x\.ts:3:\d+ - error TW\d+: /);
    const none = await tw(dir, "test", "defs");
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("error TW7001 (formerly TW5001): no test files (*.test.yaml, *.test.yml, *.test.json) in defs\n\nFound 1 error.\n");
  }, 60_000);

  it("the documented example under examples/ passes", async () => {
    const r = await runCli(["test", "examples", "--no-typecheck"], { cwd: REPO });
    expect(r.stdout.split("\n").slice(-2)).toEqual(["Tests: 4 passed (4 in 1 file)", ""]);
    expect(r.code).toBe(0);
  }, 60_000);
});
