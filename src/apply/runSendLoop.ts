import pLimit from 'p-limit';
import { AbortError } from '../errors.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import { AmbiguousMutationError, FluentDataError } from '../fluent/errors.js';
import type { Logger } from '../log.js';
import type { Send, Settle } from '../plan/decisionTypes.js';
import { stillMayHaveApplied, type Unanswered } from '../plan/resolveUnanswered.js';
import type { LoopRow, RowPlan } from '../plan/rowPlan.js';
import { usernameKey } from '../shared/usernameKey.js';
import type { OmsCustomer } from '../types.js';
import { type Answer, classifyAnswer, type MutationAnswer } from './classifyAnswer.js';
import type { Recorder } from './createRecorder.js';

/**
 * Usernames per `customers(username: [...])` lookup. SPEC §5 allows at most one lookup per 50 rows, all lookups
 * counted: 100 a lookup leaves room for the check of created usernames after the apply (VERIFY_BATCH) within it.
 */
export const LOOKUP_BATCH = 100;

/** The error-rate guard starts once this many rows are done (SPEC §2). */
const ERROR_RATE_MIN_ROWS = 100;

export interface SendLoopInput<R extends LoopRow> {
  /** The rows to carry through, a page at a time, in order; a page is read only once the loop has room for it. */
  pages: Iterable<readonly R[]>;
  /** The job's decisions (plan/): the loop decides nothing itself. */
  plan: RowPlan<R>;
  client: Pick<FluentClient, 'findCustomers' | 'createCustomer' | 'updateCustomer' | 'mutateBatch'>;
  recorder: Recorder;
  concurrency: number;
  /** `--batch`: mutations aliased in one request, filled from one lookup's rows; 1 sends each alone. */
  batch: number;
  /** `--max-error-rate`: stop once this share of the rows done failed; undefined for no such guard. */
  maxErrorRate?: number | undefined;
  /** Rows settled before the loop (rejected, duplicate, skipped…): part of the error-rate base. */
  settledRows: number;
  log: Logger;
  signal: AbortSignal;
  /** Called once per settled row, after it is recorded. */
  onRowDone: (decision: Settle) => void;
}

/** A row on its way to the OMS: what it sends now, and whether an earlier send may have been applied. */
interface Sending<R> {
  row: R;
  send: Send;
  /** A send of this row, in this run or a killed one, may have been applied: a lookup then confirms it as ours. */
  mayHaveAppliedBefore: boolean;
}

/**
 * The one send loop of sync and undo (SPEC §1, §3): looks rows up in batches of LOOKUP_BATCH, has the job's plan decide
 * each, and sends the mutations with p-limit concurrency, one per request or (`--batch N`) up to N aliased in one. Each
 * answer is classified once (classifyAnswer) and settled through the plan; one that cannot be trusted is resolved by a
 * fresh lookup, never a blind resend. Every row is marked as sent before its request leaves and each outcome is
 * recorded before it is counted, so a killed run resumes without a duplicate. Backpressure counts rows, not tasks.
 *
 * @returns why the run stopped early (credentials refused, OMS unreachable, permission missing, error rate, signal)
 */
export async function runSendLoop<R extends LoopRow>(input: SendLoopInput<R>): Promise<{ abortReason?: string }> {
  const { plan, client, recorder, log } = input;
  const limit = pLimit(input.concurrency);
  const batchSize = Math.max(1, input.batch);
  // One lookup task fans out into up to LOOKUP_BATCH mutations. A single waiter (the page loop) is woken as rows
  // settle, so there is no per-task bookkeeping to grow with the run. A batch carries up to `--batch` rows per
  // request: enough rows for every concurrent request to carry a full one, twice over.
  const maxRowsInFlight = Math.max(4 * LOOKUP_BATCH, 8 * input.concurrency, 2 * input.concurrency * batchSize);
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

  /** Records a settled decision durably, then counts the row. */
  const settle = (row: R, decision: Settle) => {
    // --verbose: each row's decision, by outcome and changed field names only (reasons may quote values).
    const changed = decision.changes.length > 0 ? ` (${decision.changes.map((c) => c.field).join(', ')})` : '';
    log.debug(`row ${row.row} ${row.username}: ${decision.outcome}${changed}`);
    recorder.settle(row, decision);
    rowsInFlight--;
    done++;
    if (decision.outcome === 'failed') failed++;
    input.onRowDone(decision);
    notify();
    const guard = input.maxErrorRate;
    if (guard !== undefined && done >= ERROR_RATE_MIN_ROWS && failed / done > guard) {
      stop(`${failed} of ${done} rows failed (${percent(failed / done)}), over --max-error-rate ${percent(guard)}`);
    }
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

  /**
   * Settles a row whose answer can be trusted (done, refused), or returns what the lookup must resolve (lost,
   * exists). A denied row stays open (the caller stops the run once the others are recorded); `stop` throws.
   */
  const take = (item: Sending<R>, answer: Answer): Omit<Unanswered, 'round' | 'mayHaveAppliedBefore'> | undefined => {
    switch (answer.kind) {
      case 'done':
        // Verified writes (SPEC §1): the plan compares the customer Fluent answered (this alias's, in a batch) with
        // what the send meant; a value not taken as sent makes the row `failed`, not `created`/`updated`.
        settle(item.row, plan.settleSent(item.row, item.send, answer.customer));
        return undefined;
      case 'refused':
        settle(item.row, plan.settleRefused(item.row, item.send, answer.message));
        return undefined;
      case 'lost':
      case 'exists':
        return { kind: answer.kind, detail: answer.detail };
      case 'denied':
        return undefined;
      case 'stop':
        throw answer.error;
    }
  };

  /**
   * Resolves rows whose answers could not be trusted by one lookup of all their usernames: each is settled, or sent
   * again as the plan says. Returns the rows to send again.
   */
  const resolve = async (unresolved: readonly { item: Sending<R>; unanswered: Unanswered }[]) => {
    const [first] = unresolved;
    const who = unresolved.length === 1 ? first?.item.row.username : `${unresolved.length} rows of a batch`;
    log.debug(`resolving ${who} by lookup: ${first?.unanswered.detail}`);
    const matches = await client.findCustomers(unresolved.map(({ item }) => item.row.username));
    const again: Sending<R>[] = [];
    recorder.inTransaction(() => {
      for (const { item, unanswered } of unresolved) {
        const decision = plan.resolve(item.row, item.send, unanswered, matchesOf(matches, item.row.usernameKey));
        const mayHaveAppliedBefore = stillMayHaveApplied(item.mayHaveAppliedBefore, unanswered.kind);
        if (decision.kind === 'settle') settle(item.row, decision);
        else again.push({ row: item.row, send: decision, mayHaveAppliedBefore });
      }
    });
    return again;
  };

  /** Sends one row's mutation until it settles. */
  const sendOne = async (first: Sending<R>) => {
    // Queued before a stop: leave the row open, so it is reported as not processed and the next run takes it.
    if (abortReason !== undefined) return;
    recorder.markSent([first]);
    let sending: Sending<R> | undefined = first;
    for (let round = 1; sending; round++) {
      const { action } = sending.send;
      let answer: MutationAnswer;
      try {
        const customer =
          action.kind === 'create'
            ? await client.createCustomer(action.input)
            : await client.updateCustomer(action.input);
        answer = { kind: 'done', customer };
      } catch (error) {
        answer = { kind: 'threw', error };
      }
      const classified = classifyAnswer(action.kind, answer);
      if (classified.kind === 'denied' && classified.error) throw classified.error;
      const unanswered = take(sending, classified);
      if (!unanswered) return;
      const { mayHaveAppliedBefore } = sending;
      [sending] = await resolve([{ item: sending, unanswered: { ...unanswered, round, mayHaveAppliedBefore } }]);
    }
  };

  /**
   * Sends a batch of rows' mutations in one request until every row settles (`--batch N`). Each alias's answer settles
   * its own row; the rows whose answer is lost (the whole answer, or one alias's) are resolved by one lookup, and only
   * those the lookup shows unapplied are sent again, together. A request Fluent refuses as a whole applied nothing: its
   * rows go one by one. A missing permission on any alias stops the run once what was applied is recorded.
   */
  const sendBatch = async (first: readonly Sending<R>[]) => {
    if (abortReason !== undefined) return;
    recorder.markSent(first);
    let sending = first;
    for (let round = 1; sending.length > 0; round++) {
      let answers: MutationAnswer[];
      let denied: Error | undefined;
      try {
        const answer = await client.mutateBatch(sending.map(({ send }) => send.action));
        answers = answer.results;
        denied = answer.denied;
      } catch (error) {
        if (error instanceof AmbiguousMutationError) {
          answers = sending.map(() => ({ kind: 'lost', detail: error.detail }));
        } else if (error instanceof FluentDataError) {
          log.debug(
            `Fluent refused a batch of ${sending.length} as a whole (${error.message}); sending them one by one`,
          );
          for (const item of sending) if (abortReason === undefined) run(() => limit(() => sendOne(item)));
          return;
        } else {
          throw error;
        }
      }
      const unresolved: { item: Sending<R>; unanswered: Unanswered }[] = [];
      const current = sending;
      recorder.inTransaction(() => {
        current.forEach((item, i) => {
          const unanswered = take(item, classifyAnswer(item.send.action.kind, answers[i]));
          if (unanswered) {
            unresolved.push({
              item,
              unanswered: { ...unanswered, round, mayHaveAppliedBefore: item.mayHaveAppliedBefore },
            });
          }
        });
      });
      if (denied) throw denied;
      if (unresolved.length === 0) return;
      sending = await resolve(unresolved);
    }
  };

  /** Decides each looked-up row and settles or schedules it: alone, or in batches of up to `--batch`. */
  const handleLookedUp = (rows: readonly R[], matches: readonly OmsCustomer[]) => {
    const sends: Sending<R>[] = [];
    for (const row of rows) {
      const decision = plan.decide(row, matchesOf(matches, row.usernameKey));
      if (decision.kind === 'settle') settle(row, decision);
      else if (abortReason === undefined) sends.push({ row, send: decision, mayHaveAppliedBefore: row.sentBefore });
    }
    for (let i = 0; i < sends.length; i += batchSize) {
      const batch = sends.slice(i, i + batchSize);
      const only = batch.length === 1 ? batch[0] : undefined;
      if (only) run(() => limit(() => sendOne(only)));
      else run(() => limit(() => sendBatch(batch)));
    }
  };

  pages: for (const page of input.pages) {
    if (abortReason !== undefined) break;
    for (let i = 0; i < page.length; i += LOOKUP_BATCH) {
      // Keep a bounded number of rows queued, so memory stays flat on big files.
      await until(() => rowsInFlight < maxRowsInFlight || abortReason !== undefined);
      if (abortReason !== undefined) break pages;
      const batch = page.slice(i, i + LOOKUP_BATCH);
      rowsInFlight += batch.length;
      run(async () => {
        const wanted = batch.filter((row) => plan.needsLookup(row)).map((row) => row.username);
        const matches = await limit(() =>
          abortReason !== undefined ? undefined : wanted.length > 0 ? client.findCustomers(wanted) : [],
        );
        if (matches && abortReason === undefined) handleLookedUp(batch, matches);
      });
    }
  }
  await until(() => tasks === 0);
  input.signal.removeEventListener('abort', onAbort);
  return abortReason === undefined ? {} : { abortReason };
}

/** The lookup answers that may concern one username: same name in any case (the plan tells them apart). */
function matchesOf(matches: readonly OmsCustomer[], key: string): OmsCustomer[] {
  return matches.filter((m) => usernameKey(m.username) === key);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
