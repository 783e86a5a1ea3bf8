import { randomUUID } from "node:crypto";
import {
  createEngine,
  renderPayload,
  restoreEngine,
  type Engine,
  type EngineAutomation,
  type EngineOptions,
  type EngineSnapshot,
  type Firing,
  type TripwireEvent,
} from "@tripwire/evaluator";
import type { WebhookActionSpec } from "@tripwire/sdk";
import { toGlobalId } from "../ids.js";
import { parseBody } from "../ingest/parse.js";
import type { Logger } from "../log.js";
import { decodeTrigger } from "../scope.js";
import type { ExecutionRecord, NewExecution, Store, TriggerRecord, TriggerVersion, UserRecord } from "../store/types.js";
import { Catalog, IngestForbidden, type EventPlace } from "./catalog.js";
import type { Dispatcher } from "./dispatcher.js";

export interface RuntimeOptions {
  /** Evaluator options (`orgOf` comes from the store). */
  readonly engine?: Omit<EngineOptions, "orgOf">;
  /** Write an engine snapshot after this many events since the last one (default 200,000)… */
  readonly snapshotEveryEvents?: number;
  /** …or after this long with events since the last one (default 30 s). */
  readonly snapshotEveryMs?: number;
  /** Most events committed in one group commit (default 100,000). */
  readonly maxEventsPerCommit?: number;
  readonly logger: Logger;
  readonly dispatcher?: Dispatcher;
}

/** What an accepted batch produced, sent back to the client once it is durable. */
export interface IngestResult {
  readonly accepted: number;
  /** Sequence numbers of the batch's first and last event in the server's event log. */
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firings: number;
  /** Set when the batch's `Idempotency-Key` was seen before: this is the first answer again, nothing was added. */
  readonly replayed?: true;
}

/** How long an ingestion `Idempotency-Key` is remembered (a client's retry after a lost answer comes sooner). */
export const INGEST_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

interface Submission {
  readonly user: UserRecord;
  /** The client's `Idempotency-Key`: a batch sent again with it adds nothing and gets the first answer. */
  readonly key: string | undefined;
  readonly events: readonly TripwireEvent[];
  readonly body: string;
  readonly receivedAt: string;
  readonly resolve: (r: IngestResult) => void;
  readonly reject: (e: Error) => void;
}

const MASK = "***";

/**
 * The evaluator-driven runtime. Accepted batches are group-committed: one SQLite transaction appends each
 * batch to the event log, runs it through the engine, and inserts the firings into the outbox (executions);
 * clients are answered after the commit. The engine's state is persisted as a periodic snapshot plus the
 * event log after it: on start, the snapshot is restored and later batches are replayed, each against the
 * automations in force when it was first evaluated (from the automation change log), and the replayed firings
 * are dropped because they were committed with their batch. So windows carry on across a crash, and a firing
 * happens exactly once.
 */
export class Runtime {
  private engine!: Engine;
  private readonly catalog: Catalog;
  private readonly queue: Submission[] = [];
  private flushScheduled = false;
  private dirty = false;
  /** Automations in the engine, by GraphQL ID, as they were when loaded. */
  private automations = new Map<string, TriggerRecord>();
  private eventsSinceSnapshot = 0;
  private lastSnapshotAt = Date.now();
  private lastSeq = 0;
  private readonly unsubscribe: () => void;
  private readonly engineOptions: EngineOptions;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: RuntimeOptions,
  ) {
    this.catalog = new Catalog(store);
    this.engineOptions = { ...options.engine, orgOf: this.catalog.orgOf };
    this.unsubscribe = store.onTriggersChanged(() => {
      this.dirty = true;
    });
    this.recover();
  }

  /** Decodes trigger rows into engine automations (what cannot be decoded is left out, and logged). */
  private toEngine(records: Iterable<TriggerRecord>): EngineAutomation[] {
    const out: EngineAutomation[] = [];
    for (const t of records) {
      const { spec } = decodeTrigger(this.store, t);
      if (spec) out.push({ id: toGlobalId("Trigger", t.id), spec });
      else this.options.logger.log("warn", "automation cannot be evaluated", { automation: t.id, name: t.name });
    }
    return out;
  }

  /**
   * Rebuilds the engine from the last snapshot and the event log after it. Versions of automations are swept
   * in step with the batches: batch b runs against every automation's last version whose effectiveBatch < b.
   */
  private recover(): void {
    const started = Date.now();
    const versions: readonly TriggerVersion[] = this.store.triggerVersions();
    const snap = this.store.snapshot();
    const from = snap?.batchId ?? 0;
    const inForce = new Map<number, TriggerRecord>();
    let v = 0;
    const advance = (batch: number): boolean => {
      let changed = false;
      while (v < versions.length && (versions[v] as TriggerVersion).effectiveBatch < batch) {
        const x = versions[v++] as TriggerVersion;
        if (x.record) inForce.set(x.triggerId, x.record);
        else inForce.delete(x.triggerId);
        changed = true;
      }
      return changed;
    };
    advance(from + 1);
    // Without a snapshot, start from an empty engine and restore into it, as the live path does when
    // automations appear: epochs are numbered the same way, so a rebuilt state is identical, not just equivalent.
    const base = snap ? (JSON.parse(snap.state) as EngineSnapshot) : createEngine([], this.engineOptions).snapshot();
    this.engine = restoreEngine(this.toEngine(inForce.values()), base, this.engineOptions);
    let replayed = 0;
    let batches = 0;
    for (const batch of this.store.batchesAfter(from)) {
      if (advance(batch.id)) this.engine = restoreEngine(this.toEngine(inForce.values()), this.engine.snapshot(), this.engineOptions);
      const parsed = parseBody(batch.body);
      if (!parsed.ok) throw new Error(`internal: event batch ${batch.id} in the log does not parse: ${parsed.issues[0]?.message}`);
      this.engine.pushBatch(parsed.events);
      replayed += parsed.events.length;
      batches++;
      this.lastSeq = batch.firstSeq + batch.count - 1;
    }
    if (batches === 0) this.lastSeq = this.store.lastEventSeq();
    this.eventsSinceSnapshot = replayed;
    this.reload();
    if (snap || replayed > 0) {
      this.options.logger.log("info", "runtime recovered", { snapshotBatch: from, replayedBatches: batches, replayedEvents: replayed, ms: Date.now() - started });
    }
  }

  /** Puts the current automations into the engine; unchanged ones keep their windows. */
  private reload(): void {
    const all = this.store.allTriggers();
    this.automations = new Map(all.map((t) => [toGlobalId("Trigger", t.id), t]));
    this.engine = restoreEngine(this.toEngine(all), this.engine.snapshot(), this.engineOptions);
    this.dirty = false;
  }

  /**
   * Queues a validated batch for the next group commit; resolves once it is durable and evaluated.
   * Rejects with {@link IngestForbidden} when the user may not write to an entity the batch names.
   */
  submit(user: UserRecord, events: readonly TripwireEvent[], body: string, key?: string): Promise<IngestResult> {
    if (this.closed) return Promise.reject(new Error("the server is shutting down"));
    return new Promise((resolve, reject) => {
      this.queue.push({ user, key, events, body, receivedAt: new Date().toISOString(), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private execution(f: Firing, batchId: number, place: EventPlace | undefined): NewExecution {
    const t = this.automations.get(f.automationId) as TriggerRecord;
    const noop = t.actionType === "NO_OP";
    return {
      key: randomUUID(),
      triggerId: t.id,
      triggerName: f.automation,
      entityId: t.entityId,
      projectId: place?.projectId ?? t.projectId,
      collectionId: place?.collectionId ?? null,
      scopeType: t.scopeType,
      scopeId: t.scopeId,
      batchId,
      eventType: t.eventType,
      actionType: t.actionType,
      action: t.actionConfig,
      firing: JSON.stringify(f),
      state: noop ? "FINISHED" : "PENDING",
      nextAttemptAt: noop ? null : Date.now(),
      error: null,
    };
  }

  /** Commits everything queued: one transaction, then answers every submitter. */
  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const limit = this.options.maxEventsPerCommit ?? 100_000;
    let n = 0;
    let take = 0;
    while (take < this.queue.length && (take === 0 || n + (this.queue[take] as Submission).events.length <= limit)) {
      n += (this.queue[take] as Submission).events.length;
      take++;
    }
    const work = this.queue.splice(0, take);
    if (this.queue.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    const outcomes: (IngestResult | Error)[] = [];
    const created: ExecutionRecord[] = [];
    const createdFirings: Firing[] = [];
    const seqBefore = this.lastSeq;
    try {
      this.store.transaction(() => {
        if (this.dirty) this.reload();
        for (const w of work) {
          // Checked inside the transaction, so a retry queued in the same group commit sees the first one's key.
          const seen = w.key === undefined ? undefined : this.store.ingestKey(w.user.id, w.key);
          if (seen !== undefined) {
            outcomes.push({ ...(JSON.parse(seen) as IngestResult), replayed: true });
            continue;
          }
          let places: EventPlace[];
          try {
            places = this.catalog.apply(w.events, w.user);
          } catch (e) {
            if (e instanceof IngestForbidden) {
              outcomes.push(e);
              continue;
            }
            throw e;
          }
          const firstSeq = this.lastSeq + 1;
          const batchId = this.store.appendBatch({ firstSeq, count: w.events.length, userId: w.user.id, receivedAt: w.receivedAt, body: w.body });
          this.lastSeq += w.events.length;
          const firings = this.engine.pushBatch(w.events);
          if (firings.length > 0) {
            const index = new Map<TripwireEvent, number>(w.events.map((e, i) => [e, i]));
            const rows = firings.map((f) => this.execution(f, batchId, places[index.get(f.event) ?? -1]));
            const ids = this.store.insertExecutions(rows);
            const now = new Date().toISOString();
            rows.forEach((r, i) => created.push({ ...r, id: ids[i] as number, attempts: 0, createdAt: now, updatedAt: now, statusCode: null, response: null }));
            createdFirings.push(...firings);
          }
          const result: IngestResult = { accepted: w.events.length, firstSeq, lastSeq: this.lastSeq, firings: firings.length };
          if (w.key !== undefined) this.store.saveIngestKey(w.user.id, w.key, batchId, JSON.stringify(result), Date.now());
          outcomes.push(result);
        }
        this.eventsSinceSnapshot += this.lastSeq - seqBefore;
        if (this.snapshotDue()) this.writeSnapshot();
      });
    } catch (e) {
      // The engine may have evaluated events that were rolled back: rebuild it from what is durable.
      this.options.logger.log("error", "group commit failed; rebuilding the engine from the log", { error: String((e as Error).stack ?? e) });
      this.lastSeq = seqBefore;
      this.catalog.reset();
      try {
        this.recover();
      } catch (again) {
        this.options.logger.log("error", "engine rebuild failed", { error: String(again) });
      }
      for (const w of work) w.reject(new Error("the batch could not be committed"));
      return;
    }
    work.forEach((w, i) => {
      const o = outcomes[i] as IngestResult | Error;
      if (o instanceof Error) w.reject(o);
      else w.resolve(o);
    });
    if (created.length > 0) this.options.dispatcher?.enqueue(created, createdFirings);
  }

  private snapshotDue(): boolean {
    if (this.eventsSinceSnapshot === 0) return false;
    return (
      this.eventsSinceSnapshot >= (this.options.snapshotEveryEvents ?? 200_000) || Date.now() - this.lastSnapshotAt >= (this.options.snapshotEveryMs ?? 30_000)
    );
  }

  /** Persists the engine state as of the last committed batch (call inside a transaction with it). */
  private writeSnapshot(): void {
    const batchId = this.store.lastBatchId();
    this.store.saveSnapshot({ batchId, takenAt: new Date().toISOString(), state: JSON.stringify(this.engine.snapshot()) });
    this.store.pruneTriggerVersions(batchId);
    this.store.pruneIngestKeys(Date.now() - INGEST_KEY_RETENTION_MS);
    this.eventsSinceSnapshot = 0;
    this.lastSnapshotAt = Date.now();
  }

  /** Applies automation changes now instead of before the next batch (the result is the same). */
  sync(): void {
    if (this.dirty) this.store.transaction(() => this.reload());
  }

  /** The engine's state as plain data (diagnostics; recovery tests compare it with a rebuilt one). */
  engineState(): EngineSnapshot {
    return this.engine.snapshot();
  }

  /** Writes a snapshot now (shutdown, tests). */
  snapshotNow(): void {
    this.store.transaction(() => this.writeSnapshot());
  }

  /** A webhook execution's body as sent, with the integration's secret values masked (history). */
  historyPayload = (x: ExecutionRecord): string | null => {
    if (x.actionType !== "GENERIC_WEBHOOK") return null;
    const action = JSON.parse(x.action) as { integrationId?: number; requestPayload?: string };
    if (action.requestPayload === undefined) return null;
    const integration = action.integrationId === undefined ? undefined : this.store.integrationById(action.integrationId);
    const secrets = Object.fromEntries(Object.keys(integration ? this.store.secretValues(integration.entityId) : {}).map((k) => [k, MASK]));
    const spec: WebhookActionSpec = { type: "webhook", integration: { kind: "webhook", name: integration?.name ?? "" }, payloadText: action.requestPayload };
    return renderPayload(spec, JSON.parse(x.firing) as Firing, { secrets: { ...secrets, ACCESS_TOKEN: MASK } }) ?? null;
  };

  /** Commits what is queued, writes a final snapshot, and stops taking batches. */
  close(): void {
    while (this.queue.length > 0) this.flush();
    this.closed = true;
    if (this.eventsSinceSnapshot > 0) this.snapshotNow();
    this.unsubscribe();
  }
}
