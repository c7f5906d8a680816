import type Database from 'better-sqlite3';
import type {
  ChangedField,
  Customer,
  DiffLine,
  FieldChange,
  MissingCustomer,
  Normalisation,
  OffendingValue,
  OutcomeKind,
  RawRow,
  RejectedValueCount,
  RowOutcome,
  RunMode,
} from '../types.js';
import { usernameKey } from '../usernameKey.js';
import { createSeenKeys, type SeenKeys } from './createSeenKeys.js';

/** A staged row: what the read and normalise stages made of one input record. */
export interface StagedRow {
  row: number;
  line: number;
  cells: readonly string[];
  /** The normalised customer of a row left open: the apply stage plans from it. Not kept for a settled row. */
  customer?: Customer;
  /** The username of a row without a customer (rejected), where one could be formed. */
  username?: string;
  /** Present when the row passed validation (and is of this run's shard): in-file duplicates are found among these. */
  hash?: string;
  /**
   * A final outcome decided while staging: rejected, skipped, or for a row that passed, whatever needs no request
   * (valid in validate; unchanged or conflict from the checkpoint alone). A duplicate rule may still override the last.
   */
  outcome?: { kind: OutcomeKind; reason: string; customerId?: string | null };
  /** What normalising changed that the row's reason must say (e.g. a dropped phone extension). */
  notes?: readonly string[];
  /** What normalising changed that a person should look at (review.csv); absent or empty when nothing. */
  review?: readonly Normalisation[];
  /** The values that rejected the row, for grouping rejects by them; absent or empty when none. */
  offending?: readonly OffendingValue[];
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
  /** The OMS id of the row's customer, where the outcome knows it (created, updated, unchanged). */
  customerId?: string | null;
}

export interface RunStart {
  runId: string;
  mode: RunMode;
  apiHost: string | null;
  retailerId: string | null;
  inputPath: string;
  context: RunContext;
}

/**
 * What a run records about its input beside its rows: enough to write its report again (`report --run`), to show the
 * cell a change came from, and to find its rows by email or key (`explain`).
 */
export interface RunContext {
  /** The input's header: the first columns of rejects.csv. */
  header?: string[];
  /** Input columns holding phones (E.164 values there are not neutralised). */
  phoneColumns?: number[];
  unmappedColumns?: string[];
  delimiter?: string;
  /** Per field, an attribute as `attributes.NAME`: the input column it is read from (diff.csv's `input`). */
  fieldColumns?: Partial<Record<ChangedField, number>>;
  /** The raw columns the username template is made of (`{column:HEADER}`): keys that identify a row. */
  keyColumns?: number[];
  /** How the run made usernames: `--username-template`, or a username column. */
  usernames?: { template: string } | { column: string };
  /** The run an undo put back. */
  undoOf?: string;
}

/** A row of the run with review notes: what review.csv lists of it depends on how it ended. */
export interface ReviewRow {
  row: number;
  username: string;
  outcome: OutcomeKind | null;
  changedFields: readonly string[];
  notes: Normalisation[];
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
  /**
   * Usernames (case-folded) that more than one row of the run shares among the rows that passed validation and no
   * duplicate rule has settled yet, with those rows in file order. Read once, right after staging.
   */
  duplicateGroups(runId: string): Iterable<{ key: string; rows: { row: number; hash: string }[] }>;
  /** Open rows after `afterRow`, in file order, at most `limit`. */
  openRows(runId: string, afterRow: number, limit: number): OpenRow[];
  countOpenRows(runId: string): number;
  /** Records final outcomes in one transaction (durable before the caller counts them). */
  setOutcomes(runId: string, outcomes: readonly OutcomeUpdate[]): void;
  /** Gives every row still open one outcome (`skipped` for an aborted run's untouched rows), its text before any notes. */
  closeOpenRows(runId: string, reason: string, outcome: OutcomeKind): number;
  /**
   * Records a row's field changes; with `row`, each line also keeps the cell of the field's column as the file had it
   * (the run's `fieldColumns`), for diff.csv's `input`.
   */
  addDiffs(runId: string, changes: readonly FieldChange[], row?: number): void;
  /** Rows of the run that ended `created`, in file order, at most `limit` after `afterRow`. */
  createdRows(runId: string, afterRow: number, limit: number): { row: number; username: string; reason: string }[];
  outcomeCounts(runId: string): Map<OutcomeKind, number>;
  outcomes(runId: string): Iterable<RowOutcome>;
  rejects(runId: string): Iterable<{ row: number; cells: string[]; reason: string }>;
  diffs(runId: string): Iterable<DiffLine>;
  /** Rows of the run with review notes, in row order. */
  reviewRows(runId: string): Iterable<ReviewRow>;
  /** The values that rejected most rows, most rows first (ties: the value met first), at most `limit`. */
  rejectedValues(runId: string, limit: number): RejectedValueCount[];
  /** Some rows' input records (their cells as read), in row order. */
  rawRows(runId: string, rows: readonly number[]): RawRow[];
  /** Deletes the rows, diffs and records of all but the newest `keep` runs. */
  pruneRuns(keep: number): void;
  /** Starts an empty list of the OMS customers the run's file does not hold (one list per connection at a time). */
  createMissingList(runId: string): MissingList;
}

/** Staged rows are written in transactions of this many rows: big enough for throughput, small enough to stay flat. */
const STAGE_BATCH = 2_000;

/** Rows per INSERT statement while staging: one statement call per row was a good part of the staging cost. */
const INSERT_ROWS = 50;

/** Rows read per query when streaming a run's rows: paged `all()` costs less per row than a statement iterator. */
const READ_PAGE = 2_000;

const RUN_ROW_COLUMNS =
  'run_id, row, line, username, username_key, hash, customer_json, cells_json, outcome, reason, customer_id, review_json, offending_json';
const RUN_ROW_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const COLUMNS = 13;

/**
 * Rows that passed validation (they have a hash) and that no duplicate rule has settled yet: rows still open, and rows
 * settled at staging without a request (valid, unchanged, conflict), which a duplicate rule may still override.
 */
const DUPLICATE_CANDIDATES = "hash IS NOT NULL AND (outcome IS NULL OR outcome NOT IN ('duplicate', 'rejected'))";

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
    insertRow: db.prepare(`INSERT INTO run_rows (${RUN_ROW_COLUMNS}) VALUES ${RUN_ROW_VALUES}`),
    insertRows: db.prepare(
      `INSERT INTO run_rows (${RUN_ROW_COLUMNS}) VALUES ${Array(INSERT_ROWS).fill(RUN_ROW_VALUES).join(', ')}`,
    ),
    setOutcome: db.prepare(
      'UPDATE run_rows SET outcome = ?, reason = ?, changed_fields = ?, customer_id = ? WHERE run_id = ? AND row = ?',
    ),
    insertDiff: db.prepare(
      'INSERT INTO run_diffs (run_id, seq, username, field, before, after, row, input) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    // The input cell is taken from the row's own staged cells: nothing of the file is held for it meanwhile.
    insertDiffOfRow: db.prepare(
      `INSERT INTO run_diffs (run_id, seq, username, field, before, after, row, input)
       SELECT ?, ?, ?, ?, ?, ?, row, json_extract(cells_json, ?) FROM run_rows WHERE run_id = ? AND row = ?`,
    ),
    context: db.prepare('SELECT context_json FROM runs WHERE run_id = ?').pluck(),
    lastDiff: db.prepare('SELECT COALESCE(MAX(seq), -1) FROM run_diffs WHERE run_id = ?').pluck(),
    createdRows: db.prepare(
      `SELECT row, username, reason FROM run_rows WHERE run_id = ? AND outcome = 'created' AND row > ?
       ORDER BY row LIMIT ?`,
    ),
    countOutcomes: db.prepare(
      'SELECT outcome, COUNT(*) AS n FROM run_rows WHERE run_id = ? AND outcome IS NOT NULL GROUP BY outcome',
    ),
    outcomes: db
      .prepare(
        `SELECT row, line, username, outcome, reason, changed_fields, customer_id FROM run_rows
         WHERE run_id = ? AND row > ? ORDER BY row LIMIT ?`,
      )
      .raw(),
    rejects: db
      .prepare(
        `SELECT row, cells_json, reason FROM run_rows
         WHERE run_id = ? AND row > ? AND outcome IN ('rejected', 'conflict', 'failed') ORDER BY row LIMIT ?`,
      )
      .raw(),
    diffs: db
      .prepare(
        `SELECT seq, username, field, before, after, row, input FROM run_diffs
         WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      )
      .raw(),
    rawRows: db
      .prepare(
        `SELECT row, line, cells_json FROM run_rows
         WHERE run_id = ? AND row IN (SELECT value FROM json_each(?)) ORDER BY row`,
      )
      .raw(),
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

  // Open rows through their own index (layout 3): a run whose rows were nearly all settled as they were staged reads
  // no others. Prepared on first use, so that a reader of an older checkpoint that was not migrated can still open it.
  const openStmt = {
    rows: prepareLater(
      db,
      `SELECT row, username, username_key AS usernameKey, hash, customer_json AS customer, reason AS notes
       FROM run_rows INDEXED BY run_rows_open WHERE run_id = ? AND outcome IS NULL AND row > ? ORDER BY row LIMIT ?`,
    ),
    count: prepareLater(
      db,
      'SELECT COUNT(*) FROM run_rows INDEXED BY run_rows_open WHERE run_id = ? AND outcome IS NULL',
    ),
    review: prepareLater(
      db,
      `SELECT row, username, outcome, changed_fields, review_json FROM run_rows INDEXED BY run_rows_review
       WHERE run_id = ? AND review_json IS NOT NULL AND row > ? ORDER BY row LIMIT ?`,
    ),
    // Rows rejected while staging keep their offending values; nothing settles such a row again.
    rejectedValues: prepareLater(
      db,
      `SELECT json_extract(v.value, '$[0]') AS field, json_extract(v.value, '$[1]') AS value, COUNT(*) AS "rows",
              MIN(r.row) AS example
       FROM run_rows r INDEXED BY run_rows_offending, json_each(r.offending_json) v
       WHERE r.run_id = ? AND r.offending_json IS NOT NULL
       GROUP BY 1, 2 ORDER BY "rows" DESC, example LIMIT ?`,
    ),
    close: prepareLater(
      db,
      `UPDATE run_rows INDEXED BY run_rows_open SET outcome = ?, reason = CASE WHEN reason = '' THEN ? WHEN ? = ''
       THEN reason ELSE ? || '; ' || reason END WHERE run_id = ? AND outcome IS NULL`,
    ),
  };

  // In-file duplicates. While staging, a fixed-size filter notes the usernames that may have been met before; after
  // it, the rows of those usernames are copied into a connection-private temporary table (SQLite's temp store:
  // spilled to a file past its cache, removed with the connection) and read from it in pages, so the caller may settle
  // rows between pages. A run this journal did not stage is grouped over all its rows instead.
  db.exec(
    `CREATE TEMP TABLE IF NOT EXISTS duplicate_keys (
       run_id TEXT NOT NULL, username_key TEXT NOT NULL, PRIMARY KEY (run_id, username_key)
     ) WITHOUT ROWID;
     CREATE TEMP TABLE IF NOT EXISTS duplicate_rows (
       username_key TEXT NOT NULL, row INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (username_key, row)
     ) WITHOUT ROWID`,
  );
  const duplicates = {
    addKey: db.prepare('INSERT OR IGNORE INTO temp.duplicate_keys (run_id, username_key) VALUES (?, ?)'),
    forgetKeys: db.prepare('DELETE FROM temp.duplicate_keys WHERE run_id = ?'),
    clearRows: db.prepare('DELETE FROM temp.duplicate_rows'),
    collectNoted: db.prepare(
      `INSERT INTO temp.duplicate_rows (username_key, row, hash)
       SELECT username_key, row, hash FROM run_rows WHERE run_id = ? AND ${DUPLICATE_CANDIDATES}
         AND username_key IN (SELECT username_key FROM temp.duplicate_keys WHERE run_id = ?)`,
    ),
    collectAll: db.prepare(
      `INSERT INTO temp.duplicate_rows (username_key, row, hash)
       SELECT username_key, row, hash FROM run_rows WHERE run_id = ? AND ${DUPLICATE_CANDIDATES}
         AND username_key IN (SELECT username_key FROM run_rows WHERE run_id = ? AND ${DUPLICATE_CANDIDATES}
                              GROUP BY username_key HAVING COUNT(*) > 1)`,
    ),
    page: db
      .prepare(
        `SELECT username_key, row, hash FROM temp.duplicate_rows WHERE (username_key, row) > (?, ?)
         ORDER BY username_key, row LIMIT ?`,
      )
      .raw(),
  };
  /** Runs this journal staged, with how many usernames the filter noted as maybe met before. */
  const notedKeys = new Map<string, number>();

  /** Writes one staged row's values, in RUN_ROW_COLUMNS order, into `values` from `at`. */
  const putValues = (values: unknown[], at: number, runId: string, r: StagedRow, key: string) => {
    const { outcome } = r;
    values[at] = runId;
    values[at + 1] = r.row;
    values[at + 2] = r.line;
    values[at + 3] = r.customer?.username ?? r.username ?? '';
    values[at + 4] = key;
    values[at + 5] = r.hash ?? null;
    // Only an open row is planned from its customer later; a settled row needs none.
    values[at + 6] = outcome === undefined && r.customer ? JSON.stringify(r.customer) : null;
    values[at + 7] = JSON.stringify(r.cells);
    values[at + 8] = outcome?.kind ?? null;
    // An open row keeps its normalisation notes here until its outcome's reason takes them in.
    values[at + 9] = outcome ? (outcome.reason === '' ? '' : scrub(outcome.reason)) : (r.notes?.join('; ') ?? '');
    values[at + 10] = outcome?.customerId ?? null;
    values[at + 11] = r.review && r.review.length > 0 ? JSON.stringify(r.review.map(encodeNote)) : null;
    values[at + 12] =
      r.offending && r.offending.length > 0 ? JSON.stringify(r.offending.map((o) => [o.field, o.value])) : null;
  };

  const stageBatch = db.transaction((runId: string, rows: readonly StagedRow[], seen: SeenKeys) => {
    const many: unknown[] = new Array(INSERT_ROWS * COLUMNS).fill(null);
    const one: unknown[] = new Array(COLUMNS).fill(null);
    // Whole groups of INSERT_ROWS go in one statement each, the rest one by one.
    const full = rows.length - (rows.length % INSERT_ROWS);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as StagedRow;
      const key = usernameKey(r.customer?.username ?? r.username ?? '');
      if (r.hash !== undefined && seen.add(key) && duplicates.addKey.run(runId, key).changes > 0) {
        notedKeys.set(runId, (notedKeys.get(runId) ?? 0) + 1);
      }
      if (i < full) {
        putValues(many, (i % INSERT_ROWS) * COLUMNS, runId, r, key);
        if (i % INSERT_ROWS === INSERT_ROWS - 1) stmt.insertRows.run(many);
      } else {
        putValues(one, 0, runId, r, key);
        stmt.insertRow.run(one);
      }
    }
  });

  const setOutcomes = db.transaction((runId: string, outcomes: readonly OutcomeUpdate[]) => {
    for (const o of outcomes) {
      stmt.setOutcome.run(
        o.outcome,
        scrub(o.reason),
        (o.changedFields ?? []).join(';'),
        o.customerId ?? null,
        runId,
        o.row,
      );
    }
  });

  const removeRun = (runId: string) => {
    stmt.deleteRows.run(runId);
    stmt.deleteDiffs.run(runId);
    stmt.deleteRun.run(runId);
  };

  /** Each run's field → input column, read once from what the run recorded when it started. */
  const fieldColumns = new Map<string, Partial<Record<string, number>>>();
  const columnOf = (runId: string, field: string): number | undefined => {
    let columns = fieldColumns.get(runId);
    if (!columns) {
      const json = stmt.context.get(runId) as string | null | undefined;
      columns = (json ? (JSON.parse(json) as RunContext).fieldColumns : undefined) ?? {};
      fieldColumns.set(runId, columns);
    }
    return columns[field];
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
      const seen = createSeenKeys();
      duplicates.forgetKeys.run(runId);
      notedKeys.set(runId, 0);
      return {
        add(row) {
          batch.push(row);
          if (batch.length >= STAGE_BATCH) {
            stageBatch(runId, batch, seen);
            batch = [];
          }
        },
        flush() {
          if (batch.length > 0) stageBatch(runId, batch, seen);
          batch = [];
        },
      };
    },
    *duplicateGroups(runId) {
      const noted = notedKeys.get(runId);
      // Staged here and no username met twice: nothing to group.
      if (noted === 0) return;
      db.transaction(() => {
        duplicates.clearRows.run();
        if (noted === undefined) duplicates.collectAll.run(runId, runId);
        else duplicates.collectNoted.run(runId, runId);
      })();
      // A noted username may still be on one row only (the filter's "maybe"): such a group is no duplicate.
      let group: { key: string; rows: { row: number; hash: string }[] } | undefined;
      let after: [string, number] = ['', 0];
      for (;;) {
        const page = duplicates.page.all(...after, READ_PAGE) as [string, number, string][];
        for (const [key, row, hash] of page) {
          if (group?.key !== key) {
            if (group && group.rows.length > 1) yield group;
            group = { key, rows: [] };
          }
          group.rows.push({ row, hash });
        }
        const last = page.at(-1);
        if (!last) break;
        after = [last[0], last[1]];
      }
      if (group && group.rows.length > 1) yield group;
      duplicates.clearRows.run();
      duplicates.forgetKeys.run(runId);
      notedKeys.delete(runId);
    },
    openRows(runId, afterRow, limit) {
      return (openStmt.rows().all(runId, afterRow, limit) as (Omit<OpenRow, 'customer'> & { customer: string })[]).map(
        (r) => ({ ...r, customer: JSON.parse(r.customer) as Customer }),
      );
    },
    countOpenRows: (runId) => openStmt.count().pluck().get(runId) as number,
    setOutcomes,
    closeOpenRows: (runId, text, outcome) => {
      const reason = scrub(text);
      return openStmt.close().run(outcome, reason, reason, reason, runId).changes;
    },
    addDiffs: db.transaction((runId: string, changes: readonly FieldChange[], row?: number) => {
      for (const c of changes) {
        const values = [runId, nextDiffSeq(runId), c.username, c.field, encodeValue(c.before), encodeValue(c.after)];
        const column = row === undefined ? undefined : columnOf(runId, c.field);
        if (row !== undefined && column !== undefined) {
          stmt.insertDiffOfRow.run(...values, `$[${column}]`, runId, row);
        } else {
          stmt.insertDiff.run(...values, row ?? null, null);
        }
      }
    }),
    createdRows: (runId, afterRow, limit) =>
      stmt.createdRows.all(runId, afterRow, limit) as { row: number; username: string; reason: string }[],
    outcomeCounts(runId) {
      const rows = stmt.countOutcomes.all(runId) as { outcome: OutcomeKind; n: number }[];
      return new Map(rows.map((r) => [r.outcome, r.n]));
    },
    *outcomes(runId) {
      for (const [row, line, username, outcome, reason, changed, customerId] of readPages<RowOutcomeRow>(
        stmt.outcomes,
        runId,
      )) {
        yield {
          row,
          line,
          username,
          outcome,
          reason,
          changedFields: changed === '' ? [] : (changed.split(';') as RowOutcome['changedFields']),
          customerId: customerId ?? '',
        };
      }
    },
    *rejects(runId) {
      for (const [row, cells, reason] of readPages<[number, string, string]>(stmt.rejects, runId)) {
        yield { row, cells: JSON.parse(cells) as string[], reason };
      }
    },
    *diffs(runId) {
      // Diff lines are numbered from 0.
      for (const [, username, field, before, after, row, input] of readPages<DiffRow>(stmt.diffs, runId, -1)) {
        const line: DiffLine = {
          username,
          field,
          before: decodeValue(before),
          after: decodeValue(after),
          input: input ?? '',
        };
        if (row !== null) line.row = row;
        yield line;
      }
    },
    *reviewRows(runId) {
      for (const [row, username, outcome, changed, notes] of readPages<ReviewRowRow>(openStmt.review().raw(), runId)) {
        yield {
          row,
          username,
          outcome,
          changedFields: changed === '' ? [] : changed.split(';'),
          notes: (JSON.parse(notes) as EncodedNote[]).map(decodeNote),
        };
      }
    },
    rejectedValues: (runId, limit) => openStmt.rejectedValues().all(runId, limit) as RejectedValueCount[],
    rawRows(runId, rows) {
      const found = stmt.rawRows.all(runId, JSON.stringify(rows)) as [number, number, string][];
      return found.map(([row, line, cells]) => ({ row, line, cells: JSON.parse(cells) as string[] }));
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

/** A statement prepared the first time it is needed, then kept. */
function prepareLater(db: Database.Database, sql: string): () => Database.Statement {
  let statement: Database.Statement | undefined;
  return () => {
    statement ??= db.prepare(sql);
    return statement;
  };
}

/** row, line, username, outcome, reason, changed_fields, customer_id. */
type RowOutcomeRow = [number, number, string, OutcomeKind, string, string, string | null];

/** row, username, outcome, changed_fields, review_json. */
type ReviewRowRow = [number, string, OutcomeKind | null, string, string];

/** A review note as review_json keeps it: field, rule, input, written. */
type EncodedNote = [Normalisation['field'], Normalisation['rule'], string, string];

function encodeNote(note: Normalisation): EncodedNote {
  return [note.field, note.rule, note.input, note.written];
}

function decodeNote([field, rule, input, written]: EncodedNote): Normalisation {
  return { field, rule, input, written };
}

/**
 * A run's rows from a raw statement taking (runId, after, limit) whose rows start with their key (`row`, or a diff's
 * `seq`), in pages after `after`. A page is read whole, so nothing holds the connection between pages: the caller may
 * write while it reads.
 */
function* readPages<T extends [number, ...unknown[]]>(
  statement: Database.Statement,
  runId: string,
  after = 0,
): Generator<T> {
  for (;;) {
    const page = statement.all(runId, after, READ_PAGE) as T[];
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < READ_PAGE) return;
    after = last[0];
  }
}

/** seq, username, field, before, after, row, input. */
type DiffRow = [number, string, FieldChange['field'], string | null, string | null, number | null, string | null];

/** Diff values are strings, booleans or null; JSON keeps the three apart in one TEXT column. */
function encodeValue(value: string | boolean | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

export function decodeValue(value: string | null): string | boolean | null {
  return value === null ? null : (JSON.parse(value) as string | boolean);
}
