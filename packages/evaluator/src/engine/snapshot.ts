/**
 * Snapshots: the engine's state as plain data (`EngineSnapshot`) and back. A snapshot holds the automations'
 * fingerprints and epochs, the runs, each (run, metric, epoch) series' retained values, the last firing times
 * and the alias holders; loading keeps the windows of the channels that still exist and the cooldowns of the
 * automations whose definition is unchanged (see `restoreEngine`).
 */
import type { ArtifactPath } from "./artifacts.js";
import { CHANNEL_SEP, type Compilation, type Compiled } from "./compile.js";
import type { Plans } from "./plans.js";
import type { RunStatePath } from "./run-state.js";
import type { RunRegistry } from "./runs.js";
import type { EngineSnapshot } from "./types.js";

/** The parts of an engine that hold state. */
export interface EngineState {
  readonly c: Compilation;
  readonly registry: RunRegistry;
  readonly plans: Plans;
  readonly runStates: RunStatePath;
  readonly artifacts: ArtifactPath;
}

export function snapshotOf({ c, registry, runStates, artifacts }: EngineState): EngineSnapshot {
  const automations = c.autos.filter((a) => a.family !== "none").map((a) => ({ id: a.id, fingerprint: a.fingerprint, epoch: a.epoch }));
  const runs = registry.runs.map((r) => ({ entity: r.entity, project: r.project, id: r.id, name: r.name, user: r.user, state: r.state }));
  const series: EngineSnapshot["series"] = [];
  const cooldowns: EngineSnapshot["cooldowns"] = [];
  for (const run of registry.runs) {
    for (const plans of run.plans) {
      if (plans === undefined) continue;
      for (const plan of plans) {
        const ch = plan.ch;
        const [metric, epoch] = (c.channelKeys[plan.channel] as string).split(CHANNEL_SEP) as [string, string];
        if (ch.count(plan.slot) > 0) {
          series.push({ run: run.index, metric, epoch: Number(epoch), count: ch.count(plan.slot), lastStep: ch.lastStep(plan.slot), values: ch.retained(plan.slot) });
        }
        plan.autos.forEach((ai, j) => {
          const at = ch.d[ch.cooldownIndex(plan.slot, plan.local[j] as number)] as number;
          if (!Number.isNaN(at)) cooldowns.push({ automation: (c.autos[ai] as Compiled).id, run: run.index, at });
        });
      }
    }
  }
  for (const [key, at] of runStates.stateCooldowns) {
    const [ai, ri] = key.split(":").map(Number) as [number, number];
    cooldowns.push({ automation: (c.autos[ai] as Compiled).id, run: ri, at });
  }
  const aliases: EngineSnapshot["aliases"] = [];
  for (const [key, holders] of artifacts.aliasHolders) for (const [alias, version] of holders) aliases.push({ key, alias, version });
  return { version: 1, epoch: c.epoch, automations, runs, series, cooldowns, aliases };
}

/** Loads a snapshot's state into a fresh engine's parts; see `restoreEngine`. */
export function loadSnapshot({ c, registry, plans, runStates, artifacts }: EngineState, snapshot: EngineSnapshot): void {
  const runs = snapshot.runs.map((r) => {
    const run = registry.runFor(r.entity, r.project, { id: r.id, name: r.name, user: r.user });
    run.state = r.state;
    return run;
  });
  const kept = new Map(c.autos.filter((a) => a.family !== "none").map((a) => [a.id, a]));
  for (const s of snapshot.series) {
    const run = runs[s.run];
    const m = c.metricIds.get(s.metric);
    if (run === undefined || m === undefined) continue;
    const channel = c.channelKeys.indexOf(`${s.metric}${CHANNEL_SEP}${s.epoch}`);
    if (channel < 0) continue;
    const plan = (run.plans[m] ?? plans.plansFor(run, m)).find((p) => p.channel === channel);
    if (plan === undefined) continue;
    plan.ch.restore(plan.slot, s.values, s.count, s.lastStep);
  }
  const previous = new Map(snapshot.automations.map((a) => [a.id, a]));
  for (const cd of snapshot.cooldowns) {
    const a = kept.get(cd.automation);
    const run = runs[cd.run];
    const before = previous.get(cd.automation);
    if (a === undefined || run === undefined || before === undefined || before.fingerprint !== a.fingerprint) continue;
    if (a.family === "runState") {
      runStates.stateCooldowns.set(`${a.index}:${run.index}`, cd.at);
    } else if (a.family === "metric") {
      const m = c.metricIds.get(a.metric) as number;
      const plan = (run.plans[m] ?? plans.plansFor(run, m)).find((p) => p.channel === a.channel);
      const j = plan ? plan.autos.indexOf(a.index) : -1;
      if (plan && j >= 0) plan.ch.d[plan.ch.cooldownIndex(plan.slot, plan.local[j] as number)] = cd.at;
    }
  }
  for (const { key, alias, version } of snapshot.aliases) {
    let holders = artifacts.aliasHolders.get(key);
    if (holders === undefined) artifacts.aliasHolders.set(key, (holders = new Map()));
    holders.set(alias, version);
  }
}
