import type { EnsureResult } from '../../api/apiTypes.js';
import { checkCredentials } from '../../apply/connectOms.js';
import type { ResolvedOptions } from '../../options/index.js';
import type { SettleRows } from '../../plan/decideStaging.js';
import { settleFromCheckpoint } from '../../plan/settleFromCheckpoint.js';
import { openRecords } from '../../read/openRecords.js';
import { usernameKey } from '../../shared/usernameKey.js';
import type { RowOutcome } from '../../types.js';
import type { Job } from '../runTypes.js';
import { type FileInput, fileJob } from './fileJob.js';
import { syncApply } from './syncJob.js';

/**
 * ensureCustomers (SPEC §7) as a job on the run skeleton: the records staged as the rows of a file would be
 * (openRecords, the same normaliseRow, the in-file duplicate rules), settled from the checkpoint where it knows the
 * customer and its id, the rest looked up in batches and the missing ones created through the send loop exactly as a
 * `sync --mode create-only` does (the uniqueness rules, pending marks, lost answers resolved by lookup, the check of
 * created usernames against other writers). A call whose customers the checkpoint all knows sends no request at all:
 * it does not even connect. Its report is written only into a --report-dir it is given. `results()` holds, once the run
 * has ended, one result per record in input order.
 */
export function ensureJob(
  records: readonly unknown[],
  options: ResolvedOptions,
  credentials: Parameters<typeof checkCredentials>[1],
): Job<FileInput> & { results(): EnsureResult[] } {
  // It creates what is missing and leaves what exists as it is: never an update.
  if (options.mode !== 'create-only') throw new Error('ensureCustomers runs as --mode create-only');
  const mode = options.dryRun ? 'dry-run' : 'apply';
  let open = 0;
  let results: EnsureResult[] | undefined;
  const job = fileJob(options, {
    mode,
    hookMode: mode,
    store: 'checkpoint',
    check: () => checkCredentials(options, credentials),
    openRows: async () => openRecords(records, options),
    apiHost: () => options.apiHost ?? '',
    settle: ({ checkpoint, runId }, scope) => {
      if (!checkpoint) throw new Error('ensureCustomers runs on the checkpoint');
      return withKnownIds(
        settleFromCheckpoint({ syncState: checkpoint.syncState, scope, runId, mode, fullCompare: options.fullCompare }),
      );
    },
    leavesRowsOpen: true,
    apply: () => syncApply(options, undefined),
  });
  return {
    ...job,
    writesReport: 'when-asked',
    // It connects only when a record is left to look up, which it knows once they are staged.
    connectsWhileReading: false,
    async stage(run, input, scope) {
      const staged = await job.stage(run, input, scope);
      open = run.journal.countOpenRows(run.runId);
      return staged;
    },
    apply: (read) => (open === 0 ? undefined : job.apply(read)),
    summarise(input, outcome) {
      const parts = job.summarise(input, outcome);
      return { ...parts, input: { path: options.file, format: 'records', ...input.source.digest() } };
    },
    finish({ journal, runId }) {
      results = toEnsureResults(journal.outcomes(runId));
    },
    results() {
      if (!results) throw new Error('ensureCustomers: the run has not ended');
      return results;
    },
  };
}

/**
 * The checkpoint's verdicts, but for a customer it calls unchanged without knowing its OMS id (recorded by an older
 * release): that one is looked up, since the caller needs the id.
 */
function withKnownIds(settle: SettleRows): SettleRows {
  return (rows) =>
    settle(rows).map((outcome) =>
      outcome?.kind === 'unchanged' && (outcome.customerId ?? null) === null ? undefined : outcome,
    );
}

/**
 * The run's row outcomes as ensureCustomers' results, in row (input) order. A `duplicate` is the customer of the row
 * it duplicates (same username, any case): it gets that row's id.
 */
export function toEnsureResults(outcomes: Iterable<RowOutcome>): EnsureResult[] {
  const results: EnsureResult[] = [];
  const ids = new Map<string, string>();
  for (const row of outcomes) {
    if (row.outcome === 'valid' || row.outcome === 'updated') {
      throw new Error(`ensureCustomers: row ${row.row} came out ${row.outcome}, which a create-only run never gives`);
    }
    const customerId = row.customerId === '' ? null : row.customerId;
    if (customerId !== null && row.outcome !== 'duplicate') ids.set(usernameKey(row.username), customerId);
    results.push({
      customerId,
      username: row.username === '' ? null : row.username,
      outcome: row.outcome,
      reason: row.reason,
    });
  }
  return results.map((result) =>
    result.outcome === 'duplicate' && result.customerId === null && result.username !== null
      ? { ...result, customerId: ids.get(usernameKey(result.username)) ?? null }
      : result,
  );
}
