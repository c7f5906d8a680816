import pLimit from 'p-limit';
import type { RunJournal } from '../checkpoint/runJournal.js';
import type { CheckpointScope, SyncState } from '../checkpoint/syncState.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import { checkCreated } from '../plan/decideRow.js';
import { usernameKey } from '../shared/usernameKey.js';

/** Usernames per lookup of the check: many, since each is expected to come back alone (it costs 1 in 5 rows' share). */
const VERIFY_BATCH = 250;

/** Created rows read from the journal at a time. */
const PAGE = 1_000;

/**
 * Looks up every username the run created, in batches (SPEC §3, account-wide uniqueness): a writer the checks before
 * the create could not see — another retailer's run, a person in the console — may have made the same username in the
 * meantime. Such a row becomes a `conflict` naming the other holder, and the checkpoint forgets its hash so the next run
 * looks it up again instead of calling it unchanged. Returns how many rows it turned into conflicts.
 */
export async function verifyCreated(input: {
  journal: Pick<RunJournal, 'createdRows'>;
  syncState: Pick<SyncState, 'recordDoubted'>;
  runId: string;
  scope: CheckpointScope;
  client: Pick<FluentClient, 'findCustomers'>;
  concurrency: number;
}): Promise<number> {
  const { journal, runId, scope, client } = input;
  const limit = pLimit(input.concurrency);
  let conflicts = 0;
  for (let after = 0; ; ) {
    const rows = journal.createdRows(runId, after, PAGE);
    const last = rows.at(-1);
    if (!last) return conflicts;
    after = last.row;
    const batches: (typeof rows)[] = [];
    for (let i = 0; i < rows.length; i += VERIFY_BATCH) batches.push(rows.slice(i, i + VERIFY_BATCH));
    await Promise.all(
      batches.map((batch) =>
        limit(async () => {
          const matches = await client.findCustomers(batch.map((r) => r.username));
          for (const row of batch) {
            const key = usernameKey(row.username);
            const own = matches.filter((m) => usernameKey(m.username) === key);
            const reason = checkCreated(row.username, scope.retailerId, own);
            if (reason === undefined) continue;
            conflicts++;
            const full = row.reason === '' ? reason : `${reason}; ${row.reason}`;
            const outcome = { row: row.row, outcome: 'conflict', reason: full, conflict: 'concurrent' } as const;
            input.syncState.recordDoubted(scope, runId, key, outcome);
          }
        }),
      ),
    );
  }
}
