/**
 * The run registry: every run the engine has seen, by (entity, project, run ID), as a dense index; the
 * locations (projects) runs live in, with what of the automations their scope contains; and the look-up of an
 * event's run, which on the hot path is one weak-map read and one check of the run's row (`Plans.runRows`).
 */
import type { EventRunState, RunRef } from "../events/index.js";
import { projectLocation, type Location, type OrgOf } from "../scope.js";
import { CHANNEL_SEP, type Compilation } from "./compile.js";
import type { Plan, Plans } from "./plans.js";

export interface RunInfo {
  readonly index: number;
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  name: string;
  user: string;
  ref: RunRef | undefined;
  readonly loc: LocInfo;
  state: EventRunState | null;
  readonly plans: (Plan[] | undefined)[];
}

export interface LocInfo {
  readonly loc: Location;
  /** Per channel: positions (in the channel's automation list) of those whose scope contains this location. */
  readonly channelAutos: (Int32Array | undefined)[];
  runStateAutos: number[] | undefined;
}

export class RunRegistry {
  readonly runs: RunInfo[] = [];
  private readonly runIndex = new Map<string, Map<string, Map<string, RunInfo>>>();
  /** Run reference objects already seen → run index (a server passing the same objects skips the maps above). */
  private readonly runByRef = new WeakMap<RunRef, number>();
  private readonly locs = new Map<string, LocInfo>();
  /** `plans.runRows` and its stride (stable: read on every point). */
  private readonly runRows: (RunRef | string | number)[];
  private readonly rowStride: number;

  constructor(
    private readonly c: Compilation,
    private readonly plans: Plans,
    private readonly orgOf: OrgOf | undefined,
  ) {
    this.runRows = plans.runRows;
    this.rowStride = plans.rowStride;
  }

  private locInfo(entity: string, project: string): LocInfo {
    const key = `${entity}${CHANNEL_SEP}${project}`;
    let info = this.locs.get(key);
    if (info === undefined) {
      info = { loc: projectLocation(entity, project, this.orgOf), channelAutos: [], runStateAutos: undefined };
      this.locs.set(key, info);
    }
    return info;
  }

  /** The index of an event's run (the hot path: one look-up and one row when the reference object is known). */
  runIndexOf(entity: string, project: string, ref: RunRef): number {
    const i = this.runByRef.get(ref);
    if (i !== undefined) {
      const row = this.runRows;
      const b = i * this.rowStride;
      if (row[b] === ref && row[b + 1] === ref.id && row[b + 2] === entity && row[b + 3] === project) return i;
    }
    return this.runFor(entity, project, ref).index;
  }

  runFor(entity: string, project: string, ref: RunRef): RunInfo {
    const i = this.runByRef.get(ref);
    const cached = i === undefined ? undefined : this.runs[i];
    if (cached !== undefined && cached.id === ref.id && cached.entity === entity && cached.project === project) {
      if (cached.ref !== ref) this.touch(cached, ref);
      return cached;
    }
    let byProject = this.runIndex.get(entity);
    if (byProject === undefined) this.runIndex.set(entity, (byProject = new Map()));
    let byId = byProject.get(project);
    if (byId === undefined) byProject.set(project, (byId = new Map()));
    let run = byId.get(ref.id);
    if (run === undefined) {
      run = { index: this.runs.length, entity, project, id: ref.id, name: ref.name, user: ref.user, ref, loc: this.locInfo(entity, project), state: null, plans: [] };
      this.runs.push(run);
      const rows = this.runRows;
      rows.push(ref, ref.id, entity, project);
      for (let c = 0; c < this.c.channels.length; c++) rows.push(-1, -1);
      byId.set(ref.id, run);
    } else if (run.ref !== ref) {
      this.touch(run, ref);
    }
    this.runByRef.set(ref, run.index);
    return run;
  }

  /** A run seen through a new reference object: its display name or user may have changed (run filters). */
  private touch(run: RunInfo, ref: RunRef): void {
    run.ref = ref;
    this.runRows[run.index * this.rowStride] = ref;
    if (run.name === ref.name && run.user === ref.user) return;
    run.name = ref.name;
    run.user = ref.user;
    this.plans.refilter(run);
  }
}
