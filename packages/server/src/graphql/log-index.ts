import type { TripwireEvent } from "@tripwire/evaluator";
import { parseBody } from "../ingest/parse.js";
import type { Store } from "../store/types.js";

/**
 * An index that follows the server's event log: `refresh()` reads the batches appended since its last call and hands
 * each event to `add`. The live-backtest queries (runs and their history, artifact versions) answer from one each.
 */
export abstract class EventLogIndex {
  lastBatch = 0;
  private readonly projects = new Map<string, number>();

  constructor(protected readonly store: Store) {}

  /** Reads the batches appended since the last call. */
  refresh(): void {
    if (this.store.lastBatchId() <= this.lastBatch) return;
    for (const batch of this.store.batchesAfter(this.lastBatch)) {
      this.lastBatch = batch.id;
      const parsed = parseBody(batch.body);
      if (!parsed.ok) throw new Error(`internal: event batch ${batch.id} in the log does not parse: ${parsed.issues[0]?.message}`);
      for (const e of parsed.events) this.add(e);
    }
  }

  protected abstract add(e: TripwireEvent): void;

  /** A project's id by its entity's and its own name. Only found ones are remembered: ingestion creates projects later. */
  protected projectId(entity: string, project: string): number | undefined {
    const key = `${entity}\u0000${project}`;
    const known = this.projects.get(key);
    if (known !== undefined) return known;
    const e = this.store.entityByName(entity);
    const id = e ? this.store.projectByName(e.id, project)?.id : undefined;
    if (id !== undefined) this.projects.set(key, id);
    return id;
  }
}

/**
 * One index of a kind per store, brought up to date with the log: `const indexOf = perStore((s) => new RunIndex(s))`
 * then `indexOf(store)` wherever a query answers from it.
 */
export function perStore<T extends EventLogIndex>(make: (store: Store) => T): (store: Store) => T {
  const indexes = new WeakMap<Store, T>();
  return (store) => {
    let index = indexes.get(store);
    if (index === undefined) indexes.set(store, (index = make(store)));
    index.refresh();
    return index;
  };
}
