import type Database from 'better-sqlite3';

/**
 * The checkpoint's layout. `PRAGMA application_id` marks a file as a customer-sync checkpoint, so a foreign SQLite
 * file is never mistaken for one; `PRAGMA user_version` is the layout version: an older one is migrated in place in one
 * transaction, a newer one is refused (SPEC §2).
 *
 * Layout history:
 * - 1: the first release. No application id; a `meta` table held `schema_version = 1`.
 * - 2: application id and user_version; `meta` dropped.
 * - 3: `run_rows` indexed by open row instead of by username: every staged row paid a random insert into the
 *   username index, while in-file duplicates are found after staging without it; rows settled as they are staged never
 *   enter the open-row index, so finding the few rows a re-run still has to look up reads no others.
 * - 4: what the report shows of each row beyond its outcome: `run_rows.customer_id` (the OMS id, outcomes.csv's
 *   `customerId`), `review_json` (what normalising changed that a person should look at: review.csv) and
 *   `offending_json` (the values that rejected the row, to group rejects by), the last two indexed where present;
 *   `run_diffs.row` and `input` (the cell as the file had it: diff.csv's `input`).
 * - 5: a pending mark says what was sent: `pending.row` (the sending run's row) and `changes_json` (the planned
 *   changes with their before values), so a run that finds a killed run's mutation applied records it as that run's
 *   `created`/`updated` row with its diff, and `undo` of the killed run puts it back. Marks of older layouts keep
 *   NULL: they are resolved by lookup as before.
 * - 6: verified writes and the kinds of outcomes: `customers.not_taken_hash` (the hash of a row Fluent did not take
 *   as sent, while `hash` is that of what Fluent holds), `run_rows.conflict` (a conflict's kind) and `not_taken` (the
 *   fields Fluent did not take as sent, `;`-separated), each indexed where present, for report.json's `conflicts` and
 *   `notTakenAsSent`. Rows and entries of older layouts keep NULL.
 */
export const SCHEMA_VERSION = 6;

/** "CSYN" as a big-endian 32-bit number, at offset 68 of the file header. */
export const APPLICATION_ID = 0x4353594e;

/** Tables and columns layout 1 had, which is how a checkpoint of the first release is recognised. */
export const LAYOUT_1_TABLES: Readonly<Record<string, readonly string[]>> = {
  meta: ['key', 'value'],
  lock: ['id', 'run_id', 'pid', 'host', 'started_at', 'heartbeat_at'],
  runs: ['run_id', 'mode', 'api_host', 'retailer_id', 'status', 'started_at', 'finished_at', 'input_path'],
  run_rows: ['run_id', 'row', 'line', 'username', 'username_key', 'hash', 'customer_json', 'cells_json', 'outcome'],
  run_diffs: ['run_id', 'seq', 'username', 'field', 'before', 'after'],
  customers: ['api_host', 'retailer_id', 'username_key', 'username', 'oms_id', 'hash', 'applied_run', 'applied_at'],
  pending: ['api_host', 'retailer_id', 'username_key', 'run_id', 'kind', 'started_at'],
};

/** Few rows have review notes or offending values: partial indexes find them without reading the others. */
const RUN_ROWS_NOTE_INDEXES = `
CREATE INDEX IF NOT EXISTS run_rows_review ON run_rows (run_id, row) WHERE review_json IS NOT NULL;
CREATE INDEX IF NOT EXISTS run_rows_offending ON run_rows (run_id, row) WHERE offending_json IS NOT NULL;`;

/** Few rows are conflicts or hold values Fluent did not take: partial indexes count them without reading the rest. */
const RUN_ROWS_KIND_INDEXES = `
CREATE INDEX IF NOT EXISTS run_rows_conflict ON run_rows (run_id, row) WHERE conflict IS NOT NULL;
CREATE INDEX IF NOT EXISTS run_rows_not_taken ON run_rows (run_id, row) WHERE not_taken IS NOT NULL;`;

/**
 * The tables, in two rooms (STYLE.md): the sync state survives every run (`customers`: what the OMS holds as far as
 * we know; `pending`: mutations about to be sent), the run journal is each run's log (`runs`, `run_rows`, `run_diffs`),
 * pruned by --keep-runs. `lock` names the run holding the checkpoint.
 */
const TABLES = `
CREATE TABLE IF NOT EXISTS lock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  run_id TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL, heartbeat_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  mode TEXT NOT NULL,
  api_host TEXT,
  retailer_id TEXT,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  input_path TEXT NOT NULL,
  summary_json TEXT,
  context_json TEXT
);
CREATE TABLE IF NOT EXISTS run_rows (
  run_id TEXT NOT NULL,
  row INTEGER NOT NULL,
  line INTEGER NOT NULL,
  username TEXT NOT NULL,
  username_key TEXT NOT NULL,
  hash TEXT,
  customer_json TEXT,
  cells_json TEXT NOT NULL,
  outcome TEXT,
  reason TEXT NOT NULL DEFAULT '',
  changed_fields TEXT NOT NULL DEFAULT '',
  customer_id TEXT,
  review_json TEXT,
  offending_json TEXT,
  conflict TEXT,
  not_taken TEXT,
  PRIMARY KEY (run_id, row)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS run_rows_open ON run_rows (run_id, row) WHERE outcome IS NULL;
${RUN_ROWS_NOTE_INDEXES}
${RUN_ROWS_KIND_INDEXES}
CREATE TABLE IF NOT EXISTS run_diffs (
  run_id TEXT NOT NULL, seq INTEGER NOT NULL, username TEXT NOT NULL, field TEXT NOT NULL, before TEXT, after TEXT,
  row INTEGER, input TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS customers (
  api_host TEXT NOT NULL,
  retailer_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  username TEXT NOT NULL,
  oms_id TEXT,
  hash TEXT NOT NULL,
  not_taken_hash TEXT,
  applied_run TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  -- username before retailer: the hot lookup is every retailer's entry for one username on one host.
  PRIMARY KEY (api_host, username_key, retailer_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (
  api_host TEXT NOT NULL,
  retailer_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  run_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  started_at TEXT NOT NULL,
  row INTEGER,
  changes_json TEXT,
  PRIMARY KEY (api_host, retailer_id, username_key)
) WITHOUT ROWID;
`;

/** Creates this release's layout in an empty database and stamps it as ours. */
export function createSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec(TABLES);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** Steps from one layout to the next, by the version they start from. Each runs inside the migration transaction. */
const MIGRATIONS: Readonly<Record<number, (db: Database.Database) => void>> = {
  1: (db) => {
    db.exec('DROP TABLE meta');
  },
  2: (db) => {
    db.exec(`DROP INDEX IF EXISTS run_rows_by_key;
             CREATE INDEX IF NOT EXISTS run_rows_open ON run_rows (run_id, row) WHERE outcome IS NULL;`);
  },
  // Rows of earlier runs keep NULL in the new columns: no customer id, notes or input is known for them.
  3: (db) => {
    db.exec(`ALTER TABLE run_rows ADD COLUMN customer_id TEXT;
             ALTER TABLE run_rows ADD COLUMN review_json TEXT;
             ALTER TABLE run_rows ADD COLUMN offending_json TEXT;
             ALTER TABLE run_diffs ADD COLUMN row INTEGER;
             ALTER TABLE run_diffs ADD COLUMN input TEXT;
             ${RUN_ROWS_NOTE_INDEXES}`);
  },
  // Marks made before layout 5 keep NULL: what they sent is not known, and a lookup resolves them as before.
  4: (db) => {
    db.exec(`ALTER TABLE pending ADD COLUMN row INTEGER;
             ALTER TABLE pending ADD COLUMN changes_json TEXT;`);
  },
  // Entries and rows of earlier layouts keep NULL: nothing is known of values not taken, nor of a conflict's kind.
  5: (db) => {
    db.exec(`ALTER TABLE customers ADD COLUMN not_taken_hash TEXT;
             ALTER TABLE run_rows ADD COLUMN conflict TEXT;
             ALTER TABLE run_rows ADD COLUMN not_taken TEXT;
             ${RUN_ROWS_KIND_INDEXES}`);
  },
};

/**
 * Brings a checkpoint of an older layout to this release's, all steps in one transaction: a failure leaves the file as
 * it was. The caller holds the checkpoint's lock.
 */
export function migrateSchema(db: Database.Database, from: number): void {
  db.transaction(() => {
    for (let version = from; version < SCHEMA_VERSION; version++) {
      const step = MIGRATIONS[version];
      if (!step) throw new Error(`no migration from checkpoint layout ${version}`);
      step(db);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** Tables every layout has. */
const COMMON_TABLES = ['lock', 'runs', 'run_rows', 'run_diffs', 'customers', 'pending'];

/**
 * The tables and indexes each layout holds, by version: what a checkpoint of ours can contain. SQLite adds its own
 * objects (`sqlite_autoindex_*` for a primary key, `sqlite_stat*` after ANALYZE), which no statement can name.
 */
const LAYOUT_OBJECTS: Readonly<Record<number, { tables: readonly string[]; indexes: readonly string[] }>> = {
  1: { tables: [...COMMON_TABLES, 'meta'], indexes: ['run_rows_by_key'] },
  2: { tables: COMMON_TABLES, indexes: ['run_rows_by_key'] },
  3: { tables: COMMON_TABLES, indexes: ['run_rows_open'] },
  4: { tables: COMMON_TABLES, indexes: ['run_rows_open', 'run_rows_review', 'run_rows_offending'] },
  5: { tables: COMMON_TABLES, indexes: ['run_rows_open', 'run_rows_review', 'run_rows_offending'] },
  6: {
    tables: COMMON_TABLES,
    indexes: ['run_rows_open', 'run_rows_review', 'run_rows_offending', 'run_rows_conflict', 'run_rows_not_taken'],
  },
};

/**
 * The objects of a checkpoint of layout `version` that no layout of ours creates: any trigger or view (none ever has
 * one, and one would run its own SQL inside every write of a run: forging hashes, dropping pending marks), and any
 * table or index not in that layout. Empty for a checkpoint that holds only what its layout made.
 */
export function findForeignObjects(db: Database.Database, version: number): { type: string; name: string }[] {
  const layout = LAYOUT_OBJECTS[version];
  const objects = db.prepare('SELECT type, name FROM sqlite_schema').all() as { type: string; name: string }[];
  return objects.filter(({ type, name }) => {
    if (type === 'table') return !(layout?.tables.includes(name) || name.startsWith('sqlite_stat'));
    if (type === 'index') return !(layout?.indexes.includes(name) || name.startsWith('sqlite_autoindex_'));
    return true;
  });
}
