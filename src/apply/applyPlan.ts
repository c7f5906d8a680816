import pLimit from 'p-limit';
import type { Checkpoint, CheckpointScope, OpenRow, OutcomeUpdate } from '../checkpoint/openCheckpoint.js';
import { AbortError } from '../errors.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import { AmbiguousMutationError, FluentDataError } from '../fluent/errors.js';
import type { Logger } from '../log.js';
import { planAction } from '../plan/planAction.js';
import type { Action, OmsCustomer } from '../types.js';

/** Usernames per `customers(username: [...])` lookup: SPEC §5 allows at most one lookup per 50 rows. */
export const LOOKUP_BATCH = 50;

/** Open rows read from the checkpoint at a time. */
const PAGE = 1_000;

/** A lost response is resolved by lookup; after this many lost responses for one row it is `failed`. */
const MAX_AMBIGUOUS_ROUNDS = 4;

/** The error-rate guard starts once this many rows are done (SPEC §2). */
const ERROR_RATE_MIN_ROWS = 100;

export interface ApplyInput {
  store: Checkpoint;
  runId: string;
  /** Checkpoint entries are keyed by API host and retailer, so one host's rows never look unchanged on another. */
  scope: CheckpointScope;
  client: FluentClient;
  dryRun: boolean;
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
 * Plans and applies every open row of the run (SPEC §3): rows whose content hash matches what the checkpoint last
 * applied are `unchanged` with no request; the rest are looked up across the account in batches, planned by
 * `planAction`, and created or updated (not in a dry run). Each outcome is written to the checkpoint before it is
 * counted, and a mutation is marked pending before it is sent, so a killed run resumes without a duplicate.
 *
 * @returns why the run stopped early (credentials refused, OMS unreachable, error rate, signal), if it did
 */
export async function applyPlan(input: ApplyInput): Promise<{ abortReason?: string }> {
  const { store, runId, scope, client, log } = input;
  const limit = pLimit(input.concurrency);
  // Backpressure counts rows, not tasks: one lookup task fans out into up to 50 mutations. A single waiter (the
  // page loop) is woken as rows settle, so there is no per-task bookkeeping to grow with the run.
  const maxRowsInFlight = Math.max(4 * LOOKUP_BATCH, 8 * input.concurrency);
  let rowsInFlight = 0;
  let tasks = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const until = async (ready: () => boolean) => {
    while (!ready()) await new Promise<void>((resolve) => (wake = resolve));
  };
  let abortReason: string | undefined;
  let done = input.settledRows;
  let failed = 0;

  const stop = (reason: string) => {
    if (abortReason === undefined) {
      abortReason = reason;
      log.warn(`stopping: ${reason}; finishing the requests in flight`);
      notify();
    }
  };
  const onAbort = () => stop(`stopped by ${String(input.signal.reason ?? 'a signal')}`);
  input.signal.addEventListener('abort', onAbort, { once: true });
  if (input.signal.aborted) onAbort();

  const counted = (outcome: OutcomeUpdate) => {
    rowsInFlight--;
    notify();
    done++;
    if (outcome.outcome === 'failed') failed++;
    input.onRowDone();
    if (done >= ERROR_RATE_MIN_ROWS && failed / done > input.maxErrorRate) {
      stop(
        `${failed} of ${done} rows failed (${percent(failed / done)}), over --max-error-rate ${percent(input.maxErrorRate)}`,
      );
    }
  };
  const settle = (outcomes: OutcomeUpdate[]) => {
    store.setOutcomes(runId, outcomes);
    for (const o of outcomes) counted(o);
  };

  /** Records that the OMS now holds the row's content (applied or verified), then counts it. */
  const settleApplied = (row: OpenRow, omsId: string | null, outcome: OutcomeUpdate, appliedBy = runId) => {
    if (input.dryRun) {
      store.setOutcomes(runId, [outcome]);
    } else {
      store.recordApplied(scope, runId, { username: row.username, omsId, hash: row.hash, appliedBy }, outcome);
    }
    counted(outcome);
  };

  const run = (task: () => Promise<void>) => {
    tasks++;
    task()
      .catch((error: unknown) => {
        if (error instanceof AbortError) stop(error.message);
        else stop(`unexpected error: ${(error as Error).message}`);
      })
      .finally(() => {
        tasks--;
        notify();
      });
  };

  /** Applies one planned create or update, resolving lost responses by looking the username up. */
  const mutate = async (row: OpenRow, first: Action & { kind: 'create' | 'update' }) => {
    // Queued before a stop: leave the row open, so it is reported as not processed and the next run takes it.
    if (abortReason !== undefined) return;
    let action: Action = first;
    let lost = '';
    const kind = first.kind;
    store.markPending(scope, row.usernameKey, runId, kind);
    for (let round = 1; round <= MAX_AMBIGUOUS_ROUNDS; round++) {
      if (action.kind !== 'create' && action.kind !== 'update') break;
      try {
        const result =
          action.kind === 'create'
            ? await client.createCustomer(action.input)
            : await client.updateCustomer(action.input);
        store.addDiffs(runId, action.changes);
        const outcome = action.kind === 'create' ? 'created' : 'updated';
        const why = [
          lost && `sent again after a lost response (${lost}) that the lookup showed was not applied`,
          action.kind === 'update' ? action.note : '',
        ]
          .filter(Boolean)
          .join('; ');
        settleApplied(row, result.id, {
          row: row.row,
          outcome,
          reason: why,
          changedFields: action.changes.map((c) => c.field),
        });
        return;
      } catch (error) {
        const duplicateCreate = error instanceof FluentDataError && error.alreadyExists && action.kind === 'create';
        if (!(error instanceof AmbiguousMutationError) && !duplicateCreate) {
          if (error instanceof FluentDataError) {
            const outcome = {
              row: row.row,
              outcome: 'failed' as const,
              reason: `Fluent refused the ${action.kind}: ${error.message}`,
            };
            store.recordUnapplied(scope, runId, row.usernameKey, outcome);
            counted(outcome);
            return;
          }
          throw error;
        }
        // The mutation may have been applied (or someone created the username meanwhile): look before anything else.
        lost = error instanceof AmbiguousMutationError ? error.detail : 'Fluent said it already exists';
        log.debug(`resolving ${row.username} by lookup: ${lost}`);
        const matches = await client.findCustomers([row.username]);
        const next = planAction(row.customer, matchesOf(matches, row.username), scope.retailerId);
        if (next.kind === 'unchanged') {
          // The OMS now holds exactly the row: our mutation took effect.
          const changes = action.changes;
          store.addDiffs(runId, changes);
          settleApplied(row, ownId(matches, row.username, scope.retailerId), {
            row: row.row,
            outcome: kind === 'create' ? 'created' : 'updated',
            reason: `confirmed by lookup after a lost response (${lost})`,
            changedFields: changes.map((c) => c.field),
          });
          return;
        }
        if (next.kind === 'conflict' || next.kind === 'rejected') {
          const outcome = { row: row.row, outcome: next.kind, reason: next.reason };
          store.recordUnapplied(scope, runId, row.usernameKey, outcome);
          counted(outcome);
          return;
        }
        action = next;
      }
    }
    const reason = `no confirmed answer after ${MAX_AMBIGUOUS_ROUNDS} attempts (last: ${lost}); the lookup shows it was not applied`;
    const outcome = { row: row.row, outcome: 'failed' as const, reason };
    store.recordUnapplied(scope, runId, row.usernameKey, outcome);
    counted(outcome);
  };

  /** Plans each looked-up row and settles or schedules it. */
  const handleLookedUp = (rows: readonly OpenRow[], matches: readonly OmsCustomer[]) => {
    const settled: OutcomeUpdate[] = [];
    for (const row of rows) {
      const own = matchesOf(matches, row.username);
      const action = planAction(row.customer, own, scope.retailerId);
      const pending = store.pendingMutation(scope, row.usernameKey);
      const pendingRun = pending && pending.runId !== runId ? pending.runId : undefined;
      switch (action.kind) {
        case 'conflict':
        case 'rejected':
          settled.push({ row: row.row, outcome: action.kind, reason: action.reason });
          break;
        case 'unchanged': {
          const reason = pendingRun ? `applied by run ${pendingRun}` : action.reason;
          const omsId = ownId(matches, row.username, scope.retailerId);
          settleApplied(row, omsId, { row: row.row, outcome: 'unchanged', reason }, pendingRun ?? runId);
          break;
        }
        case 'create':
        case 'update':
          if (input.dryRun) {
            store.addDiffs(runId, action.changes);
            settled.push({
              row: row.row,
              outcome: action.kind === 'create' ? 'created' : 'updated',
              reason: action.kind === 'update' ? action.note : '',
              changedFields: action.changes.map((c) => c.field),
            });
          } else if (abortReason === undefined) {
            run(() => limit(() => mutate(row, action)));
          }
          break;
      }
    }
    settle(settled);
  };

  let after = 0;
  pages: while (abortReason === undefined) {
    const rows = store.openRows(runId, after, PAGE);
    const last = rows[rows.length - 1];
    if (!last) break;
    after = last.row;
    const toLookUp: OpenRow[] = [];
    const local: OutcomeUpdate[] = [];
    for (const row of rows) {
      const known = store.knownCustomers(scope.apiHost, row.usernameKey);
      const elsewhere = known.find((k) => k.retailerId !== scope.retailerId);
      const mine = known.find((k) => k.retailerId === scope.retailerId);
      if (elsewhere) {
        local.push({
          row: row.row,
          outcome: 'conflict',
          reason: `username is already held by retailer ${elsewhere.retailerId} (run ${elsewhere.appliedRun} synced it)`,
        });
      } else if (mine && mine.hash === row.hash && !input.fullCompare) {
        // A run pruned from the history (status null) had completed long ago; only a run that never finished
        // is named as the one that applied the row, as a resumed run's report must say (SPEC §3).
        const interrupted =
          mine.appliedRunStatus !== null && mine.appliedRunStatus !== 'completed' && mine.appliedRun !== runId;
        local.push({
          row: row.row,
          outcome: 'unchanged',
          reason: interrupted ? `applied by run ${mine.appliedRun}` : `same as applied by run ${mine.appliedRun}`,
        });
      } else {
        toLookUp.push(row);
      }
    }
    rowsInFlight += local.length;
    settle(local);
    for (let i = 0; i < toLookUp.length; i += LOOKUP_BATCH) {
      // Keep a bounded number of rows queued, so memory stays flat on big files.
      await until(() => rowsInFlight < maxRowsInFlight || abortReason !== undefined);
      if (abortReason !== undefined) break pages;
      const batch = toLookUp.slice(i, i + LOOKUP_BATCH);
      rowsInFlight += batch.length;
      run(async () => {
        const matches = await limit(() =>
          abortReason === undefined ? client.findCustomers(batch.map((r) => r.username)) : undefined,
        );
        if (matches && abortReason === undefined) handleLookedUp(batch, matches);
      });
    }
  }
  await until(() => tasks === 0);
  input.signal.removeEventListener('abort', onAbort);
  return abortReason === undefined ? {} : { abortReason };
}

/** The lookup answers for one username: exact matches, as Fluent compares them. */
function matchesOf(matches: readonly OmsCustomer[], username: string): OmsCustomer[] {
  return matches.filter((m) => m.username === username);
}

function ownId(matches: readonly OmsCustomer[], username: string, retailerId: string): string | null {
  return matches.find((m) => m.username === username && m.retailerId === retailerId)?.id ?? null;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
