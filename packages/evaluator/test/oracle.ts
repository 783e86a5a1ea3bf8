/**
 * The naive reference for property tests: every window recomputed from the run's full history on every value,
 * written as directly as possible from spec §D. Filters and scope containment reuse the evaluator's functions
 * (they are table-tested on their own); everything about windows, aggregates, change, z-score, run-state
 * transitions, alias holders and the per-run limit is computed here independently.
 */
import { automationIdOf, type EngineOptions, type Firing, type TripwireEvent } from "../src/index.js";
import { compileFilter } from "../src/filter.js";
import { artifactLocation, projectLocation, scopeContains } from "../src/scope.js";
import type { AutomationSpec, EventType } from "@tripwire/sdk";

const DAY = 86_400_000;

/** Left-to-right sum over the count, clamped into [min, max] (the documented AVERAGE). */
function mean(vals: number[]): number {
  const m = vals.reduce((a, b) => a + b, 0) / vals.length;
  return Math.min(Math.max(m, Math.min(...vals)), Math.max(...vals));
}
function agg(kind: "mean" | "min" | "max" | null, vals: number[]): number {
  if (kind === null) return vals[vals.length - 1] as number;
  if (kind === "mean") return mean(vals);
  return kind === "min" ? Math.min(...vals) : Math.max(...vals);
}

export function oracle(specs: readonly AutomationSpec[], events: readonly TripwireEvent[], options: EngineOptions = {}): Firing[] {
  const cooldown = options.cooldownMs ?? DAY;
  const partial = options.partialWindows ?? false;
  const zo = options.zscoreWindow === "preceding" ? 1 : 0;
  const sample = options.zscoreStd === "sample";
  const history = new Map<string, { lastStep: number; values: number[] }>();
  const lastFired = new Map<string, number>();
  const states = new Map<string, string>();
  const holders = new Map<string, number>();
  const out: Firing[] = [];
  const autos = specs.map((spec) => ({ spec, id: automationIdOf(spec), filter: compileFilter("runFilter" in spec.event ? spec.event.runFilter : "filter" in spec.event ? (spec.event.filter as never) : undefined) }));
  const allowed = (key: string, now: number) => {
    const last = lastFired.get(key);
    return last === undefined || now - last >= cooldown;
  };
  for (const event of events) {
    const now = Date.parse(event.timestamp);
    if (event.type === "run.metric") {
      const runKey = `${event.entity}/${event.project}/${event.run.id}`;
      const loc = projectLocation(event.entity, event.project, options.orgOf);
      const fields = { runName: [event.run.name], runUser: [event.run.user] };
      const accepted = new Map<string, number[]>();
      for (const [metric, raw] of Object.entries(event.metrics)) {
        if (typeof raw !== "number" || !Number.isFinite(raw)) continue;
        const h = history.get(`${runKey}|${metric}`) ?? { lastStep: -Infinity, values: [] };
        history.set(`${runKey}|${metric}`, h);
        if (!(event.step > h.lastStep)) continue;
        h.lastStep = event.step;
        h.values.push(raw);
        accepted.set(metric, h.values);
      }
      // The firings of one event come in automation order.
      {
        for (const a of autos) {
          const e = a.spec.event;
          if (!a.spec.enabled || !("metric" in e)) continue;
          const metric = e.metric;
          const v = accepted.get(metric);
          if (v === undefined) continue;
          const raw = v[v.length - 1] as number;
          const n = v.length;
          if (!scopeContains(a.spec.scope, loc, undefined) || !a.filter(fields)) continue;
          let explanation: Firing["explanation"] | undefined;
          if (e.type === "runMetricThreshold") {
            const w = e.agg === null ? 1 : e.window;
            if (n < (partial ? 1 : w)) continue;
            const values = v.slice(Math.max(0, n - w));
            const x = agg(e.agg, values);
            const ok = { gt: x > e.threshold, gte: x >= e.threshold, lt: x < e.threshold, lte: x <= e.threshold, eq: x === e.threshold, ne: x !== e.threshold }[e.cmp];
            if (ok) explanation = { kind: "threshold", metric, agg: e.agg, window: w, values, value: x, cmp: e.cmp, threshold: e.threshold };
          } else if (e.type === "runMetricChange") {
            const c = e.agg === null ? 1 : e.window;
            const p = e.agg === null ? 1 : e.priorWindow;
            if (n < (partial ? c + 1 : c + p)) continue;
            const currentValues = v.slice(n - c);
            const priorValues = v.slice(Math.max(0, n - c - p), n - c);
            const current = agg(e.agg, currentValues);
            const prior = agg(e.agg, priorValues);
            const delta = e.change === "absolute" ? current - prior : prior === 0 ? NaN : (current - prior) / Math.abs(prior);
            const ok = e.direction === "increase" ? delta >= e.amount : e.direction === "decrease" ? delta <= -e.amount : Math.abs(delta) >= e.amount;
            if (ok) explanation = { kind: "change", metric, agg: e.agg, window: c, priorWindow: p, currentValues, priorValues, current, prior, change: e.change, delta, direction: e.direction, amount: e.amount };
          } else {
            const w = e.window;
            if (w < 2 || n - zo < (partial ? 2 : w)) continue;
            const values = v.slice(Math.max(0, n - zo - w), n - zo);
            const mu = mean(values);
            const ss = values.reduce((s, x) => s + (x - mu) * (x - mu), 0);
            const std = Math.sqrt(ss / (sample ? values.length - 1 : values.length));
            const z = std === 0 ? NaN : (raw - mu) / std;
            const ok = e.direction === "increase" ? z >= e.threshold : e.direction === "decrease" ? z <= -e.threshold : Math.abs(z) >= e.threshold;
            if (ok) {
              explanation = { kind: "zscore", metric, window: w, windowValues: zo === 1 ? "preceding" : "including-latest", values, latest: raw, mean: mu, std, stdKind: sample ? "sample" : "population", zscore: z, direction: e.direction, threshold: e.threshold };
            }
          }
          if (explanation === undefined) continue;
          const key = `${a.id}|${runKey}`;
          if (!allowed(key, now)) continue;
          lastFired.set(key, now);
          out.push({ automationId: a.id, automation: a.spec.name, scope: a.spec.scope, eventType: e.type, at: event.timestamp, event, run: { ...event.run }, step: event.step, explanation });
        }
      }
    } else if (event.type === "run.state") {
      const runKey = `${event.entity}/${event.project}/${event.run.id}`;
      const before = states.get(runKey) ?? null;
      states.set(runKey, event.state);
      const eff = (s: string | null) => (s === "crashed" ? "failed" : s === "killed" ? "killed" : s);
      const to = eff(event.state);
      if (to === "killed" || (before !== null && eff(before) === to)) continue;
      const loc = projectLocation(event.entity, event.project, options.orgOf);
      for (const a of autos) {
        const e = a.spec.event;
        if (!a.spec.enabled || e.type !== "runState" || !scopeContains(a.spec.scope, loc, undefined)) continue;
        if (!(e.states as string[]).includes(to as string) || !a.filter({ runName: [event.run.name], runUser: [event.run.user] })) continue;
        const key = `${a.id}|${runKey}`;
        if (options.runStateCooldown ?? true) {
          if (!allowed(key, now)) continue;
          lastFired.set(key, now);
        }
        out.push({ automationId: a.id, automation: a.spec.name, scope: a.spec.scope, eventType: "runState", at: event.timestamp, event, run: { ...event.run }, explanation: { kind: "runState", from: before as never, to: event.state, matched: to as never, states: [...e.states] } });
      }
    } else {
      const loc = artifactLocation(event, options.orgOf);
      const hkey = `${loc.registry ? "registry" : "project"}:${loc.entity}/${loc.name}/${event.collection}`;
      const fire = (type: EventType, field: "alias" | "tag", values: string[], extra: { alias?: string; tag?: string; previousHolder?: number | null }) => {
        for (const a of autos) {
          const s = a.spec;
          if (!s.enabled || s.event.type !== type) continue;
          const cf = s.scope.type === "collections" ? compileFilter(s.scope.filter) : undefined;
          if (!scopeContains(s.scope, loc, event.collection, cf) || !a.filter({ [field]: values })) continue;
          const artifact: NonNullable<Firing["artifact"]> = { entity: event.entity, collection: event.collection };
          if (loc.registry) artifact.registry = loc.name;
          else artifact.project = loc.name;
          if ("version" in event) artifact.version = event.version;
          if (extra.alias !== undefined) artifact.alias = extra.alias;
          if (extra.tag !== undefined) artifact.tag = extra.tag;
          const explanation = { kind: "artifact" as const, event: event.type, field, values, ...("previousHolder" in extra ? { previousHolder: extra.previousHolder ?? null } : {}) };
          out.push({ automationId: a.id, automation: s.name, scope: s.scope, eventType: type, at: event.timestamp, event, artifact, explanation });
        }
      };
      const addAliases = (list: readonly string[], version: number) => {
        for (const alias of list) {
          const prev = holders.get(`${hkey}|${alias}`);
          if (prev === version) continue;
          holders.set(`${hkey}|${alias}`, version);
          fire("addArtifactAlias", "alias", [alias], { alias, previousHolder: prev ?? null });
        }
      };
      switch (event.type) {
        case "artifact.created":
        case "artifact.linked":
          fire(event.type === "artifact.created" ? "createArtifact" : "linkArtifact", "alias", [...(event.aliases ?? [])], {});
          addAliases(event.aliases ?? [], event.version);
          break;
        case "artifact.unlinked":
          fire("unlinkArtifact", "alias", [...(event.aliases ?? [])], {});
          for (const [k, ver] of holders) if (k.startsWith(`${hkey}|`) && ver === event.version) holders.delete(k);
          break;
        case "artifact.alias_added":
          addAliases([event.alias ?? ""], event.version);
          break;
        case "artifact.tag_added":
        case "artifact.tag_removed":
          fire(event.type === "artifact.tag_added" ? "addArtifactTag" : "removeArtifactTag", "tag", [event.tag ?? ""], { tag: event.tag ?? "" });
          break;
        case "collection.tag_added":
        case "collection.tag_removed":
          fire(event.type === "collection.tag_added" ? "addCollectionTag" : "removeCollectionTag", "tag", [event.tag], { tag: event.tag });
          break;
      }
    }
  }
  return out;
}
