import type { ChangedCustomer } from '../checkpoint/runHistory.js';
import type { RunJournal } from '../checkpoint/runJournal.js';
import type { CheckpointScope, SyncState } from '../checkpoint/syncState.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import type { Logger } from '../log.js';
import { sentByKilledRun } from '../plan/creditKilledRun.js';
import { type UndoRow, undoRowPlan } from '../plan/decideUndo.js';
import type { Settle } from '../plan/decisionTypes.js';
import { usernameKey } from '../shared/usernameKey.js';
import { createRecorder } from './createRecorder.js';
import { runSendLoop } from './runSendLoop.js';

/**
 * Puts back what a run changed (SPEC §2 `undo`) through the send loop, with the undo's plan (plan/decideUndo): each
 * customer the run updated is looked up and sent its earlier values where the OMS still holds what the run set. The
 * customers come from `pages` in the order the undo staged them, so the n-th is the undo's row n. Lost answers are
 * resolved by lookup and every put-back is marked as sent first, so a killed undo is finished by running it again.
 *
 * @returns why the undo stopped early, if it did
 */
export async function applyUndo(input: {
  pages: Iterable<readonly ChangedCustomer[]>;
  journal: Pick<RunJournal, 'setOutcomes' | 'addDiffs' | 'creditRow'>;
  syncState: SyncState;
  runId: string;
  targetRunId: string;
  scope: CheckpointScope;
  client: Pick<FluentClient, 'findCustomers' | 'createCustomer' | 'updateCustomer' | 'mutateBatch'>;
  dryRun: boolean;
  concurrency: number;
  log: Logger;
  signal: AbortSignal;
  onRowDone: (decision: Settle) => void;
}): Promise<{ abortReason?: string }> {
  const { journal, syncState, runId, scope } = input;
  return runSendLoop({
    pages: undoRows(input),
    plan: undoRowPlan({ runId, targetRunId: input.targetRunId, retailerId: scope.retailerId, dryRun: input.dryRun }),
    client: input.client,
    recorder: createRecorder({ journal, syncState, runId, scope }),
    concurrency: input.concurrency,
    // One update per request, as an undo has always sent them; no error-rate guard: every customer is tried.
    batch: 1,
    maxErrorRate: undefined,
    settledRows: 0,
    log: input.log,
    signal: input.signal,
    onRowDone: input.onRowDone,
  });
}

/** The changed customers as the undo's rows, numbered as staged, each with its pending mark: one query a page. */
function* undoRows(input: Parameters<typeof applyUndo>[0]): Generator<UndoRow[]> {
  let row = 0;
  for (const page of input.pages) {
    const keys = page.map((customer) => usernameKey(customer.username));
    const pending = input.syncState.pendingOf(input.scope, keys);
    yield page.map((target, i) => {
      row++;
      const key = keys[i] as string;
      const mark = pending.get(key);
      const sentBefore = sentByKilledRun(mark, input.runId);
      return { row, username: target.username, usernameKey: key, hash: '', sentBefore, target, pending: mark };
    });
  }
}
