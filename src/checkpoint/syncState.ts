import type Database from 'better-sqlite3';
import { usernameKey } from '../shared/usernameKey.js';
import type { FieldChange } from '../types.js';
import type { OutcomeUpdate, RunJournal } from './runJournal.js';

/** Checkpoint entries are keyed by API host and retailer: one host's rows never look unchanged on another. */
export interface CheckpointScope {
  apiHost: string;
  retailerId: string;
}

/** What the checkpoint knows about one username (any case) on one API host, for one retailer. */
export interface KnownCustomer {
  retailerId: string;
  /** The username as it was applied, in its own case. */
  username: string;
  omsId: string | null;
  /** Hash of what the OMS holds as last applied or answered; '' when the next run must look the username up again. */
  hash: string;
  /**
   * Hash of a row's content that was sent and that Fluent did not take as sent (it holds `hash` instead), or null:
   * a run whose row still hashes so, with the OMS still as `hash` says, sends nothing again.
   */
  notTakenHash: string | null;
  appliedRun: string;
  /** Status of the run that applied it; anything but `completed` (or null: pruned) means that run was interrupted. */
  appliedRunStatus: string | null;
}

/** What the OMS holds of a username after a run: its id, the hash of what it holds, the run that put it there. */
export interface AppliedEntry {
  username: string;
  omsId: string | null;
  hash: string;
  appliedBy: string;
  /** The row's own hash when Fluent did not take every value as sent (and holds `hash` instead). */
  notTakenHash?: string;
}

/** A mutation about to be sent, written durably before the request. */
export interface PendingMutation {
  runId: string;
  kind: 'create' | 'update';
  /** The sending run's row; absent for a mark of an older layout. */
  row?: number;
  /** What the mutation sends: the planned changes, with their before values; absent for a mark of an older layout. */
  changes?: FieldChange[];
}

/** What a pending mark keeps of the mutation it is for. */
export interface SentMutation {
  row: number;
  changes: readonly FieldChange[];
}

/**
 * The sync state: what the OMS holds as far as this tool knows, and the mutations that may be in flight. It survives
 * every run (the run journal is the log): a nightly re-run of an unchanged row costs no request because of it, and a
 * killed run's pending marks are resolved by lookup, never by a blind retry.
 */
export interface SyncState {
  /** Every retailer's entry for a username (case-folded) on an API host. */
  known(apiHost: string, usernameKey: string): KnownCustomer[];
  pending(scope: CheckpointScope, usernameKey: string): PendingMutation | undefined;
  /** known() for many usernames (case-folded) at once, in one query: a page of rows costs one statement, not one each. */
  knownOf(apiHost: string, usernameKeys: readonly string[]): Map<string, KnownCustomer[]>;
  /** pending() for many usernames (case-folded) at once, in one query. */
  pendingOf(scope: CheckpointScope, usernameKeys: readonly string[]): Map<string, PendingMutation>;
  /**
   * Durably notes that a mutation is about to be sent, and what it sends, so a crash mid-request is resolved by lookup
   * next time, and a mutation the lookup shows applied is recorded as the killed run's.
   */
  markPending(
    scope: CheckpointScope,
    usernameKey: string,
    runId: string,
    kind: 'create' | 'update',
    sent?: SentMutation,
  ): void;
  /**
   * Records that `hash` is what the OMS now holds for the username (applied, verified identical, or answered with
   * values not taken as sent: then `notTakenHash` is the row's own), clears its pending mark and sets the row's
   * outcome, in one transaction. `appliedBy` is the run whose mutation put it there.
   */
  recordApplied(scope: CheckpointScope, runId: string, entry: AppliedEntry, outcome: OutcomeUpdate): void;
  /** Sets a row's outcome and clears the username's pending mark (nothing was applied, or it failed for good). */
  recordUnapplied(scope: CheckpointScope, runId: string, usernameKey: string, outcome: OutcomeUpdate): void;
  /**
   * Keeps the entry but forgets its hash, so the next run looks the username up instead of trusting the checkpoint
   * (another writer holds it too, or an undo changed it back), clears its pending mark and sets the row's outcome.
   */
  recordDoubted(scope: CheckpointScope, runId: string, usernameKey: string, outcome: OutcomeUpdate): void;
  /**
   * Runs `work` in one transaction, the calls inside it nesting as savepoints: the pending marks of a batch of
   * mutations, or the outcomes of its answer, cost one commit instead of one per row. Throws what `work` throws,
   * having written nothing of it.
   */
  inTransaction<T>(work: () => T): T;
}

/** Creates the sync state over the checkpoint's database; outcomes go through `journal` in the same transaction. */
export function createSyncState(
  db: Database.Database,
  journal: Pick<RunJournal, 'setOutcomes'>,
  now: () => Date,
): SyncState {
  const stmt = {
    known: db.prepare(
      `SELECT c.retailer_id AS retailerId, c.username, c.oms_id AS omsId, c.hash, c.not_taken_hash AS notTakenHash,
              c.applied_run AS appliedRun, r.status AS appliedRunStatus
       FROM customers c LEFT JOIN runs r ON r.run_id = c.applied_run
       WHERE c.api_host = ? AND c.username_key = ?`,
    ),
    pending: db.prepare(
      `SELECT run_id AS runId, kind, row, changes_json AS changes FROM pending
       WHERE api_host = ? AND retailer_id = ? AND username_key = ?`,
    ),
    // The keys travel as one JSON array; each is then a primary-key probe.
    knownOf: db
      .prepare(
        `SELECT c.username_key, c.retailer_id, c.username, c.oms_id, c.hash, c.not_taken_hash, c.applied_run, r.status
         FROM customers c LEFT JOIN runs r ON r.run_id = c.applied_run
         WHERE c.api_host = ? AND c.username_key IN (SELECT value FROM json_each(?))`,
      )
      .raw(),
    pendingOf: db.prepare(
      `SELECT username_key AS usernameKey, run_id AS runId, kind, row, changes_json AS changes FROM pending
       WHERE api_host = ? AND retailer_id = ? AND username_key IN (SELECT value FROM json_each(?))`,
    ),
    insertPending: db.prepare(
      `INSERT OR REPLACE INTO pending (api_host, retailer_id, username_key, run_id, kind, started_at, row, changes_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deletePending: db.prepare('DELETE FROM pending WHERE api_host = ? AND retailer_id = ? AND username_key = ?'),
    upsertCustomer: db.prepare(
      `INSERT INTO customers (api_host, retailer_id, username_key, username, oms_id, hash, not_taken_hash, applied_run,
         applied_at)
       VALUES (@apiHost, @retailerId, @usernameKey, @username, @omsId, @hash, @notTakenHash, @runId, @at)
       ON CONFLICT (api_host, username_key, retailer_id) DO UPDATE SET
         username = excluded.username, oms_id = COALESCE(excluded.oms_id, customers.oms_id), hash = excluded.hash,
         not_taken_hash = excluded.not_taken_hash, applied_run = excluded.applied_run, applied_at = excluded.applied_at`,
    ),
    forgetHash: db.prepare(
      "UPDATE customers SET hash = '', not_taken_hash = NULL WHERE api_host = ? AND retailer_id = ? AND username_key = ?",
    ),
  };

  return {
    known: (apiHost, key) => stmt.known.all(apiHost, key) as KnownCustomer[],
    pending(scope, key) {
      const row = stmt.pending.get(scope.apiHost, scope.retailerId, key) as PendingRow | undefined;
      return row && toPending(row);
    },
    knownOf(apiHost, keys) {
      const known = new Map<string, KnownCustomer[]>();
      for (const [
        key,
        retailerId,
        username,
        omsId,
        hash,
        notTakenHash,
        appliedRun,
        appliedRunStatus,
      ] of stmt.knownOf.all(apiHost, JSON.stringify(keys)) as KnownRow[]) {
        const entry: KnownCustomer = { retailerId, username, omsId, hash, notTakenHash, appliedRun, appliedRunStatus };
        const list = known.get(key);
        if (list) list.push(entry);
        else known.set(key, [entry]);
      }
      return known;
    },
    pendingOf(scope, keys) {
      const rows = stmt.pendingOf.all(scope.apiHost, scope.retailerId, JSON.stringify(keys)) as (PendingRow & {
        usernameKey: string;
      })[];
      return new Map(rows.map(({ usernameKey: key, ...mark }) => [key, toPending(mark)]));
    },
    markPending(scope, key, runId, kind, sent) {
      const changes = sent ? JSON.stringify(sent.changes) : null;
      stmt.insertPending.run(
        scope.apiHost,
        scope.retailerId,
        key,
        runId,
        kind,
        now().toISOString(),
        sent?.row ?? null,
        changes,
      );
    },
    recordApplied: db.transaction((scope, runId, entry, outcome) => {
      const key = usernameKey(entry.username);
      stmt.upsertCustomer.run({
        ...scope,
        usernameKey: key,
        username: entry.username,
        omsId: entry.omsId,
        hash: entry.hash,
        notTakenHash: entry.notTakenHash ?? null,
        runId: entry.appliedBy,
        at: now().toISOString(),
      });
      stmt.deletePending.run(scope.apiHost, scope.retailerId, key);
      journal.setOutcomes(runId, [outcome]);
    }),
    recordUnapplied: db.transaction((scope, runId, key, outcome) => {
      stmt.deletePending.run(scope.apiHost, scope.retailerId, key);
      journal.setOutcomes(runId, [outcome]);
    }),
    recordDoubted: db.transaction((scope, runId, key, outcome) => {
      stmt.forgetHash.run(scope.apiHost, scope.retailerId, key);
      stmt.deletePending.run(scope.apiHost, scope.retailerId, key);
      journal.setOutcomes(runId, [outcome]);
    }),
    inTransaction: (work) => db.transaction(work)(),
  };
}

/** A pending mark as stored: the changes as JSON, row and changes NULL for a mark of an older layout. */
interface PendingRow {
  runId: string;
  kind: 'create' | 'update';
  row: number | null;
  changes: string | null;
}

function toPending({ runId, kind, row, changes }: PendingRow): PendingMutation {
  const mark: PendingMutation = { runId, kind };
  if (row !== null && changes !== null) {
    mark.row = row;
    mark.changes = JSON.parse(changes) as FieldChange[];
  }
  return mark;
}

/** username_key, retailer_id, username, oms_id, hash, not_taken_hash, applied_run, and the applying run's status. */
type KnownRow = [string, string, string, string | null, string, string | null, string, string | null];
