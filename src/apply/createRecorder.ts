import type { OutcomeUpdate, RunJournal } from '../checkpoint/runJournal.js';
import type { CheckpointScope, SyncState } from '../checkpoint/syncState.js';
import type { Send, Settle } from '../plan/decisionTypes.js';
import type { LoopRow } from '../plan/rowPlan.js';

/** Where the send loop writes what it learns, durably, before it counts a row. */
export interface Recorder {
  /** A row's decision: its diff lines, its outcome and what the sync state records, in one transaction. */
  settle(row: LoopRow, decision: Settle): void;
  /** Before the request leaves: these rows' mutations are about to be sent (their pending marks), in one transaction. */
  markSent(sends: readonly { row: LoopRow; send: Send }[]): void;
  /** Runs `work` in one transaction (the settles of a batch's answer cost one commit). */
  inTransaction<T>(work: () => T): T;
}

/**
 * The send loop's recorder over the run's checkpoint: each decision's diff lines, the row's outcome, the sync state's
 * record (applied hash or the hash of what Fluent holds, pending mark cleared, hash doubted) and the killed run's row it credits, in one transaction,
 * so a run killed at any moment leaves the row either wholly recorded or open with its pending mark, never half of it.
 * A pending mark keeps what its mutation sends (the row and the planned changes), for the run that finds it applied.
 */
export function createRecorder(input: {
  journal: Pick<RunJournal, 'setOutcomes' | 'addDiffs' | 'creditRow'>;
  syncState: Pick<SyncState, 'markPending' | 'recordApplied' | 'recordUnapplied' | 'recordDoubted' | 'inTransaction'>;
  runId: string;
  scope: CheckpointScope;
}): Recorder {
  const { journal, syncState, runId, scope } = input;
  return {
    settle(row, decision) {
      const outcome: OutcomeUpdate = {
        row: row.row,
        outcome: decision.outcome,
        reason: decision.reason,
        changedFields: decision.changes.map((c) => c.field),
        customerId: decision.customerId,
        ...(decision.conflict ? { conflict: decision.conflict } : {}),
        ...(decision.notTaken ? { notTaken: decision.notTaken } : {}),
      };
      syncState.inTransaction(() => {
        if (decision.changes.length > 0) journal.addDiffs(runId, decision.changes, row.row);
        const { credit } = decision;
        if (credit) {
          const reason = `applied; recorded by run ${runId}, which found it applied after this run ended without its answer`;
          const changedFields = credit.changes.map((c) => c.field);
          const update = {
            row: credit.row,
            outcome: credit.outcome,
            reason,
            changedFields,
            customerId: credit.customerId,
          };
          journal.creditRow(credit.runId, row.usernameKey, update, credit.changes);
        }
        const { record } = decision;
        switch (record.kind) {
          case 'applied': {
            const entry = { username: row.username, omsId: record.omsId, hash: row.hash, appliedBy: record.appliedBy };
            syncState.recordApplied(scope, runId, entry, outcome);
            break;
          }
          case 'notTaken': {
            // What Fluent holds, and the row's content as sent and not taken: see StateRecord.
            const entry = { username: row.username, omsId: record.omsId, hash: record.heldHash, appliedBy: runId };
            syncState.recordApplied(scope, runId, { ...entry, notTakenHash: row.hash }, outcome);
            break;
          }
          case 'unapplied':
            syncState.recordUnapplied(scope, runId, row.usernameKey, outcome);
            break;
          case 'doubted':
            syncState.recordDoubted(scope, runId, row.usernameKey, outcome);
            break;
          case 'none':
            journal.setOutcomes(runId, [outcome]);
        }
      });
    },
    markSent(sends) {
      syncState.inTransaction(() => {
        for (const { row, send } of sends) {
          const sent = { row: row.row, changes: send.action.changes };
          syncState.markPending(scope, row.usernameKey, runId, send.action.kind, sent);
        }
      });
    },
    inTransaction: (work) => syncState.inTransaction(work),
  };
}
