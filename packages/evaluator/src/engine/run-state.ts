/**
 * Run-state automations (§D): a run entering a watched state fires the automations whose scope contains the
 * run's project and whose run filter matches, at most once per automation and run within the per-run limit
 * (unless `runStateCooldown` is off). Crashed counts as failed; killed never fires; a repeated state does not.
 */
import type { RunState } from "@tripwire/sdk";
import { cooldownAllows } from "../cooldown.js";
import type { EventRunState, RunStateEvent } from "../events/index.js";
import { scopeContains } from "../scope.js";
import type { Clock } from "./clock.js";
import type { Compilation, Compiled } from "./compile.js";
import { runFields } from "./plans.js";
import type { RunRegistry } from "./runs.js";
import type { Firing } from "./types.js";

/** The state a run-state automation sees: crashed counts as failed; killed never fires. */
function effectiveState(state: EventRunState): RunState | undefined {
  if (state === "crashed") return "failed";
  if (state === "killed") return undefined;
  return state;
}

export class RunStatePath {
  /** `${automation index}:${run index}` → the automation's last firing time for the run. */
  readonly stateCooldowns = new Map<string, number>();

  constructor(
    private readonly c: Compilation,
    private readonly registry: RunRegistry,
    private readonly clock: Clock,
  ) {}

  push(event: RunStateEvent): Firing[] {
    const run = this.registry.runFor(event.entity, event.project, event.run);
    const now = this.clock.now(event.timestamp);
    const from = run.state;
    run.state = event.state;
    const to = effectiveState(event.state);
    if (to === undefined || (from !== null && effectiveState(from) === to)) return [];
    const loc = run.loc;
    loc.runStateAutos ??= this.c.runStateAutos.filter((a) => scopeContains((this.c.autos[a] as Compiled).spec.scope, loc.loc, undefined));
    const fields = runFields(run);
    const out: Firing[] = [];
    for (const ai of loc.runStateAutos) {
      const a = this.c.autos[ai] as Compiled;
      const e = a.spec.event;
      if (e.type !== "runState" || !e.states.includes(to) || !a.filter(fields)) continue;
      const key = `${ai}:${run.index}`;
      if (this.c.runStateLimit) {
        if (!cooldownAllows(this.stateCooldowns.get(key) ?? NaN, now, this.c.period)) continue;
        this.stateCooldowns.set(key, now);
      }
      out.push({
        automationId: a.id,
        automation: a.spec.name,
        scope: a.spec.scope,
        eventType: "runState",
        at: event.timestamp,
        event,
        run: { id: run.id, name: run.name, user: run.user },
        explanation: { kind: "runState", from, to: event.state, matched: to, states: [...e.states] },
      });
    }
    return out;
  }
}
