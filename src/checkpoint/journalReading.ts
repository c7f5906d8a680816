import type Database from 'better-sqlite3';
import {
  CONFLICT_KINDS,
  type ConflictKind,
  type DiffLine,
  type FieldChange,
  type OutcomeKind,
  type RejectedValueCount,
  type RowOutcome,
} from '../types.js';
import { decodeNote, decodeValue, type EncodedNote, prepareLater, readPages } from './journalCodec.js';
import type { RunJournal } from './journalTypes.js';

/**
 * The journal's reading room: a run's rows, rejects, diffs and notes read back for its report, streamed in pages so a
 * run of millions never sits in memory. Nothing here writes.
 */
export function createJournalReading(
  db: Database.Database,
): Pick<
  RunJournal,
  | 'createdRows'
  | 'outcomeCounts'
  | 'outcomeDetails'
  | 'outcomes'
  | 'rejects'
  | 'diffs'
  | 'reviewRows'
  | 'rejectedValues'
  | 'rawRows'
> {
  const stmt = {
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
  };
  // Through their own partial indexes (layout 4); prepared on first use, so that a reader of an older checkpoint that
  // was not migrated can still open it.
  const noted = {
    review: prepareLater(
      db,
      `SELECT row, username, outcome, changed_fields, review_json FROM run_rows INDEXED BY run_rows_review
       WHERE run_id = ? AND review_json IS NOT NULL AND row > ? ORDER BY row LIMIT ?`,
    ),
    // Rows rejected while staging keep their offending values; nothing settles such a row again.
    conflicts: prepareLater(
      db,
      `SELECT conflict, COUNT(*) AS n FROM run_rows INDEXED BY run_rows_conflict
       WHERE run_id = ? AND conflict IS NOT NULL AND outcome = 'conflict' GROUP BY conflict`,
    ),
    notTaken: prepareLater(
      db,
      `SELECT not_taken FROM run_rows INDEXED BY run_rows_not_taken
       WHERE run_id = ? AND not_taken IS NOT NULL AND outcome = 'failed'`,
    ),
    rejectedValues: prepareLater(
      db,
      `SELECT json_extract(v.value, '$[0]') AS field, json_extract(v.value, '$[1]') AS value, COUNT(*) AS "rows",
              MIN(r.row) AS example
       FROM run_rows r INDEXED BY run_rows_offending, json_each(r.offending_json) v
       WHERE r.run_id = ? AND r.offending_json IS NOT NULL
       GROUP BY 1, 2 ORDER BY "rows" DESC, example LIMIT ?`,
    ),
  };

  return {
    createdRows: (runId, afterRow, limit) =>
      stmt.createdRows.all(runId, afterRow, limit) as { row: number; username: string; reason: string }[],
    outcomeCounts(runId) {
      const rows = stmt.countOutcomes.all(runId) as { outcome: OutcomeKind; n: number }[];
      return new Map(rows.map((r) => [r.outcome, r.n]));
    },
    outcomeDetails(runId) {
      const conflicts = Object.fromEntries(CONFLICT_KINDS.map((kind) => [kind, 0])) as Record<ConflictKind, number>;
      for (const { conflict, n } of noted.conflicts().all(runId) as { conflict: string; n: number }[]) {
        if ((CONFLICT_KINDS as readonly string[]).includes(conflict)) conflicts[conflict as ConflictKind] += n;
      }
      const byField = new Map<string, number>();
      for (const fields of noted.notTaken().pluck().all(runId) as string[]) {
        for (const field of fields.split(';')) byField.set(field, (byField.get(field) ?? 0) + 1);
      }
      const sorted = [...byField].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
      return { conflicts, notTakenAsSent: Object.fromEntries(sorted) };
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
      for (const [row, username, outcome, changed, notes] of readPages<ReviewRowRow>(noted.review().raw(), runId)) {
        yield {
          row,
          username,
          outcome,
          changedFields: changed === '' ? [] : changed.split(';'),
          notes: (JSON.parse(notes) as EncodedNote[]).map(decodeNote),
        };
      }
    },
    rejectedValues: (runId, limit) => noted.rejectedValues().all(runId, limit) as RejectedValueCount[],
    rawRows(runId, rows) {
      const found = stmt.rawRows.all(runId, JSON.stringify(rows)) as [number, number, string][];
      return found.map(([row, line, cells]) => ({ row, line, cells: JSON.parse(cells) as string[] }));
    },
  };
}

/** row, line, username, outcome, reason, changed_fields, customer_id. */
type RowOutcomeRow = [number, number, string, OutcomeKind, string, string, string | null];

/** row, username, outcome, changed_fields, review_json. */
type ReviewRowRow = [number, string, OutcomeKind | null, string, string];

/** seq, username, field, before, after, row, input. */
type DiffRow = [number, string, FieldChange['field'], string | null, string | null, number | null, string | null];
