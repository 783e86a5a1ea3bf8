/**
 * The metric series a backtest report plots (`tripwire backtest --html`): per run, its watched metrics over steps,
 * kept to at most `maxPoints` points by decimation (every point until the run has that many, then every 2nd, 4th, …),
 * so memory is bounded by runs × metrics × `maxPoints` whatever the history's size.
 */
import type { BacktestSeries, RunSeries } from "../model/backtest.js";

export class SeriesCollector implements BacktestSeries {
  readonly runs = new Map<string, RunSeries>();

  constructor(
    readonly metrics: readonly string[],
    private readonly maxPoints = 1000,
  ) {}

  /** Row `i` of the sink's batch columns, for the run. */
  add(run: { entity: string; project: string; id: string; name: string }, step: number, time: number, cols: readonly Float64Array[], i: number): void {
    const key = `${run.entity}/${run.project}/${run.id}`;
    let s = this.runs.get(key);
    if (s === undefined) {
      s = { entity: run.entity, project: run.project, id: run.id, name: run.name, stride: 1, seen: 0, steps: [], times: [], values: this.metrics.map(() => []) };
      this.runs.set(key, s);
    }
    s.name = run.name;
    if (s.seen++ % s.stride !== 0) return;
    s.steps.push(step);
    s.times.push(time);
    for (let m = 0; m < this.metrics.length; m++) (s.values[m] as number[]).push((cols[m] as Float64Array)[i] as number);
    if (s.steps.length > this.maxPoints) {
      const keep = (a: number[]) => {
        let k = 0;
        for (let j = 0; j < a.length; j += 2) a[k++] = a[j] as number;
        a.length = k;
      };
      keep(s.steps);
      keep(s.times);
      for (const v of s.values) keep(v);
      s.stride *= 2;
    }
  }
}
