import type Database from 'better-sqlite3';
import type { Customer, FieldChange, MissingCustomer, OutcomeKind, RowOutcome, RunMode } from '../types.js';
import { usernameKey } from '../usernameKey.js';

/** A staged row: what the read and normalise stages made of one input record. */
export interface StagedRow {
  row: number;
  line: number;
  cells: readonly string[];
  /** Present when the row passed validation. */
  customer?: Customer;
  hash?: string;
  /** A final outcome decided while staging (rejected, skipped). */
  outcome?: { kind: OutcomeKind; reason: string };
  /** What normalising changed that the row's reason must say (e.g. a dropped phone extension). */
  notes?: readonly string[];
}

/** A row that passed validation and still waits for its outcome. */
export interface OpenRow {
  row: number;
  username: string;
  usernameKey: string;
  hash: string;
  customer: Customer;
  /** Normalisation notes, joined; part of whatever reason the row ends with. */
  notes: string;
}

/** A final outcome for one row of the run. */
export interface OutcomeUpdate {
  row: number;
  outcome: OutcomeKind;
  reason: string;
  changedFields?: readonly string[];
}

export interface RunStart {
  runId: string;
  mode: RunMode;
  apiHost: string | null;
  retailerId: string | null;
  inputPath: string;
  context: unknown;
}

/**
 * The OMS customers a run's file does not hold (`--report-missing`), gathered a page of the account at a time. Kept in
 * temporary tables of the connection: never in the checkpoint file, and gone when it closes.
 */
export interface MissingList {
  /** Keeps those of `customers` whose username (case-folded) no row of the run has; returns how many it kept. */
  add(customers: readonly MissingCustomer[]): number;
  count(): number;
  /** The customers kept, in the order they were added. */
  customers(): Iterable<MissingCustomer>;
}

/**
 * The run journal: each run's log — its staged rows and their outcomes, in-file duplicates, field diffs — kept for the
 * report and pruned to the newest `--keep-runs` runs. Nothing here says what the OMS holds; that is the sync state.
 */
export interface RunJournal {
  startRun(run: RunStart): void;
  finishRun(runId: string, status: 'completed' | 'aborted', summary: unknown): void;
  /** Forgets a run that never got going (bad input found while reading): its rows and its record. */
  discardRun(runId: string): void;
  /** A stager that writes rows in batched transactions; call `flush()` at the end. */
  createStager(runId: string): { add(row: StagedRow): void; flush(): void };
  /** Usernames (case-folded) that more than one open row of the run shares, with those rows in file order. */
  duplicateGroups(runId: string): Iterable<{ key: string; rows: { row: number; hash: string }[] }>;
  /** Open rows after `afterRow`, in file order, at most `limit`. */
  openRows(runId: string, afterRow: number, limit: number): OpenRow[];
  countOpenRows(runId: string): number;
  /** Records final outcomes in one transaction (durable before the caller counts them). */
  setOutcomes(runId: string, outcomes: readonly OutcomeUpdate[]): void;
  /** Gives every row still open one outcome: `valid` in validate, `skipped` for an aborted run's untouched rows. */
  closeOpenRows(runId: string, reason: string, outcome: OutcomeKind): number;
  addDiffs(runId: string, changes: readonly FieldChange[]): void;
  /** Rows of the run that ended `created`, in file order, at most `limit` after `afterRow`. */
  createdRows(runId: string, afterRow: number, limit: number): { row: number; username: string; reason: string }[];
  outcomeCounts(runId: string): Map<OutcomeKind, number>;
  outcomes(runId: string): Iterable<RowOutcome>;
  rejects(runId: string): Iterable<{ row: number; cells: string[]; reason: string }>;
  diffs(runId: string): Iterable<FieldChange>;
  /** Deletes the rows, diffs and records of all but the newest `keep` runs. */
  pruneRuns(keep: number): void;
  /** Starts an empty list of the OMS customers the run's file does not hold (one list per connection at a time). */
  createMissingList(runId: string): MissingList;
}

/** Staged rows are written in transactions of this many rows: big enough for throughput, small enough to stay flat. */
const STAGE_BATCH = 2_000;

/**
 * Creates the run journal over the checkpoint's (or a scratch store's) database. `scrub` masks the run's secrets in
 * every reason before it is stored: the checkpoint is an output like any report.
 */
export function createRunJournal(
  db: Database.Database,
  now: () => Date,
  scrub: (text: string) => string = (text) => text,
): RunJournal {
  const nowIso = () => now().toISOString();
  const stmt = {
    insertRow: db.prepare(
      `INSERT INTO run_rows (run_id, row, line, username, username_key, hash, customer_json, cells_json, outcome, reason)
       VALUES (@runId, @row, @line, @username, @usernameKey, @hash, @customer, @cells, @outcome, @reason)`,
    ),
    setOutcome: db.prepare(
      `UPDATE run_rows SET outcome = @outcome, reason = @reason, changed_fields = @changedFields
       WHERE run_id = @runId AND row = @row`,
    ),
    duplicateKeys: db
      .prepare(
        `SELECT username_key FROM run_rows WHERE run_id = ? AND outcome IS NULL
         GROUP BY username_key HAVING COUNT(*) > 1`,
      )
      .pluck(),
    groupRows: db.prepare(
      'SELECT row, hash FROM run_rows WHERE run_id = ? AND username_key = ? AND outcome IS NULL ORDER BY row',
    ),
    openRows: db.prepare(
      `SELECT row, username, username_key AS usernameKey, hash, customer_json AS customer, reason AS notes
       FROM run_rows WHERE run_id = ? AND outcome IS NULL AND row > ? ORDER BY row LIMIT ?`,
    ),
    countOpen: db.prepare('SELECT COUNT(*) FROM run_rows WHERE run_id = ? AND outcome IS NULL').pluck(),
    closeOpen: db.prepare(
      `UPDATE run_rows SET outcome = ?, reason = CASE WHEN reason = '' THEN ? WHEN ? = '' THEN reason
       ELSE ? || '; ' || reason END WHERE run_id = ? AND outcome IS NULL`,
    ),
    insertDiff: db.prepare(
      'INSERT INTO run_diffs (run_id, seq, username, field, before, after) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    lastDiff: db.prepare('SELECT COALESCE(MAX(seq), -1) FROM run_diffs WHERE run_id = ?').pluck(),
    createdRows: db.prepare(
      `SELECT row, username, reason FROM run_rows WHERE run_id = ? AND outcome = 'created' AND row > ?
       ORDER BY row LIMIT ?`,
    ),
    countOutcomes: db.prepare(
      'SELECT outcome, COUNT(*) AS n FROM run_rows WHERE run_id = ? AND outcome IS NOT NULL GROUP BY outcome',
    ),
    outcomes: db.prepare(
      `SELECT row, line, username, outcome, reason, changed_fields AS changedFields FROM run_rows
       WHERE run_id = ? ORDER BY row`,
    ),
    rejects: db.prepare(
      `SELECT row, cells_json AS cells, reason FROM run_rows
       WHERE run_id = ? AND outcome IN ('rejected', 'conflict', 'failed') ORDER BY row`,
    ),
    diffs: db.prepare('SELECT username, field, before, after FROM run_diffs WHERE run_id = ? ORDER BY seq'),
    insertRun: db.prepare(
      `INSERT INTO runs (run_id, mode, api_host, retailer_id, status, started_at, input_path, context_json)
       VALUES (@runId, @mode, @apiHost, @retailerId, 'running', @startedAt, @inputPath, @context)`,
    ),
    finishRun: db.prepare('UPDATE runs SET status = ?, finished_at = ?, summary_json = ? WHERE run_id = ?'),
    oldRuns: db.prepare('SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT -1 OFFSET ?').pluck(),
    deleteRows: db.prepare('DELETE FROM run_rows WHERE run_id = ?'),
    deleteDiffs: db.prepare('DELETE FROM run_diffs WHERE run_id = ?'),
    deleteRun: db.prepare('DELETE FROM runs WHERE run_id = ?'),
  };

  const stageBatch = db.transaction((runId: string, rows: readonly StagedRow[]) => {
    for (const r of rows) {
      const username = r.customer?.username ?? '';
      stmt.insertRow.run({
        runId,
        row: r.row,
        line: r.line,
        username,
        usernameKey: usernameKey(username),
        hash: r.hash ?? null,
        customer: r.customer ? JSON.stringify(r.customer) : null,
        cells: JSON.stringify(r.cells),
        outcome: r.outcome?.kind ?? null,
        // An open row keeps its normalisation notes here until its outcome's reason takes them in.
        reason: r.outcome?.reason ?? r.notes?.join('; ') ?? '',
      });
    }
  });

  const setOutcomes = db.transaction((runId: string, outcomes: readonly OutcomeUpdate[]) => {
    for (const o of outcomes) {
      stmt.setOutcome.run({
        runId,
        row: o.row,
        outcome: o.outcome,
        reason: scrub(o.reason),
        changedFields: (o.changedFields ?? []).join(';'),
      });
    }
  });

  const removeRun = (runId: string) => {
    stmt.deleteRows.run(runId);
    stmt.deleteDiffs.run(runId);
    stmt.deleteRun.run(runId);
  };

  // Diff order across a resumed process: continue after the run's last diff.
  const diffSeqs = new Map<string, number>();
  const nextDiffSeq = (runId: string) => {
    const seq = (diffSeqs.get(runId) ?? (stmt.lastDiff.get(runId) as number)) + 1;
    diffSeqs.set(runId, seq);
    return seq;
  };

  return {
    startRun(run) {
      stmt.insertRun.run({ ...run, startedAt: nowIso(), context: JSON.stringify(run.context) });
    },
    finishRun(runId, status, summary) {
      stmt.finishRun.run(status, nowIso(), JSON.stringify(summary), runId);
    },
    discardRun: db.transaction(removeRun),
    createStager(runId) {
      let batch: StagedRow[] = [];
      return {
        add(row) {
          batch.push(row);
          if (batch.length >= STAGE_BATCH) {
            stageBatch(runId, batch);
            batch = [];
          }
        },
        flush() {
          if (batch.length > 0) stageBatch(runId, batch);
          batch = [];
        },
      };
    },
    *duplicateGroups(runId) {
      for (const key of stmt.duplicateKeys.all(runId) as string[]) {
        yield { key, rows: stmt.groupRows.all(runId, key) as { row: number; hash: string }[] };
      }
    },
    openRows(runId, afterRow, limit) {
      return (stmt.openRows.all(runId, afterRow, limit) as (Omit<OpenRow, 'customer'> & { customer: string })[]).map(
        (r) => ({ ...r, customer: JSON.parse(r.customer) as Customer }),
      );
    },
    countOpenRows: (runId) => stmt.countOpen.get(runId) as number,
    setOutcomes,
    closeOpenRows: (runId, text, outcome) => {
      const reason = scrub(text);
      return stmt.closeOpen.run(outcome, reason, reason, reason, runId).changes;
    },
    addDiffs: db.transaction((runId: string, changes: readonly FieldChange[]) => {
      for (const c of changes) {
        stmt.insertDiff.run(
          runId,
          nextDiffSeq(runId),
          c.username,
          c.field,
          encodeValue(c.before),
          encodeValue(c.after),
        );
      }
    }),
    createdRows: (runId, afterRow, limit) =>
      stmt.createdRows.all(runId, afterRow, limit) as { row: number; username: string; reason: string }[],
    outcomeCounts(runId) {
      const rows = stmt.countOutcomes.all(runId) as { outcome: OutcomeKind; n: number }[];
      return new Map(rows.map((r) => [r.outcome, r.n]));
    },
    *outcomes(runId) {
      for (const r of stmt.outcomes.iterate(runId) as Iterable<RowOutcomeRow>) {
        yield {
          row: r.row,
          line: r.line,
          username: r.username,
          outcome: r.outcome,
          reason: r.reason,
          changedFields: r.changedFields === '' ? [] : (r.changedFields.split(';') as RowOutcome['changedFields']),
        };
      }
    },
    *rejects(runId) {
      for (const r of stmt.rejects.iterate(runId) as Iterable<{ row: number; cells: string; reason: string }>) {
        yield { row: r.row, cells: JSON.parse(r.cells) as string[], reason: r.reason };
      }
    },
    *diffs(runId) {
      for (const r of stmt.diffs.iterate(runId) as Iterable<DiffRow>) {
        yield { username: r.username, field: r.field, before: decodeValue(r.before), after: decodeValue(r.after) };
      }
    },
    pruneRuns(keep) {
      const old = stmt.oldRuns.all(keep) as string[];
      db.transaction(() => {
        for (const id of old) removeRun(id);
      })();
    },
    createMissingList: (runId) => createMissingList(db, runId),
  };
}

/**
 * The run's usernames go into an indexed temporary table once, so each page of the account is compared by lookups
 * rather than a scan of the run's rows (their index covers open rows only), and neither the file's usernames nor the
 * account's customers are held in memory. Temporary tables spill to a temporary file past SQLite's cache.
 */
function createMissingList(db: Database.Database, runId: string): MissingList {
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS file_usernames (username_key TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TEMP TABLE IF NOT EXISTS missing_customers (
      seq INTEGER PRIMARY KEY, username TEXT NOT NULL, id TEXT NOT NULL, primary_email TEXT
    );
    DELETE FROM temp.file_usernames;
    DELETE FROM temp.missing_customers;
  `);
  db.prepare(
    `INSERT OR IGNORE INTO temp.file_usernames SELECT username_key FROM run_rows
     WHERE run_id = ? AND username_key <> ''`,
  ).run(runId);
  const held = db.prepare('SELECT 1 FROM temp.file_usernames WHERE username_key = ?').pluck();
  const insert = db.prepare('INSERT INTO temp.missing_customers (username, id, primary_email) VALUES (?, ?, ?)');
  const count = db.prepare('SELECT COUNT(*) FROM temp.missing_customers').pluck();
  const list = db.prepare(
    'SELECT username, id, primary_email AS primaryEmail FROM temp.missing_customers ORDER BY seq',
  );
  return {
    add: db.transaction((customers: readonly MissingCustomer[]) => {
      let kept = 0;
      for (const c of customers) {
        if (held.get(usernameKey(c.username)) !== undefined) continue;
        insert.run(c.username, c.id, c.primaryEmail);
        kept++;
      }
      return kept;
    }),
    count: () => count.get() as number,
    customers: () => list.iterate() as Iterable<MissingCustomer>,
  };
}

interface RowOutcomeRow {
  row: number;
  line: number;
  username: string;
  outcome: OutcomeKind;
  reason: string;
  changedFields: string;
}

interface DiffRow {
  username: string;
  field: FieldChange['field'];
  before: string | null;
  after: string | null;
}

/** Diff values are strings, booleans or null; JSON keeps the three apart in one TEXT column. */
function encodeValue(value: string | boolean | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

function decodeValue(value: string | null): string | boolean | null {
  return value === null ? null : (JSON.parse(value) as string | boolean);
}
