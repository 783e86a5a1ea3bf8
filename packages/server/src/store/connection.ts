import { closeSync, fsync, openSync } from "node:fs";
import Database from "better-sqlite3";
import { applyMigrations } from "./migrations.js";
import type { Page } from "./types.js";

/** How hard a commit waits for the disk (SQLite `synchronous` in WAL mode). */
export type Durability = "full" | "normal";

export interface SqliteStoreOptions {
  /**
   * `full` (default): every commit is fsynced before it returns, so an acknowledged write survives a
   * power cut as well as `kill -9`. `normal`: WAL without fsync per commit; survives `kill -9` (the OS
   * holds the pages) but a power cut may lose the last commits.
   */
  readonly durability?: Durability;
}

/** A row as better-sqlite3 returns it: column name to value. */
export type Row = Record<string, unknown>;
/** The timestamp rows are stamped with (ISO 8601, UTC). */
export const now = (): string => new Date().toISOString();

/** A page of `rows` fetched with `LIMIT limit + 1`: the extra row only says that there is a next page. */
export function page<T>(rows: T[], limit: number): Page<T> {
  return rows.length > limit ? { items: rows.slice(0, limit), hasNextPage: true } : { items: rows, hasNextPage: false };
}

/**
 * Creates a new database file readable by its owner only (0600): it holds API keys, secret values and every
 * event. SQLite gives the WAL and shared-memory files the database file's mode. An existing file keeps its mode.
 */
function createPrivately(path: string): void {
  if (path === ":memory:" || path === "" || path.startsWith("file:")) return;
  try {
    closeSync(openSync(path, "wx", 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}

/**
 * The SQLite connection every aggregate of the store shares: WAL journal, foreign keys on, migrations applied on
 * open; prepared statements cached by their SQL; transactions; and the relaxed commits of delivery bookkeeping.
 */
export class Connection {
  readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();
  /** `synchronous = FULL`: relaxed writes are then fsynced off the event loop (see {@link relaxed}). */
  private readonly fullSync: boolean;
  private walSyncing = false;
  private walSyncAgain = false;
  /** The WAL file, opened once: SQLite keeps it (same inode) while this connection is open. */
  private walFd: number | undefined;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    createPrivately(path);
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.fullSync = options.durability !== "normal";
    this.db.pragma(`synchronous = ${this.fullSync ? "FULL" : "NORMAL"}`);
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    applyMigrations(this.db);
  }

  /** The prepared statement for `sql`, prepared once per connection. */
  q(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    // Closing checkpoints the WAL into the database and syncs it, so a pending WAL fsync is moot.
    if (this.db.open) this.db.close();
    // An fsync in flight closes the file when it returns.
    if (this.walFd !== undefined && !this.walSyncing) closeSync(this.walFd);
    this.walFd = undefined;
  }

  /**
   * Runs `write` (one transaction) for a write nobody is answered on. With `durability: full` its commit does not
   * block the event loop on fsync: it is written to the WAL with `synchronous = NORMAL` (atomic, and it survives
   * `kill -9`, as the OS holds the pages), and the WAL is fsynced right after on the libuv thread pool (any later
   * FULL commit, e.g. the next group commit of events, fsyncs it as well).
   */
  relaxed(write: () => void): void {
    if (!this.fullSync || this.db.inTransaction || this.db.memory) return write();
    this.q("PRAGMA synchronous = NORMAL").run();
    try {
      write();
    } finally {
      this.q("PRAGMA synchronous = FULL").run();
    }
    this.syncWal();
  }

  /** fsyncs the WAL file on the thread pool; calls arriving meanwhile are folded into one more fsync. */
  private syncWal(): void {
    if (this.walSyncing) {
      this.walSyncAgain = true;
      return;
    }
    if (this.walFd === undefined) {
      try {
        this.walFd = openSync(`${this.db.name}-wal`, "r");
      } catch {
        // No WAL file: nothing was written through it.
        return;
      }
    }
    this.walSyncing = true;
    const fd = this.walFd;
    fsync(fd, () => {
      this.walSyncing = false;
      if (this.walFd === undefined) return closeSync(fd);
      if (this.walSyncAgain) {
        this.walSyncAgain = false;
        this.syncWal();
      }
    });
  }
}
