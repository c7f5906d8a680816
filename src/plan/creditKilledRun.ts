import type { PendingMutation } from '../checkpoint/syncState.js';
import type { OmsCustomer } from '../types.js';
import type { Credit } from './decisionTypes.js';
import { holdsChanges } from './verifyWrite.js';

/**
 * Whether a mutation of the row may have been applied before this run looked: a run that never finished marked one as
 * about to be sent (its pending mark) and ended before it recorded the answer.
 */
export function sentByKilledRun(pending: PendingMutation | undefined, runId: string): boolean {
  return pending !== undefined && pending.runId !== runId;
}

/**
 * The killed run's due, when the OMS shows its mutation applied (SPEC §3): its pending mark says what it sent, and
 * `own` (this retailer's customer of the username, as the lookup found it) holds every value it sent. That run's row
 * is then recorded as `created`/`updated` with those changes, so its report and its undo know of it. Undefined when no
 * other run's mark is there, when the mark is of a layout that kept no changes, or when the OMS does not hold them.
 */
export function creditKilledRun(
  pending: PendingMutation | undefined,
  runId: string,
  own: OmsCustomer | undefined,
): Credit | undefined {
  if (!pending || !sentByKilledRun(pending, runId) || pending.row === undefined || !pending.changes) return undefined;
  if (!own || !holdsChanges(pending.changes, own)) return undefined;
  return {
    runId: pending.runId,
    row: pending.row,
    outcome: pending.kind === 'create' ? 'created' : 'updated',
    changes: pending.changes,
    customerId: own.id,
  };
}
