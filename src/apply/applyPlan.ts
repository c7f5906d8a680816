import type { RunJournal } from '../checkpoint/runJournal.js';
import type { CheckpointScope, SyncState } from '../checkpoint/syncState.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import type { Logger } from '../log.js';
import { sentByKilledRun } from '../plan/creditKilledRun.js';
import type { RowFacts } from '../plan/decisionTypes.js';
import { SYNC_ROW_PLAN, type SyncRow } from '../plan/rowPlan.js';
import type { WriteMode } from '../types.js';
import { createRecorder } from './createRecorder.js';
import { runSendLoop } from './runSendLoop.js';

/** Open rows read from the checkpoint at a time. */
const PAGE = 1_000;

export interface ApplyInput {
  journal: Pick<RunJournal, 'openRows' | 'setOutcomes' | 'addDiffs' | 'creditRow'>;
  syncState: SyncState;
  runId: string;
  scope: CheckpointScope;
  client: Pick<FluentClient, 'findCustomers' | 'createCustomer' | 'updateCustomer' | 'mutateBatch'>;
  dryRun: boolean;
  /** `--mode`; upsert when not given. */
  writeMode?: WriteMode;
  /** `--batch`: creates and updates aliased in one request, filled from one lookup's rows; default 1 (one each). */
  batch?: number;
  fullCompare: boolean;
  concurrency: number;
  maxErrorRate: number;
  /** Rows already settled before this stage (rejected, duplicate, skipped): part of the error-rate base. */
  settledRows: number;
  log: Logger;
  signal: AbortSignal;
  onRowDone: () => void;
}

/**
 * Carries out the plan for every open row of a sync or dry run (SPEC §3) through the send loop, with decideRow's
 * decisions. Staging already settled every row the checkpoint alone decides (plan/settleFromCheckpoint), under the
 * run's lock, so each row still open needs the OMS: it is looked up, decided from what the OMS holds, and sent.
 *
 * @returns why the run stopped early (credentials refused, OMS unreachable, permission missing, error rate, signal)
 */
export async function applyPlan(input: ApplyInput): Promise<{ abortReason?: string }> {
  const { journal, syncState, runId, scope } = input;
  return runSendLoop({
    pages: openRowPages(input),
    plan: SYNC_ROW_PLAN,
    client: input.client,
    recorder: createRecorder({ journal, syncState, runId, scope }),
    concurrency: input.concurrency,
    batch: input.batch ?? 1,
    maxErrorRate: input.maxErrorRate,
    settledRows: input.settledRows,
    log: input.log,
    signal: input.signal,
    onRowDone: input.onRowDone,
  });
}

/** The run's open rows a page at a time, each with its facts from the checkpoint: two queries a page. */
function* openRowPages(input: ApplyInput): Generator<SyncRow[]> {
  const { journal, syncState, runId, scope } = input;
  for (let after = 0; ; ) {
    const rows = journal.openRows(runId, after, PAGE);
    const last = rows.at(-1);
    if (!last) return;
    after = last.row;
    const keys = rows.map((row) => row.usernameKey);
    const known = syncState.knownOf(scope.apiHost, keys);
    const pending = syncState.pendingOf(scope, keys);
    yield rows.map((row) => {
      const facts: RowFacts = {
        customer: row.customer,
        hash: row.hash,
        notes: row.notes,
        retailerId: scope.retailerId,
        runId,
        mode: input.dryRun ? 'dry-run' : 'apply',
        writeMode: input.writeMode,
        fullCompare: input.fullCompare,
        known: known.get(row.usernameKey) ?? [],
        pending: pending.get(row.usernameKey),
      };
      const { row: number, username, usernameKey, hash } = row;
      return { row: number, username, usernameKey, hash, facts, sentBefore: sentByKilledRun(facts.pending, runId) };
    });
  }
}
