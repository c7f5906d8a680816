import pLimit from 'p-limit';
import type { OpenRow, OutcomeUpdate, RunJournal } from '../checkpoint/runJournal.js';
import type { CheckpointScope, KnownCustomer, PendingMutation, SyncState } from '../checkpoint/syncState.js';
import { AbortError } from '../errors.js';
import type { BatchResult, FluentClient } from '../fluent/createFluentClient.js';
import { AmbiguousMutationError, FluentDataError } from '../fluent/errors.js';
import type { Logger } from '../log.js';
import {
  decideFromCheckpoint,
  decideFromLookup,
  type RowFacts,
  resolveUnanswered,
  type Send,
  type Settle,
  settleRefused,
  settleSent,
} from '../plan/decideRow.js';
import type { OmsCustomer, WriteMode } from '../types.js';
import { usernameKey } from '../usernameKey.js';

/**
 * Usernames per `customers(username: [...])` lookup. SPEC §5 allows at most one lookup per 50 rows, all lookups
 * counted: 100 a lookup leaves room for the check of created usernames after the apply (VERIFY_BATCH) within it.
 */
export const LOOKUP_BATCH = 100;

/** Open rows read from the checkpoint at a time. */
const PAGE = 1_000;

/** The error-rate guard starts once this many rows are done (SPEC §2). */
const ERROR_RATE_MIN_ROWS = 100;

export interface ApplyInput {
  journal: Pick<RunJournal, 'openRows' | 'setOutcomes' | 'addDiffs'>;
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
 * Schedules and carries out the plan for every open row of the run (SPEC §3); every decision comes from `plan/`.
 * Rows are first decided from the checkpoint alone (no request); the rest are looked up across the account in batches
 * of 50 and decided from what the OMS holds; creates and updates are sent with p-limit concurrency, one per request or
 * (`--batch N`) up to N aliased in one request, each alias settling its own row. Each outcome is
 * written to the checkpoint before it is counted, and a mutation is marked pending before it is sent, so a killed run
 * resumes without a duplicate. An answer that cannot be trusted is resolved by a fresh lookup, never a blind resend.
 *
 * @returns why the run stopped early (credentials refused, OMS unreachable, permission missing, error rate, signal)
 */
export async function applyPlan(input: ApplyInput): Promise<{ abortReason?: string }> {
  const { journal, syncState, runId, scope, client, log } = input;
  const limit = pLimit(input.concurrency);
  const batchSize = Math.max(1, input.batch ?? 1);
  // Backpressure counts rows, not tasks: one lookup task fans out into up to 50 mutations. A single waiter (the
  // page loop) is woken as rows settle, so there is no per-task bookkeeping to grow with the run. A batch carries
  // up to `--batch` rows per request: enough rows for every concurrent request to carry a full one, twice over.
  const maxRowsInFlight = Math.max(4 * LOOKUP_BATCH, 8 * input.concurrency, 2 * input.concurrency * (input.batch ?? 1));
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

  const count = (outcomes: readonly OutcomeUpdate[]) => {
    for (const outcome of outcomes) {
      rowsInFlight--;
      done++;
      if (outcome.outcome === 'failed') failed++;
      input.onRowDone();
    }
    notify();
    if (done >= ERROR_RATE_MIN_ROWS && failed / done > input.maxErrorRate) {
      stop(
        `${failed} of ${done} rows failed (${percent(failed / done)}), over --max-error-rate ${percent(input.maxErrorRate)}`,
      );
    }
  };

  /** Carries out a settled decision: diffs, sync state and outcome, durably, then counts the row. */
  const settle = (row: OpenRow, decision: Settle) => {
    // --verbose: each row's decision, by outcome and changed field names only (reasons may quote values).
    const changed = decision.changes.length > 0 ? ` (${decision.changes.map((c) => c.field).join(', ')})` : '';
    log.debug(`row ${row.row} ${row.username}: ${decision.outcome}${changed}`);
    const outcome: OutcomeUpdate = {
      row: row.row,
      outcome: decision.outcome,
      reason: decision.reason,
      changedFields: decision.changes.map((c) => c.field),
      customerId: decision.customerId,
    };
    if (decision.changes.length > 0) journal.addDiffs(runId, decision.changes, row.row);
    const { record } = decision;
    if (record.kind === 'applied') {
      const entry = { username: row.username, omsId: record.omsId, hash: row.hash, appliedBy: record.appliedBy };
      syncState.recordApplied(scope, runId, entry, outcome);
    } else if (record.kind === 'unapplied') {
      syncState.recordUnapplied(scope, runId, row.usernameKey, outcome);
    } else {
      journal.setOutcomes(runId, [outcome]);
    }
    count([outcome]);
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

  const factsOf = (row: OpenRow, known: readonly KnownCustomer[], pending: PendingMutation | undefined): RowFacts => ({
    customer: row.customer,
    hash: row.hash,
    notes: row.notes,
    retailerId: scope.retailerId,
    runId,
    mode: input.dryRun ? 'dry-run' : 'apply',
    writeMode: input.writeMode,
    fullCompare: input.fullCompare,
    known,
    pending,
  });

  /**
   * Sends one row's mutation until it settles, resolving every untrustworthy answer by lookup. `sentBefore`: a batch
   * of this run already sent it and may have applied it.
   */
  const mutate = async (row: OpenRow, facts: RowFacts, first: Send, sentBefore = false) => {
    // Queued before a stop: leave the row open, so it is reported as not processed and the next run takes it.
    if (abortReason !== undefined) return;
    syncState.markPending(scope, row.usernameKey, runId, first.action.kind);
    let sending = first;
    let mayHaveAppliedBefore = sentBefore || (facts.pending !== undefined && facts.pending.runId !== runId);
    for (let round = 1; ; round++) {
      let unanswered: { kind: 'lost' | 'exists'; detail: string };
      try {
        const { action } = sending;
        const result =
          action.kind === 'create'
            ? await client.createCustomer(action.input)
            : await client.updateCustomer(action.input);
        settle(row, settleSent(facts, sending, result.id));
        return;
      } catch (error) {
        if (error instanceof AmbiguousMutationError) {
          unanswered = { kind: 'lost', detail: error.detail };
        } else if (error instanceof FluentDataError && error.alreadyExists && sending.action.kind === 'create') {
          unanswered = { kind: 'exists', detail: error.message };
        } else if (error instanceof FluentDataError) {
          settle(row, settleRefused(facts, sending, error.message));
          return;
        } else {
          throw error;
        }
      }
      log.debug(`resolving ${row.username} by lookup: ${unanswered.detail}`);
      const matches = await client.findCustomers([row.username]);
      const next = resolveUnanswered(facts, sending, { ...unanswered, round, mayHaveAppliedBefore }, matches);
      if (unanswered.kind === 'lost') mayHaveAppliedBefore = true;
      if (next.kind === 'settle') {
        settle(row, next);
        return;
      }
      sending = next;
    }
  };

  /**
   * Sends a batch of rows' mutations in one request until every row settles (`--batch N`). Every row is marked pending
   * before the request leaves. Each alias's answer settles its own row; the rows whose answer is lost (the whole
   * answer, or one alias's) are resolved by one lookup of all their usernames, and only those the lookup shows
   * unapplied are sent again, together. A request Fluent refuses as a whole applied nothing: its rows go one by one.
   * A missing permission on any alias stops the run once what was applied is recorded.
   */
  const mutateBatch = async (first: readonly Sending[]) => {
    if (abortReason !== undefined) return;
    syncState.inTransaction(() => {
      for (const { row, send } of first) syncState.markPending(scope, row.usernameKey, runId, send.action.kind);
    });
    let sending = first;
    for (let round = 1; sending.length > 0; round++) {
      let results: readonly (BatchResult | undefined)[];
      try {
        const answer = await client.mutateBatch(sending.map(({ send }) => send.action));
        results = answer.results;
        syncState.inTransaction(() => settleAnswered(sending, results));
        if (answer.denied) throw answer.denied;
      } catch (error) {
        if (error instanceof AmbiguousMutationError) {
          results = sending.map(() => ({ kind: 'lost', detail: error.detail }));
        } else if (error instanceof FluentDataError) {
          log.debug(
            `Fluent refused a batch of ${sending.length} as a whole (${error.message}); sending them one by one`,
          );
          for (const { row, facts, send, mayHaveAppliedBefore } of sending) {
            if (abortReason === undefined) run(() => limit(() => mutate(row, facts, send, mayHaveAppliedBefore)));
          }
          return;
        } else {
          throw error;
        }
      }
      const unanswered = sending.flatMap((item, i): { item: Sending; kind: 'lost' | 'exists'; detail: string }[] => {
        const result = results[i];
        if (result === undefined || result.kind === 'lost') {
          return [{ item, kind: 'lost', detail: result?.detail ?? 'no answer for it in the batch' }];
        }
        if (result?.kind === 'refused' && result.error.alreadyExists && item.send.action.kind === 'create') {
          return [{ item, kind: 'exists', detail: result.error.message }];
        }
        return [];
      });
      if (unanswered.length === 0) return;
      log.debug(`resolving ${unanswered.length} rows of a batch by one lookup: ${unanswered[0]?.detail}`);
      const matches = await client.findCustomers(unanswered.map(({ item }) => item.row.username));
      const next: Sending[] = [];
      syncState.inTransaction(() => {
        for (const { item, kind, detail } of unanswered) {
          const { row, facts, send } = item;
          const unknown = { kind, detail, round, mayHaveAppliedBefore: item.mayHaveAppliedBefore };
          const decision = resolveUnanswered(facts, send, unknown, matchesOf(matches, row.usernameKey));
          const mayHaveAppliedBefore = item.mayHaveAppliedBefore || kind === 'lost';
          if (decision.kind === 'settle') settle(row, decision);
          else next.push({ row, facts, send: decision, mayHaveAppliedBefore });
        }
      });
      sending = next;
    }
  };

  /** Settles the rows whose alias Fluent answered for good: applied, or refused (but not as already existing). */
  const settleAnswered = (sending: readonly Sending[], results: readonly (BatchResult | undefined)[]) => {
    sending.forEach(({ row, facts, send }, i) => {
      const result = results[i];
      if (result?.kind === 'done') settle(row, settleSent(facts, send, result.customer.id));
      else if (result?.kind === 'refused' && !(result.error.alreadyExists && send.action.kind === 'create')) {
        settle(row, settleRefused(facts, send, result.error.message));
      }
    });
  };

  /** Decides each looked-up row and settles or schedules it: alone, or in batches of up to `--batch`. */
  const handleLookedUp = (rows: readonly { row: OpenRow; facts: RowFacts }[], matches: readonly OmsCustomer[]) => {
    const sends: Sending[] = [];
    for (const { row, facts } of rows) {
      const decision = decideFromLookup(facts, matchesOf(matches, row.usernameKey));
      if (decision.kind === 'settle') settle(row, decision);
      else if (abortReason === undefined) {
        // A killed run's pending mark: its mutation may have been applied before this run looked.
        const killed = facts.pending !== undefined && facts.pending.runId !== runId;
        sends.push({ row, facts, send: decision, mayHaveAppliedBefore: killed });
      }
    }
    for (let i = 0; i < sends.length; i += batchSize) {
      const batch = sends.slice(i, i + batchSize);
      const only = batch.length === 1 ? batch[0] : undefined;
      if (only) run(() => limit(() => mutate(only.row, only.facts, only.send)));
      else run(() => limit(() => mutateBatch(batch)));
    }
  };

  let after = 0;
  pages: while (abortReason === undefined) {
    const rows = journal.openRows(runId, after, PAGE);
    const last = rows.at(-1);
    if (!last) break;
    after = last.row;
    // The page's checkpoint facts in two queries, and the outcomes it settles from them in one transaction.
    const keys = rows.map((row) => row.usernameKey);
    const known = syncState.knownOf(scope.apiHost, keys);
    const pending = syncState.pendingOf(scope, keys);
    const toLookUp: { row: OpenRow; facts: RowFacts }[] = [];
    const settledHere: OutcomeUpdate[] = [];
    for (const row of rows) {
      const facts = factsOf(row, known.get(row.usernameKey) ?? [], pending.get(row.usernameKey));
      const decision = decideFromCheckpoint(facts);
      if (decision.kind === 'lookup') {
        toLookUp.push({ row, facts });
      } else if (decision.record.kind === 'none' && decision.changes.length === 0) {
        settledHere.push({
          row: row.row,
          outcome: decision.outcome,
          reason: decision.reason,
          changedFields: [],
          customerId: decision.customerId,
        });
      } else {
        rowsInFlight++;
        settle(row, decision);
      }
    }
    if (settledHere.length > 0) {
      rowsInFlight += settledHere.length;
      journal.setOutcomes(runId, settledHere);
      count(settledHere);
    }
    for (let i = 0; i < toLookUp.length; i += LOOKUP_BATCH) {
      // Keep a bounded number of rows queued, so memory stays flat on big files.
      await until(() => rowsInFlight < maxRowsInFlight || abortReason !== undefined);
      if (abortReason !== undefined) break pages;
      const batch = toLookUp.slice(i, i + LOOKUP_BATCH);
      rowsInFlight += batch.length;
      run(async () => {
        const matches = await limit(() =>
          abortReason === undefined ? client.findCustomers(batch.map((r) => r.row.username)) : undefined,
        );
        if (matches && abortReason === undefined) handleLookedUp(batch, matches);
      });
    }
  }
  await until(() => tasks === 0);
  input.signal.removeEventListener('abort', onAbort);
  return abortReason === undefined ? {} : { abortReason };
}

/** A row on its way to the OMS in a batch: what it sends now, and whether an earlier send may have been applied. */
interface Sending {
  row: OpenRow;
  facts: RowFacts;
  send: Send;
  /** A send of this row, in this run or a killed one, may have been applied: a lookup then confirms it as ours. */
  mayHaveAppliedBefore: boolean;
}

/** The lookup answers that may concern one username: same name in any case (the plan tells them apart). */
function matchesOf(matches: readonly OmsCustomer[], key: string): OmsCustomer[] {
  return matches.filter((m) => usernameKey(m.username) === key);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
