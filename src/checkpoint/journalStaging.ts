import type Database from 'better-sqlite3';
import { usernameKey } from '../shared/usernameKey.js';
import { createSeenKeys, type SeenKeys } from './createSeenKeys.js';
import { encodeNote, READ_PAGE } from './journalCodec.js';
import type { RunJournal, StagedRow } from './journalTypes.js';

/** Staged rows are written in transactions of this many rows: big enough for throughput, small enough to stay flat. */
const STAGE_BATCH = 2_000;

/** Rows per INSERT statement while staging: one statement call per row was a good part of the staging cost. */
const INSERT_ROWS = 50;

const RUN_ROW_COLUMNS =
  'run_id, row, line, username, username_key, hash, customer_json, cells_json, outcome, reason, customer_id, review_json, offending_json, conflict';
const RUN_ROW_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const COLUMNS = 14;

/**
 * Rows that passed validation (they have a hash) and that no duplicate rule has settled yet: rows still open, and rows
 * settled at staging without a request (valid, unchanged, conflict), which a duplicate rule may still override.
 */
const DUPLICATE_CANDIDATES = "hash IS NOT NULL AND (outcome IS NULL OR outcome NOT IN ('duplicate', 'rejected'))";

/**
 * The journal's staging room: writing a run's rows as they are read, and finding the usernames more than one of them
 * shares. While staging, a fixed-size filter notes the usernames that may have been met before; after it, the rows of
 * those usernames are copied into a connection-private temporary table (SQLite's temp store: spilled to a file past
 * its cache, removed with the connection) and read from it in pages, so the caller may settle rows between pages. A
 * run this journal did not stage is grouped over all its rows instead.
 */
export function createJournalStaging(
  db: Database.Database,
  scrub: (text: string) => string,
): Pick<RunJournal, 'createStager' | 'duplicateGroups'> {
  const stmt = {
    insertRow: db.prepare(`INSERT INTO run_rows (${RUN_ROW_COLUMNS}) VALUES ${RUN_ROW_VALUES}`),
    insertRows: db.prepare(
      `INSERT INTO run_rows (${RUN_ROW_COLUMNS}) VALUES ${Array(INSERT_ROWS).fill(RUN_ROW_VALUES).join(', ')}`,
    ),
  };
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
    values[at + 6] =
      outcome === undefined ? (r.customerJson ?? (r.customer ? JSON.stringify(r.customer) : null)) : null;
    values[at + 7] = r.cellsJson ?? JSON.stringify(r.cells);
    values[at + 8] = outcome?.kind ?? null;
    // An open row keeps its normalisation notes here until its outcome's reason takes them in.
    values[at + 9] = outcome ? (outcome.reason === '' ? '' : scrub(outcome.reason)) : (r.notes?.join('; ') ?? '');
    values[at + 10] = outcome?.customerId ?? null;
    values[at + 11] =
      r.reviewJson ?? (r.review && r.review.length > 0 ? JSON.stringify(r.review.map(encodeNote)) : null);
    values[at + 12] =
      r.offendingJson ??
      (r.offending && r.offending.length > 0 ? JSON.stringify(r.offending.map((o) => [o.field, o.value])) : null);
    values[at + 13] = outcome?.conflict ?? null;
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

  return {
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
  };
}
