import type Database from 'better-sqlite3';
import type { Customer, FieldChange } from '../types.js';
import { encodeValue, prepareLater } from './journalCodec.js';
import { createJournalReading } from './journalReading.js';
import { createJournalStaging } from './journalStaging.js';
import type { InputContext, OpenRow, OutcomeUpdate, RunJournal } from './journalTypes.js';
import { createMissingList } from './missingList.js';

export type {
  InputContext,
  MissingList,
  OpenRow,
  OutcomeDetails,
  OutcomeUpdate,
  ReviewRow,
  RunJournal,
  RunStart,
  StagedRow,
} from './journalTypes.js';

/**
 * Creates the run journal over the checkpoint's (or a scratch store's) database: each run's log, in rooms — the run's
 * record and its outcomes and diffs here, staging and in-file duplicates (journalStaging), reading back for the
 * report (journalReading), the missing list (missingList). `scrub` masks the run's secrets in every reason before it
 * is stored: the checkpoint is an output like any report.
 */
export function createRunJournal(
  db: Database.Database,
  now: () => Date,
  scrub: (text: string) => string = (text) => text,
): RunJournal {
  const nowIso = () => now().toISOString();
  const stmt = {
    setOutcome: db.prepare(
      `UPDATE run_rows SET outcome = ?, reason = ?, changed_fields = ?, customer_id = ?, conflict = ?, not_taken = ?
       WHERE run_id = ? AND row = ?`,
    ),
    insertDiff: db.prepare(
      'INSERT INTO run_diffs (run_id, seq, username, field, before, after, row, input) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    // The input cell is taken from the row's own staged cells: nothing of the file is held for it meanwhile.
    insertDiffOfRow: db.prepare(
      `INSERT INTO run_diffs (run_id, seq, username, field, before, after, row, input)
       SELECT ?, ?, ?, ?, ?, ?, row, json_extract(cells_json, ?) FROM run_rows WHERE run_id = ? AND row = ?`,
    ),
    // A killed run's row left open, or skipped by a stop while its mutation was in flight (its pending mark says so).
    credit: db.prepare(
      `UPDATE run_rows SET outcome = ?, reason = ?, changed_fields = ?, customer_id = ?
       WHERE run_id = ? AND row = ? AND username_key = ? AND (outcome IS NULL OR outcome = 'skipped')`,
    ),
    context: db.prepare('SELECT context_json FROM runs WHERE run_id = ?').pluck(),
    lastDiff: db.prepare('SELECT COALESCE(MAX(seq), -1) FROM run_diffs WHERE run_id = ?').pluck(),
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
    close: prepareLater(
      db,
      `UPDATE run_rows INDEXED BY run_rows_open SET outcome = ?, reason = CASE WHEN reason = '' THEN ? WHEN ? = ''
       THEN reason ELSE ? || '; ' || reason END WHERE run_id = ? AND outcome IS NULL`,
    ),
  };

  const setOutcomes = db.transaction((runId: string, outcomes: readonly OutcomeUpdate[]) => {
    for (const o of outcomes) {
      stmt.setOutcome.run(
        o.outcome,
        scrub(o.reason),
        (o.changedFields ?? []).join(';'),
        o.customerId ?? null,
        o.conflict ?? null,
        o.notTaken && o.notTaken.length > 0 ? o.notTaken.join(';') : null,
        runId,
        o.row,
      );
    }
  });

  const addDiffs = db.transaction((runId: string, changes: readonly FieldChange[], row?: number) => {
    for (const c of changes) {
      const values = [runId, nextDiffSeq(runId), c.username, c.field, encodeValue(c.before), encodeValue(c.after)];
      const column = row === undefined ? undefined : columnOf(runId, c.field);
      if (row !== undefined && column !== undefined) {
        stmt.insertDiffOfRow.run(...values, `$[${column}]`, runId, row);
      } else {
        stmt.insertDiff.run(...values, row ?? null, null);
      }
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
      columns = (json ? (JSON.parse(json) as InputContext).fieldColumns : undefined) ?? {};
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
    ...createJournalStaging(db, scrub),
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
    addDiffs,
    creditRow: db.transaction((runId: string, key: string, o: OutcomeUpdate, changes: readonly FieldChange[]) => {
      const changedFields = (o.changedFields ?? []).join(';');
      const reason = scrub(o.reason);
      if (stmt.credit.run(o.outcome, reason, changedFields, o.customerId ?? null, runId, o.row, key).changes === 0) {
        return false;
      }
      if (changes.length > 0) addDiffs(runId, changes, o.row);
      return true;
    }),
    ...createJournalReading(db),
    pruneRuns(keep) {
      const old = stmt.oldRuns.all(keep) as string[];
      db.transaction(() => {
        for (const id of old) removeRun(id);
      })();
    },
    createMissingList: (runId) => createMissingList(db, runId),
  };
}
