import type { CheckpointScope, SyncState } from '../checkpoint/syncState.js';
import { usernameKey } from '../shared/usernameKey.js';
import { decideFromCheckpoint } from './decideRow.js';
import type { SettleRows } from './decideStaging.js';

/**
 * Settles, while staging, the rows the checkpoint alone decides (SPEC §3): `unchanged` by hash with no request at
 * all, `conflict` for a username held by another retailer or spelled in another case. The decision is
 * decideFromCheckpoint's; this gathers its facts from a read-only view of the sync state, one query per batch for the
 * whole batch. Nothing the sync state
 * knows changes before the apply stage (the run holds the checkpoint's lock), so a row settled here ends as it would
 * there, and costs no read-back and no second write. Rows it leaves open are looked up by the apply stage.
 */
export function settleFromCheckpoint(input: {
  syncState: Pick<SyncState, 'knownOf' | 'pendingOf'>;
  scope: CheckpointScope;
  runId: string;
  mode: 'apply' | 'dry-run';
  fullCompare: boolean;
}): SettleRows {
  const { syncState, scope } = input;
  return (rows) => {
    const keys = rows.map((row) => usernameKey(row.customer.username));
    const known = syncState.knownOf(scope.apiHost, keys);
    const pending = syncState.pendingOf(scope, keys);
    return rows.map((row, i) => {
      const key = keys[i] as string;
      const decision = decideFromCheckpoint({
        customer: row.customer,
        hash: row.hash,
        notes: row.notes.join('; '),
        retailerId: scope.retailerId,
        runId: input.runId,
        mode: input.mode,
        fullCompare: input.fullCompare,
        known: known.get(key) ?? [],
        pending: pending.get(key),
      });
      // Only a decision that records nothing but the outcome can be taken here; anything else is the apply stage's.
      if (decision.kind !== 'settle' || decision.record.kind !== 'none' || decision.changes.length > 0)
        return undefined;
      return { kind: decision.outcome, reason: decision.reason, customerId: decision.customerId };
    });
  };
}
