import { randomUUID } from "node:crypto";
import {
  createEngine,
  regexError,
  renderPayload,
  restoreEngine,
  type Engine,
  type EngineAutomation,
  type EngineOptions,
  type EngineSnapshot,
  type Firing,
  type TripwireEvent,
} from "@tripwire/evaluator";
import { webhookBody } from "../history.js";
import { validate, type WebhookActionSpec } from "@tripwire/sdk";
import { Access } from "../access.js";
import { toGlobalId } from "../ids.js";
import { parseBody } from "../ingest/parse.js";
import type { Logger } from "../log.js";
import { decodeTrigger } from "../scope.js";
import type { ExecutionRecord, NewExecution, Store, TriggerRecord, TriggerVersion, UserRecord } from "../store/types.js";
import { Catalog, IngestForbidden, type EventPlace } from "./catalog.js";
import { MASK } from "./mask.js";
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


/** An automation the runtime skipped because it cannot be loaded, and why (reported, never fatal). */
export interface UnloadableAutomation {
  readonly id: string;
  readonly name: string;
  readonly reason: string;
}

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
  /** The store's catalog version the engine's automations were loaded at (writes by other processes change it). */
  private loadedCatalog = -1;
  /** Automations in the engine, by GraphQL ID, as they were when loaded. */
  private automations = new Map<string, TriggerRecord>();
  private eventsSinceSnapshot = 0;
  private lastSnapshotAt = Date.now();
  private lastSeq = 0;
  private readonly unsubscribe: () => void;
  private readonly engineOptions: EngineOptions;
  private closed = false;
  /** Automations left out of the engine (by GraphQL ID): one bad row must not stop the service for every tenant. */
  private unloadable = new Map<string, UnloadableAutomation>();

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

  /**
   * Decodes trigger rows into engine automations and builds the engine over them. What cannot be decoded, breaks
   * a bound (a window over MAX_WINDOW, TW1030) or makes the engine throw is skipped, flagged in
   * {@link unloadableAutomations} and logged once, so a bad stored automation never stops recovery or ingestion.
   */
  private build(records: Iterable<TriggerRecord>, base: EngineSnapshot): Engine {
    const skipped = new Map<string, UnloadableAutomation>();
    const skip = (t: TriggerRecord, id: string, reason: string) => skipped.set(id, { id, name: t.name, reason });
    const out: { automation: EngineAutomation; record: TriggerRecord }[] = [];
    for (const t of records) {
      const id = toGlobalId("Trigger", t.id);
      const { spec } = decodeTrigger(this.store, t);
      if (!spec) {
        this.options.logger.log("warn", "automation cannot be evaluated", { automation: t.id, name: t.name });
        continue;
      }
      const bounds = validate(spec, { regexError }).issues.filter((i) => i.code === "TW1030" && i.severity === "error");
      const broken = bounds.length > 0 ? bounds.map((i) => i.message).join("; ") : this.crossesBoundary(t);
      if (broken !== undefined) skip(t, id, broken);
      else out.push({ automation: { id, spec }, record: t });
    }
    let engine: Engine;
    try {
      engine = restoreEngine(out.map((o) => o.automation), base, this.engineOptions);
    } catch (whole) {
      // Find the automations the engine cannot take, one by one, and build without them.
      const fine = out.filter((o) => {
        try {
          createEngine([o.automation], this.engineOptions);
          return true;
        } catch (e) {
          skip(o.record, o.automation.id, `the evaluator cannot load it: ${(e as Error).message}`);
          return false;
        }
      });
      if (fine.length === out.length) throw whole;
      engine = restoreEngine(fine.map((o) => o.automation), base, this.engineOptions);
    }
    for (const [id, x] of skipped) {
      if (this.unloadable.get(id)?.reason !== x.reason) this.options.logger.log("error", "automation skipped: it cannot be loaded", { automation: id, name: x.name, reason: x.reason });
    }
    this.unloadable = skipped;
    return engine;
  }

  /**
   * Why a stored automation breaks a team boundary the GraphQL input now enforces (saved before it was, or
   * written by another tool): another entity's integration, or an org-wide scope its creator does not administer.
   */
  private crossesBoundary(t: TriggerRecord): string | undefined {
    const integration = t.integrationId === null ? undefined : this.store.integrationById(t.integrationId);
    if (integration && integration.entityId !== t.entityId) {
      return `it uses an integration of "${this.store.entityById(integration.entityId)?.name ?? "another entity"}", not of its own entity`;
    }
    const entity = t.scopeType === "ENTITY" ? this.store.entityById(t.scopeId) : undefined;
    if (entity?.type === "organization") {
      const creator = t.createdBy === null ? undefined : this.store.userById(t.createdBy);
      if (creator && !new Access(this.store, creator).isAdmin(entity)) return `it is scoped to the organization "${entity.name}" but its creator "${creator.username}" is not one of its admins`;
    }
    return undefined;
  }

  /** Automations the runtime could not load and does not evaluate, with the reason (logged when first seen). */
  unloadableAutomations(): UnloadableAutomation[] {
    return [...this.unloadable.values()];
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
    this.engine = this.build(inForce.values(), base);
    let replayed = 0;
    let batches = 0;
    for (const batch of this.store.batchesAfter(from)) {
      if (advance(batch.id)) this.engine = this.build(inForce.values(), this.engine.snapshot());
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
    this.loadedCatalog = this.store.catalogVersion();
    const all = this.store.allTriggers();
    this.automations = new Map(all.map((t) => [toGlobalId("Trigger", t.id), t]));
    this.engine = this.build(all, this.engine.snapshot());
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
        if (this.stale()) this.reload();
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
    if (created.length > 0) {
      if (this.options.logger.enabled?.("info") ?? true) {
        created.forEach((x, i) => {
          const f = createdFirings[i] as Firing;
          this.options.logger.log("info", "automation fired", { execution: x.id, automation: x.triggerName, event: f.eventType, run: f.run?.name ?? null, action: x.actionType });
        });
      }
      this.options.dispatcher?.enqueue(created, createdFirings);
    }
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

  /**
   * Whether automations changed since the engine loaded them: written through this store (its listener) or by any
   * other connection to the database — the CLI's embedded default, a second server — which only the catalog
   * version shows. Read inside the group commit's transaction, so a batch runs against exactly the definitions
   * committed before it, as replay after a crash will.
   */
  private stale(): boolean {
    return this.dirty || this.store.catalogVersion() !== this.loadedCatalog;
  }

  /** Applies automation changes now instead of before the next batch (the result is the same). */
  sync(): void {
    this.store.transaction(() => {
      if (this.stale()) this.reload();
    });
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
  historyPayload = (x: ExecutionRecord): string | null => webhookBody(this.store, x);

  /** Commits what is queued, writes a final snapshot, and stops taking batches. */
  close(): void {
    while (this.queue.length > 0) this.flush();
    this.closed = true;
    if (this.eventsSinceSnapshot > 0) this.snapshotNow();
    this.unsubscribe();
  }
}
