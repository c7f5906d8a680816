import type Database from 'better-sqlite3';
import type { CustomerField, FieldChange, OutcomeKind, RunMode } from '../types.js';
import { decodeValue } from './journalCodec.js';

/** One past run as the journal keeps it: what it was, how it ended, its summary (report.json) and its context. */
export interface RunRecord {
  runId: string;
  mode: RunMode;
  apiHost: string | null;
  retailerId: string | null;
  /** running, completed, aborted, or interrupted (its process died and a later run took the checkpoint over). */
  status: string;
  startedAt: string;
  finishedAt: string | null;
  inputPath: string;
  /** report.json's summary, as the run recorded it (scrubbed); null while running or when interrupted. */
  summary: unknown;
  /** What re-rendering its report needs beyond the rows (the input's header, phone columns, …). */
  context: unknown;
}

/** What one run did with one username. */
export interface UsernameRow {
  runId: string;
  row: number;
  line: number;
  username: string;
  outcome: OutcomeKind | null;
  reason: string;
  changedFields: CustomerField[];
}

/** A row found by its username or by a value in its cells. */
export interface MatchedRow extends UsernameRow {
  /** Its username is the one asked for. */
  byUsername: boolean;
  cells: string[];
}

/** A customer a run created or updated, with its changes. */
export interface ChangedCustomer {
  username: string;
  outcome: 'created' | 'updated';
  changes: FieldChange[];
}

/** What the sync state holds for one username (any case), every retailer. */
export interface UsernameState {
  apiHost: string;
  retailerId: string;
  username: string;
  omsId: string | null;
  /** False when the next run must look it up again (a doubted entry). */
  hashKnown: boolean;
  appliedRun: string;
  appliedAt: string;
}

/**
 * The checkpoint's history, read-only, for `runs`, `report --run` and `explain` (SPEC §2): the runs the journal still
 * keeps (--keep-runs), and everything known about one username. Nothing here writes.
 */
export interface RunHistory {
  /** Newest first. */
  listRuns(): RunRecord[];
  getRun(runId: string): RunRecord | undefined;
  /** Every kept run's rows for a username (case-folded key), newest run first. */
  rowsOf(usernameKey: string): UsernameRow[];
  /**
   * Every kept run's rows whose username is `usernameKey` (case-folded) or whose cells hold `text` anywhere (ASCII
   * letters in any case), newest run first, at most `limit`, each with its cells: the caller decides which column a
   * match must be in. One pass over the kept rows.
   */
  rowsMatching(usernameKey: string, text: string, limit: number): MatchedRow[];
  /** A run's field changes for one username, in the order they were made. */
  diffsOf(runId: string, username: string): FieldChange[];
  /**
   * The customers a run created or updated (rows `failed` with values Fluent did not take included: it changed them),
   * by username after `afterUsername`, at most `limit`, each with the run's field changes: what `undo` works through. Indexed copies in SQLite's temp schema keep each page cheap on big runs.
   */
  changedCustomers(runId: string, afterUsername: string, limit: number): ChangedCustomer[];
  /** The sync state's entries for a username, and its pending marks. */
  stateOf(usernameKey: string): {
    known: UsernameState[];
    pending: { apiHost: string; retailerId: string; runId: string; kind: string }[];
  };
}

export function createRunHistory(db: Database.Database): RunHistory {
  const stmt = {
    listRuns: db.prepare('SELECT * FROM runs ORDER BY started_at DESC, run_id DESC'),
    getRun: db.prepare('SELECT * FROM runs WHERE run_id = ?'),
    rowsOf: db.prepare(
      `SELECT r.run_id AS runId, r.row, r.line, r.username, r.outcome, r.reason, r.changed_fields AS changedFields
       FROM run_rows r JOIN runs ON runs.run_id = r.run_id
       WHERE r.username_key = ? ORDER BY runs.started_at DESC, r.run_id DESC, r.row`,
    ),
    rowsMatching: db.prepare(
      `SELECT r.run_id AS runId, r.row, r.line, r.username, r.outcome, r.reason, r.changed_fields AS changedFields,
              r.username_key = ? AS byUsername, r.cells_json AS cells
       FROM run_rows r JOIN runs ON runs.run_id = r.run_id
       WHERE r.username_key = ? OR r.cells_json LIKE ? ESCAPE '\\'
       ORDER BY runs.started_at DESC, r.run_id DESC, r.row LIMIT ?`,
    ),
    diffsOf: db.prepare(
      'SELECT username, field, before, after FROM run_diffs WHERE run_id = ? AND username = ? ORDER BY seq',
    ),
    known: db.prepare(
      `SELECT api_host AS apiHost, retailer_id AS retailerId, username, oms_id AS omsId, hash != '' AS hashKnown,
              applied_run AS appliedRun, applied_at AS appliedAt
       FROM customers WHERE username_key = ? ORDER BY api_host, retailer_id`,
    ),
    pending: db.prepare(
      `SELECT api_host AS apiHost, retailer_id AS retailerId, run_id AS runId, kind FROM pending
       WHERE username_key = ? ORDER BY api_host, retailer_id`,
    ),
  };
  const copied = new Set<string>();
  const copyRun = (runId: string) => {
    if (copied.has(runId)) return;
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS changed_rows (run_id TEXT, username TEXT, outcome TEXT,
               PRIMARY KEY (run_id, username)) WITHOUT ROWID;
             CREATE TEMP TABLE IF NOT EXISTS changed_diffs (run_id TEXT, username TEXT, seq INTEGER, field TEXT,
               before TEXT, after TEXT, PRIMARY KEY (run_id, username, seq)) WITHOUT ROWID;`);
    db.transaction(() => {
      // A row `failed` because Fluent did not take every value as sent changed the customer all the same: its diff
      // lines are what Fluent shows changed, and its changed fields name the username when it was a create (a create
      // sets the username; an update never changes it).
      db.prepare(
        `INSERT OR IGNORE INTO temp.changed_rows
         SELECT run_id, username, CASE WHEN outcome != 'failed' THEN outcome
                WHEN ';' || changed_fields || ';' LIKE '%;username;%' THEN 'created' ELSE 'updated' END
         FROM run_rows
         WHERE run_id = ? AND (outcome IN ('created', 'updated')
                               OR (outcome = 'failed' AND not_taken IS NOT NULL AND changed_fields != ''))`,
      ).run(runId);
      db.prepare(
        'INSERT OR IGNORE INTO temp.changed_diffs SELECT run_id, username, seq, field, before, after FROM run_diffs WHERE run_id = ?',
      ).run(runId);
    })();
    copied.add(runId);
  };
  return {
    changedCustomers(runId, afterUsername, limit) {
      copyRun(runId);
      const rows = db
        .prepare(
          'SELECT username, outcome FROM temp.changed_rows WHERE run_id = ? AND username > ? ORDER BY username LIMIT ?',
        )
        .all(runId, afterUsername, limit) as { username: string; outcome: 'created' | 'updated' }[];
      const diffs = db.prepare(
        'SELECT username, field, before, after FROM temp.changed_diffs WHERE run_id = ? AND username = ? ORDER BY seq',
      );
      return rows.map((row) => ({
        ...row,
        changes: (diffs.all(runId, row.username) as RawDiff[]).map(toFieldChange),
      }));
    },
    listRuns: () => (stmt.listRuns.all() as RunRow[]).map(toRunRecord),
    getRun(runId) {
      const row = stmt.getRun.get(runId) as RunRow | undefined;
      return row && toRunRecord(row);
    },
    rowsOf: (key) =>
      (stmt.rowsOf.all(key) as (Omit<UsernameRow, 'changedFields'> & { changedFields: string })[]).map((r) => ({
        ...r,
        changedFields: r.changedFields === '' ? [] : (r.changedFields.split(';') as CustomerField[]),
      })),
    rowsMatching(key, text, limit) {
      // The cells are stored as JSON: the text is looked for as JSON writes it, its LIKE wildcards taken literally.
      const inJson = JSON.stringify(text)
        .slice(1, -1)
        .replace(/[\\%_]/g, (c) => `\\${c}`);
      const rows = stmt.rowsMatching.all(key, key, `%${inJson}%`, limit) as (Omit<
        MatchedRow,
        'changedFields' | 'byUsername' | 'cells'
      > & { changedFields: string; byUsername: number; cells: string })[];
      return rows.map((r) => ({
        ...r,
        changedFields: r.changedFields === '' ? [] : (r.changedFields.split(';') as CustomerField[]),
        byUsername: r.byUsername === 1,
        cells: JSON.parse(r.cells) as string[],
      }));
    },
    diffsOf: (runId, username) => (stmt.diffsOf.all(runId, username) as RawDiff[]).map(toFieldChange),
    stateOf: (key) => ({
      known: (stmt.known.all(key) as (Omit<UsernameState, 'hashKnown'> & { hashKnown: number })[]).map((k) => ({
        ...k,
        hashKnown: k.hashKnown === 1,
      })),
      pending: stmt.pending.all(key) as { apiHost: string; retailerId: string; runId: string; kind: string }[],
    }),
  };
}

interface RunRow {
  run_id: string;
  mode: RunMode;
  api_host: string | null;
  retailer_id: string | null;
  status: string;
  started_at: string;
  finished_at: string | null;
  input_path: string;
  summary_json: string | null;
  context_json: string | null;
}

function toRunRecord(r: RunRow): RunRecord {
  return {
    runId: r.run_id,
    mode: r.mode,
    apiHost: r.api_host,
    retailerId: r.retailer_id,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    inputPath: r.input_path,
    summary: r.summary_json ? JSON.parse(r.summary_json) : null,
    context: r.context_json ? JSON.parse(r.context_json) : null,
  };
}

interface RawDiff {
  username: string;
  field: CustomerField;
  before: string | null;
  after: string | null;
}

function toFieldChange(d: RawDiff): FieldChange {
  return { ...d, before: decodeValue(d.before), after: decodeValue(d.after) };
}
