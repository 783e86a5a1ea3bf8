import { describe, expect, it } from "vitest";
import { automation, doNothing, metric, onRunMetric, onRunState, project, runName, sendWebhook, toSpec, webhook, type AutomationSpec } from "@tripwire/sdk";
import { computePlan } from "../src/plan/plan.js";
import type { Plan } from "../src/model/plan.js";
import { definitionHash, definitionHashLike, markDescription, readMarker } from "../src/model/ownership.js";
import { backend, desired, live, read } from "./helpers.js";

const llm = project("acme/llm");
const failed = automation("run-failed").in(llm).on(onRunState(["failed"])).do(doNothing());
const spike = automation("loss-spike").in(llm).on(onRunMetric(metric("loss").mean(5).gt(0.6))).do(doNothing());
const plan = (d: Parameters<typeof desired>[0][], l: ReturnType<typeof live>[]): Plan =>
  computePlan({ owner: "default", desired: d.map((x) => desired(x)), live: l, backend, fingerprint: "f", read });
const ops = (p: Plan) => p.operations.map((o) => `${o.op} ${o.address}${o.op === "update" ? ` (${o.reason})` : ""}${o.op === "rename" ? ` from ${o.from}` : ""}`);

describe("ownership marker", () => {
  it("round-trips the user's description, the hash and protect", () => {
    const spec = toSpec(failed.describe("Page on failure").protect());
    const text = markDescription(spec, "ml-platform");
    expect(text).toBe(`Page on failure\n\n[managed by Tripwire · tw1 owner=ml-platform hash=${definitionHash(spec)} protect]`);
    expect(readMarker(text)).toEqual({ description: "Page on failure", ownership: { owner: "ml-platform", hash: definitionHash(spec), protect: true } });
    expect(readMarker(markDescription(toSpec(failed), "default"))).toEqual({ ownership: { owner: "default", hash: definitionHash(toSpec(failed)), protect: false } });
    expect(readMarker("hand written")).toEqual({ description: "hand written" });
    expect(readMarker(null)).toEqual({});
  });
  it("a definition's hash found by comparing it with one already hashed is its own hash", () => {
    const hook = (payload: unknown) =>
      toSpec(automation("hook").in(llm).on(onRunState(["failed"])).do(sendWebhook(webhook("deploy"), { payload: payload as never })));
    const pairs: [AutomationSpec, AutomationSpec][] = [
      [toSpec(failed), toSpec(failed)],
      [toSpec(failed.movedFrom("old").protect()), toSpec(failed)],
      [toSpec(failed.enabled(false)), toSpec(failed)],
      [hook({ a: 1, b: [1, 2] }), hook({ b: [1, 2], a: 1 })],
      [hook({ a: 1, b: [1, 2] }), hook({ a: 1, b: [2, 1] })],
      [hook({ a: NaN }), hook({ a: null })],
      [hook({ a: -0 }), hook({ a: 0 })],
      [hook({ 10: "x", 9: "y" }), hook({ 9: "y", 10: "x" })],
      [toSpec(spike), toSpec(failed)],
    ];
    for (const [spec, known] of pairs) {
      const fresh = structuredClone(spec);
      expect(definitionHashLike(fresh, structuredClone(known))).toBe(definitionHash(structuredClone(spec)));
      expect(definitionHash(fresh)).toBe(definitionHash(structuredClone(spec)));
    }
  });
  it("the hash ignores rename and protect instructions but not what W&B stores", () => {
    expect(definitionHash(toSpec(failed.movedFrom("x").protect()))).toBe(definitionHash(toSpec(failed)));
    expect(definitionHash(toSpec(failed.enabled(false)))).not.toBe(definitionHash(toSpec(failed)));
  });
});

describe("computePlan", () => {
  it("creates what is missing, in address order", () => {
    const p = plan([spike, failed], []);
    expect(ops(p)).toEqual(["create project:acme/llm/loss-spike", "create project:acme/llm/run-failed"]);
    expect(p.summary).toEqual({ add: 2, change: 0, rename: 0, destroy: 0 });
  });

  it("an unchanged definition never shows a diff", () => {
    const p = plan([failed, spike], [live(failed), live(spike)]);
    expect(p.operations).toEqual([]);
    expect(p.drift).toEqual([]);
  });

  it("a change in code is an update with exactly the changed fields", () => {
    const p = plan([spike.describe("now described")], [live(spike)]);
    expect(ops(p)).toEqual(["update project:acme/llm/loss-spike (code)"]);
    const op = p.operations[0];
    expect(op?.op === "update" && op.changes).toEqual([{ path: "description", before: "", after: "now described" }]);
  });

  it("a hand edit in W&B is drift: shown apart, and the update restores the code", () => {
    const edited = spike.enabled(false);
    const p = plan([spike], [live(edited, { appliedAs: toSpec(spike) })]);
    expect(ops(p)).toEqual(["update project:acme/llm/loss-spike (drift)"]);
    expect(p.drift).toEqual([
      { address: "project:acme/llm/loss-spike", id: p.operations[0]?.op === "update" ? p.operations[0].id : "", name: "loss-spike", changes: [{ path: "enabled", before: false, after: true }], conflict: false },
    ]);
  });

  it("changed in code and by hand: a conflict, the code wins", () => {
    const p = plan([spike.describe("new")], [live(spike.enabled(false), { appliedAs: toSpec(spike) })]);
    expect(ops(p)).toEqual(["update project:acme/llm/loss-spike (conflict)"]);
    expect(p.drift[0]?.conflict).toBe(true);
  });

  it("a hand edit that matches the code only refreshes the marker; so does toggling protect", () => {
    const p = plan([spike.enabled(false)], [live(spike.enabled(false), { appliedAs: toSpec(spike) })]);
    expect(ops(p)).toEqual(["update project:acme/llm/loss-spike (ownership)"]);
    const q = plan([spike.protect()], [live(spike)]);
    expect(ops(q)).toEqual(["update project:acme/llm/loss-spike (ownership)"]);
  });

  it("never touches automations it does not manage; a name clash with one is a diagnostic", () => {
    const p = plan([failed], [live(failed, { managed: false }), live(spike, { managed: false })]);
    expect(p.operations).toEqual([]);
    expect(p.unmanaged.map((u) => u.address)).toEqual(["project:acme/llm/loss-spike"]);
    expect(p.diagnostics.map((d) => `${d.code} ${d.subject}`)).toEqual(["TW3001 run-failed"]);
  });

  it("another configuration's automations (another owner) are listed, never changed or deleted; a name clash is a diagnostic", () => {
    const p = plan([failed], [live(failed, { owner: "team-b" }), live(spike, { owner: "team-b" })]);
    expect(p.operations).toEqual([]);
    expect(p.unmanaged.map((u) => `${u.address} ${u.owner}`)).toEqual(["project:acme/llm/loss-spike team-b"]);
    expect(p.diagnostics.map((d) => d.code)).toEqual(["TW3005"]);
  });

  it("deletes managed automations no longer in code; protected ones are refused", () => {
    const p = plan([], [live(failed), live(spike.protect())]);
    expect(ops(p)).toEqual(["delete project:acme/llm/run-failed"]);
    expect(p.summary.destroy).toBe(1);
    expect(p.diagnostics.map((d) => d.code)).toEqual(["TW3003"]);
  });

  it("renames declared with movedFrom keep the live ID; chains run in order; cycles are refused", () => {
    const old = live(failed, { id: "T1" });
    const p = plan([automation("run-failed-v2").in(llm).on(onRunState(["failed"])).do(doNothing()).movedFrom("run-failed")], [old]);
    expect(ops(p)).toEqual(["rename project:acme/llm/run-failed-v2 from run-failed"]);
    const op = p.operations[0];
    expect(op?.op === "rename" && [op.id, op.changes]).toEqual(["T1", [{ path: "name", before: "run-failed", after: "run-failed-v2" }]]);

    const a = automation("a").in(llm).on(onRunState(["failed"])).do(doNothing());
    const b = automation("b").in(llm).on(onRunState(["failed"])).do(doNothing());
    const chain = plan([b.movedFrom("a"), automation("c").in(llm).on(onRunState(["failed"])).do(doNothing()).movedFrom("b")], [live(a), live(b)]);
    expect(ops(chain)).toEqual(["rename project:acme/llm/c from b", "rename project:acme/llm/b from a"]);

    const swap = plan([automation("a").in(llm).on(onRunState(["failed"])).do(doNothing()).movedFrom("b"), b.movedFrom("a")], [live(a), live(b)]);
    expect(swap.operations.filter((o) => o.op === "rename")).toEqual([]);
    expect(swap.diagnostics.map((d) => d.code)).toEqual(["TW3004"]);
  });

  it("orders renames, deletes, updates, creates and never mutates its inputs", () => {
    const frozen = <T>(v: T): T => JSON.parse(JSON.stringify(v), (_k, x) => (typeof x === "object" && x !== null ? Object.freeze(x) : x)) as T;
    const input = frozen({
      owner: "default",
      desired: [desired(failed.describe("x")), desired(spike), desired(automation("n").in(llm).on(onRunState(["running"])).do(doNothing()).movedFrom("gone"))],
      live: [live(failed), live(automation("gone").in(llm).on(onRunState(["running"])).do(doNothing())), live(automation("old").in(llm).on(onRunState(["running"])).do(doNothing()))],
      backend,
      fingerprint: "f",
      read,
    });
    const p = computePlan(input);
    expect(ops(p)).toEqual([
      "rename project:acme/llm/n from gone",
      "delete project:acme/llm/old",
      "update project:acme/llm/run-failed (code)",
      "create project:acme/llm/loss-spike",
    ]);
  });

  it("payload and filter changes are whole values", () => {
    const hook = (v: string) => automation("h").in(llm).on(onRunState(["failed"]).where(runName.eq(v))).do(sendWebhook(webhook("ci"), { payload: { v } }));
    const p = plan([hook("b")], [live(hook("a"))]);
    const op = p.operations[0];
    expect(op?.op === "update" && op.changes).toEqual([
      { path: "event.runFilter", before: 'runName = "a"', after: 'runName = "b"' },
      { path: "action.payload", before: { v: "a" }, after: { v: "b" } },
    ]);
  });
});
