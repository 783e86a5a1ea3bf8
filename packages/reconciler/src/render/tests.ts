/** `tripwire test` results: for a terminal, and as a JUnit XML report for CI. */
import type { TestFileResult } from "../model/testing.js";
import { formatDiagnostic } from "../model/diagnostics.js";
import { COLOR, PLAIN } from "./format.js";

function counts(results: readonly TestFileResult[]) {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  for (const r of results) {
    if (r.diagnostics.some((d) => d.severity === "error")) errors++;
    for (const t of r.tests) t.ok ? passed++ : failed++;
  }
  return { passed, failed, errors };
}

/**
 * Each file, each test (✓ / ✗), each failure at its line with what fired instead; then the totals.
 * @example io.stdout.write(renderTestResults(outcome.results));
 */
export function renderTestResults(results: readonly TestFileResult[], options: { color?: boolean } = {}): string {
  const st = options.color ? COLOR : PLAIN;
  const out: string[] = [];
  for (const r of results) {
    out.push(st.bold(r.file));
    for (const d of r.diagnostics) out.push(`  ${d.severity === "error" ? st.remove(formatDiagnostic(d)) : st.change(formatDiagnostic(d))}`);
    for (const t of r.tests) {
      out.push(`  ${t.ok ? st.add("✓") : st.remove("✗")} ${t.name}`);
      for (const f of t.failures) {
        const [first, ...rest] = f.message.split("\n");
        out.push(`      ${st.dim(`${r.file}:${f.line}`)} ${first}`, ...rest.map((l) => `      ${l}`));
      }
    }
    out.push("");
  }
  const c = counts(results);
  const parts = [c.failed > 0 ? st.remove(`${c.failed} failed`) : "", c.passed > 0 ? st.add(`${c.passed} passed`) : "", c.errors > 0 ? st.remove(`${c.errors} ${c.errors === 1 ? "file" : "files"} with errors`) : ""].filter((p) => p !== "");
  out.push(`Tests: ${parts.join(", ") || "none"} (${c.passed + c.failed} in ${results.length} ${results.length === 1 ? "file" : "files"})`);
  return `${out.join("\n")}\n`;
}

const xml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // characters XML 1.0 cannot hold at all
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * A JUnit XML report (the format CI systems read): one `<testsuite>` per file, one `<testcase>` per test, a
 * `<failure>` with the messages of a failed test, an `<error>` for a file that could not be run.
 * @example writeFileSync("tripwire-junit.xml", renderJunit(outcome.results, new Date()));
 */
export function renderJunit(results: readonly TestFileResult[], now: Date): string {
  const c = counts(results);
  const total = results.reduce((ms, r) => ms + r.tests.reduce((x, t) => x + t.ms, 0), 0);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="tripwire test" tests="${c.passed + c.failed + c.errors}" failures="${c.failed}" errors="${c.errors}" time="${seconds(total)}">`];
  for (const r of results) {
    const failed = r.tests.filter((t) => !t.ok).length;
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    const time = r.tests.reduce((x, t) => x + t.ms, 0);
    out.push(`  <testsuite name="${xml(r.file)}" tests="${r.tests.length + (errors.length > 0 ? 1 : 0)}" failures="${failed}" errors="${errors.length > 0 ? 1 : 0}" time="${seconds(time)}" timestamp="${now.toISOString().slice(0, 19)}">`);
    if (errors.length > 0) {
      const text = errors.map(formatDiagnostic).join("\n");
      out.push(`    <testcase name="${xml(r.file)}" classname="${xml(r.file)}" time="0.000">`, `      <error message="${xml(errors[0]?.message ?? "")}" type="TestFileError">${xml(text)}</error>`, "    </testcase>");
    }
    for (const t of r.tests) {
      const head = `<testcase name="${xml(t.name)}" classname="${xml(r.file)}" time="${seconds(t.ms)}" file="${xml(r.file)}" line="${t.line}"`;
      if (t.ok) {
        out.push(`    ${head}/>`);
        continue;
      }
      const text = t.failures.map((f) => `${r.file}:${f.line}: ${f.message}`).join("\n\n");
      out.push(`    ${head}>`, `      <failure message="${xml(t.failures[0]?.message.split("\n")[0] ?? "")}" type="AssertionError">${xml(text)}</failure>`, "    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
