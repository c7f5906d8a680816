import type { ChangedCustomer } from '../checkpoint/runHistory.js';
import type { PendingMutation } from '../checkpoint/syncState.js';
import type { FieldChange, OmsCustomer, OutcomeKind } from '../types.js';
import { creditKilledRun } from './creditKilledRun.js';
import type { Send, Settle, StateRecord } from './decisionTypes.js';
import { planUndo, type UndoPlan } from './planUndo.js';
import { MAX_SEND_ROUNDS, type Unanswered } from './resolveUnanswered.js';
import type { LoopRow, RowPlan } from './rowPlan.js';
import { carryCredit } from './settleParts.js';
import { describeNotTaken, showsApplied, takenChanges, verifyWrite } from './verifyWrite.js';

/** An undo's row in the send loop: one customer the undone run created or updated. */
export interface UndoRow extends LoopRow {
  /** What the undone run did to the customer, with its field changes. */
  target: ChangedCustomer;
  /** This retailer's pending mark for the username: a killed undo's put-back (or a run's mutation), maybe applied. */
  pending: PendingMutation | undefined;
}

/**
 * The undo's plan for the send loop (SPEC §2 `undo`), every outcome from planUndo and plain inputs. A customer put
 * back, or found already as it was before the run, or changed since, is no longer as the run left it: its hash is
 * doubted, so the next sync compares it again — a resumed undo records the same as one that was never killed. A
 * customer the run created is listed and keeps its hash (Fluent has no delete); one Fluent refused to update is as
 * the run left it. A dry run records nothing but the outcomes and the diff of what would be put back.
 */
export function undoRowPlan(input: {
  /** The undo run. */
  runId: string;
  /** The run being undone. */
  targetRunId: string;
  retailerId: string;
  dryRun: boolean;
}): RowPlan<UndoRow> {
  const { targetRunId, dryRun } = input;
  const record = (kind: 'doubted' | 'unapplied'): StateRecord => (dryRun ? { kind: 'none' } : { kind });
  /** The lookup's customer that is this row's: the same username, of the run's retailer. */
  const own = (row: UndoRow, matches: readonly OmsCustomer[]) =>
    matches.find((m) => m.username === row.username && m.retailerId === input.retailerId);
  const planOf = (row: UndoRow, oms: OmsCustomer | undefined) =>
    planUndo({
      runId: targetRunId,
      username: row.username,
      outcome: row.target.outcome,
      changes: row.target.changes,
      oms,
    });
  const skipped = (row: UndoRow, plan: Extract<UndoPlan, { kind: 'skip' }>): Settle =>
    settle(
      plan.complete ? 'unchanged' : 'skipped',
      plan.reason,
      row.target.outcome === 'created' ? record('unapplied') : record('doubted'),
      [],
      !plan.complete,
    );
  const putBack = (why: string, changes: readonly FieldChange[], leftAlone: readonly string[]): Settle =>
    settle('updated', `${why}${describeLeftAlone(leftAlone)}`, record('doubted'), changes, leftAlone.length > 0);
  /**
   * A put-back Fluent answered (or a lookup found applied after a lost answer, `lost` saying how): `updated` only when
   * the customer holds every value put back (SPEC §1, verified writes); else `failed`, naming each value Fluent kept,
   * its diff lines what Fluent did put back.
   */
  const verified = (sent: Send, held: OmsCustomer, lost?: string): Settle => {
    const leftAlone = sent.leftAlone ?? [];
    const notTaken = verifyWrite(sent.action.changes, held);
    if (notTaken.length === 0) {
      const why = lost ? `, confirmed by lookup after ${lost}` : '';
      return putBack(`put back as before run ${targetRunId}${why}`, sent.action.changes, leftAlone);
    }
    const found = lost ? ` (found by lookup after ${lost})` : '';
    const reason = `not put back as before run ${targetRunId}${found}: Fluent did not take every value as sent: ${describeNotTaken(notTaken)}; whether Fluent clears a field sent as null, or removes an attribute left out of the list, is not documented${describeLeftAlone(leftAlone)}`;
    const changes = takenChanges(sent.action.changes, notTaken);
    return { ...settle('failed', reason, record('doubted'), changes, true), notTaken: notTaken.map((n) => n.field) };
  };

  return {
    needsLookup: (row) => row.target.outcome === 'updated',
    decide(row, matches) {
      const oms = own(row, matches);
      const plan = planOf(row, oms);
      if (dryRun) {
        if (plan.kind === 'skip') return skipped(row, plan);
        return putBack(`would be put back as before run ${targetRunId}`, plan.changes, plan.changedSince);
      }
      // A killed run's mutation (a killed undo's put-back, most often) that the OMS shows applied is that run's.
      const credit = creditKilledRun(row.pending, input.runId, oms);
      if (plan.kind === 'restore') return credit ? { ...sendOf(plan), credit } : sendOf(plan);
      const decision = skipped(row, plan);
      if (!credit) return decision;
      return { ...decision, reason: `${decision.reason}; applied by run ${credit.runId}`, credit };
    },
    settleSent: (_, sent, answered) => carryCredit(sent, verified(sent, answered)),
    settleRefused: (_, sent, message) =>
      carryCredit(sent, settle('failed', `Fluent refused the update: ${message}`, record('unapplied'), [], true)),
    resolve: (row, sent, unanswered, matches) => carryCredit(sent, resolve(row, sent, unanswered, matches)),
  };

  function resolve(row: UndoRow, sent: Send, unanswered: Unanswered, matches: readonly OmsCustomer[]): Settle | Send {
    const now = own(row, matches);
    const lost = `a lost response (${unanswered.detail})`;
    // Applied, as sent or otherwise: verified like an answer, not sent the same values again.
    if (now && showsApplied(sent.action.changes, now)) return verified(sent, now, lost);
    const next = planOf(row, now);
    if (next.kind === 'restore' && unanswered.round < MAX_SEND_ROUNDS) return sendOf(next);
    const complete = next.kind === 'skip' && next.complete;
    const reason =
      next.kind === 'skip'
        ? next.reason
        : `no confirmed answer after ${unanswered.round} attempts (last: ${unanswered.detail})`;
    // Whatever the OMS holds now, it is not known to be what the run left: compared again by the next sync.
    return settle(complete ? 'unchanged' : 'failed', reason, record('doubted'), [], !complete);
  }
}

/** The update that puts a customer back, leaving alone what changed since. */
function sendOf(plan: Extract<UndoPlan, { kind: 'restore' }>): Send {
  return {
    kind: 'send',
    action: { kind: 'update', input: plan.input, changes: plan.changes, note: '' },
    why: '',
    leftAlone: plan.changedSince,
  };
}

function describeLeftAlone(leftAlone: readonly string[]): string {
  return leftAlone.length > 0 ? `; changed since, left alone: ${leftAlone.join('; ')}` : '';
}

function settle(
  outcome: OutcomeKind,
  reason: string,
  record: StateRecord,
  changes: readonly FieldChange[],
  incomplete: boolean,
): Settle {
  return { kind: 'settle', outcome, reason, changes, record, customerId: null, incomplete };
}
