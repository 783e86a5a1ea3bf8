import type Database from "better-sqlite3";

/**
 * Ordered schema migrations. `schema_version` holds the last applied version; each step runs in its own
 * transaction, so a crash mid-upgrade leaves the database at the previous version. Append, never edit.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "users, entities, projects, collections, integrations, secrets, triggers",
    sql: `
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT,
  admin INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE TABLE api_keys (
  key_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL
);
CREATE TABLE organizations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  entity_id INTEGER NOT NULL UNIQUE REFERENCES entities(id),
  created_at TEXT NOT NULL
);
CREATE TABLE entities (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL CHECK (type IN ('team', 'organization', 'personal')),
  org_id INTEGER REFERENCES organizations(id),
  created_at TEXT NOT NULL
);
CREATE TABLE members (
  entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('member', 'admin')),
  PRIMARY KEY (entity_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_user ON members(user_id);
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  entity_id INTEGER NOT NULL REFERENCES entities(id),
  name TEXT NOT NULL,
  description TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (entity_id, name)
);
CREATE TABLE collections (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('sequence', 'portfolio')),
  tags TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  UNIQUE (project_id, name)
);
CREATE TABLE artifact_versions (
  collection_id INTEGER NOT NULL REFERENCES collections(id),
  version INTEGER NOT NULL,
  aliases TEXT NOT NULL DEFAULT '[]',
  tags TEXT NOT NULL DEFAULT '[]',
  linked INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  PRIMARY KEY (collection_id, version)
) WITHOUT ROWID;
CREATE TABLE runs (
  project_id INTEGER NOT NULL REFERENCES projects(id),
  run_id TEXT NOT NULL,
  name TEXT,
  username TEXT,
  state TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (project_id, run_id)
) WITHOUT ROWID;
CREATE TABLE integrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entity_id INTEGER NOT NULL REFERENCES entities(id),
  kind TEXT NOT NULL CHECK (kind IN ('slack', 'webhook')),
  name TEXT,
  url TEXT NOT NULL,
  secret_ref TEXT,
  access_token_ref TEXT,
  team_name TEXT,
  channel_name TEXT,
  timeout_ms INTEGER,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX integrations_webhook_name ON integrations(entity_id, name) WHERE kind = 'webhook';
CREATE UNIQUE INDEX integrations_slack_channel ON integrations(entity_id, channel_name) WHERE kind = 'slack';
CREATE TABLE secrets (
  entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (entity_id, name)
) WITHOUT ROWID;
CREATE TABLE triggers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT,
  enabled INTEGER NOT NULL,
  scope_type TEXT NOT NULL CHECK (scope_type IN ('PROJECT', 'ARTIFACT_COLLECTION', 'ENTITY')),
  scope_id INTEGER NOT NULL,
  entity_id INTEGER NOT NULL REFERENCES entities(id),
  project_id INTEGER REFERENCES projects(id),
  event_type TEXT NOT NULL,
  event_filter TEXT NOT NULL,
  action_type TEXT NOT NULL,
  action_config TEXT NOT NULL,
  integration_id INTEGER REFERENCES integrations(id),
  created_by INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT,
  effective_batch INTEGER NOT NULL,
  UNIQUE (scope_type, scope_id, name)
);
CREATE INDEX triggers_entity ON triggers(entity_id, id);
CREATE INDEX triggers_project ON triggers(project_id, id);
`,
  },
  {
    version: 2,
    description: "event log, engine snapshot, executions (outbox and history)",
    sql: `
CREATE TABLE event_batches (
  id INTEGER PRIMARY KEY,
  first_seq INTEGER NOT NULL,
  count INTEGER NOT NULL,
  user_id INTEGER,
  received_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE engine_snapshots (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  batch_id INTEGER NOT NULL,
  taken_at TEXT NOT NULL,
  state TEXT NOT NULL
);
CREATE TABLE executions (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  trigger_id INTEGER NOT NULL,
  trigger_name TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  project_id INTEGER,
  collection_id INTEGER,
  scope_type TEXT NOT NULL,
  scope_id INTEGER NOT NULL,
  batch_id INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  action_type TEXT NOT NULL,
  action TEXT NOT NULL,
  firing TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('PENDING', 'FINISHED', 'FAILED', 'SKIPPED')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  status_code INTEGER,
  error TEXT,
  response TEXT
);
CREATE INDEX executions_pending ON executions(next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX executions_trigger ON executions(trigger_id, id);
CREATE INDEX executions_project ON executions(project_id, id);
CREATE INDEX executions_collection ON executions(collection_id, id);
CREATE TABLE execution_attempts (
  execution_id INTEGER NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  status_code INTEGER,
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'retry', 'failed')),
  error TEXT,
  response TEXT,
  retry_in_ms INTEGER,
  PRIMARY KEY (execution_id, attempt)
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    description: "automation versions: which definition was in force for which event batches (exact replay)",
    sql: `
CREATE TABLE trigger_versions (
  seq INTEGER PRIMARY KEY,
  trigger_id INTEGER NOT NULL,
  effective_batch INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  record TEXT
);
CREATE INDEX trigger_versions_trigger ON trigger_versions(trigger_id, seq);
`,
  },
  {
    version: 4,
    description: "an attempt row carries the state it leads to; a trigger applies it to its execution (one statement per attempt)",
    sql: `
ALTER TABLE execution_attempts ADD COLUMN state TEXT;
ALTER TABLE execution_attempts ADD COLUMN next_attempt_at INTEGER;
CREATE TRIGGER execution_attempts_apply AFTER INSERT ON execution_attempts WHEN NEW.state IS NOT NULL
BEGIN
  UPDATE executions SET state = NEW.state, attempts = NEW.attempt, next_attempt_at = NEW.next_attempt_at, status_code = NEW.status_code,
    error = NEW.error, response = NEW.response, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE id = NEW.execution_id;
END;
`,
  },
  {
    version: 5,
    description: "a catalog version bumped by every automation write, so a runtime notices writes of other connections (the CLI, a second server)",
    sql: `
CREATE TABLE catalog_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);
CREATE TRIGGER triggers_catalog_insert AFTER INSERT ON triggers BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER triggers_catalog_update AFTER UPDATE ON triggers BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER triggers_catalog_delete AFTER DELETE ON triggers BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
`,
  },
  {
    version: 6,
    description: "an attempt keeps the Slack message it posted (history shows it as sent)",
    sql: `
ALTER TABLE execution_attempts ADD COLUMN request TEXT;
`,
  },
  {
    version: 7,
    description: "executions count the attempts started (marked before sending), so a redelivery after a crash is numbered and marked",
    sql: `
ALTER TABLE executions ADD COLUMN dispatched INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 8,
    description: "ingestion Idempotency-Key: the answer of each keyed batch, per user, kept for a bounded time",
    sql: `
CREATE TABLE ingest_keys (
  user_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  batch_id INTEGER,
  result TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX ingest_keys_created ON ingest_keys(created_at);
`,
  },
];

/** The schema version a database is at: the last migration applied to it (0 for a new one). */
export function schemaVersion(db: Database.Database): number {
  const r = db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null };
  return r.v ?? 0;
}

/** Applies the migrations a database lacks, in order, each in its own transaction. */
export function applyMigrations(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  for (const m of MIGRATIONS) {
    // BEGIN IMMEDIATE takes the write lock before the version is read, so processes opening a new database at
    // the same time (several CLI runs, a server) apply each migration once; the others wait, then skip it.
    db.transaction(() => {
      if (m.version <= schemaVersion(db)) return;
      // Foreign keys name tables created later in the same step, so check them at commit.
      db.pragma("defer_foreign_keys = ON");
      db.exec(m.sql);
      db.prepare("DELETE FROM schema_version").run();
      db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(m.version);
    }).immediate();
  }
}
