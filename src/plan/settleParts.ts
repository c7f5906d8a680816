import type { FieldChange, MutationAction, OmsCustomer, OutcomeKind } from '../types.js';
import type { RowFacts, Send, Settle, StateRecord } from './decisionTypes.js';
import { describeNotTaken, heldHash, type NotTaken, showsApplied, takenChanges } from './verifyWrite.js';

/** The small parts every decision of a row's outcome is made of (decideRow, resolveUnanswered). Pure. */

/**
 * A mutation applied with values Fluent did not take as sent: `failed`, the reason naming each value and what Fluent
 * holds (a create says the customer exists now), the diff lines what Fluent shows changed, and the checkpoint the hash
 * of what Fluent holds, so the next run neither calls the row unchanged nor sends the same values again for nothing.
 */
export function settleNotTaken(
  facts: RowFacts,
  action: MutationAction,
  why: string,
  held: OmsCustomer,
  notTaken: readonly NotTaken[],
): Settle {
  const what =
    action.kind === 'create'
      ? `created (customer id ${held.id}), but Fluent did not take every value as sent`
      : 'Fluent did not take every value of the update as sent';
  const note = action.kind === 'update' ? action.note : '';
  const reason = join(why, `${what}: ${describeNotTaken(notTaken)}`, note);
  const record: StateRecord =
    facts.mode === 'dry-run'
      ? { kind: 'none' }
      : { kind: 'notTaken', omsId: held.id, heldHash: heldHash(facts.customer, held) };
  const changes = takenChanges(action.changes, notTaken);
  return { ...settle(facts, 'failed', reason, record, changes, held.id), notTaken: notTaken.map((n) => n.field) };
}

/** What a send settles as (or is sent again as) keeps the send's credit of a killed run. */
export function carryCredit<D extends Settle | Send>(sent: Send, decision: D): D {
  return sent.credit ? { ...decision, credit: sent.credit } : decision;
}

export function settle(
  facts: RowFacts,
  outcome: OutcomeKind,
  reason: string,
  record: StateRecord,
  changes: readonly FieldChange[] = [],
  customerId: string | null = null,
): Settle {
  return { kind: 'settle', outcome, reason: join(reason, facts.notes), changes, record, customerId };
}

export function applied(facts: RowFacts, appliedBy: string, omsId: string | null): StateRecord {
  return facts.mode === 'dry-run' ? { kind: 'none' } : { kind: 'applied', appliedBy, omsId };
}

export function unapplied(facts: RowFacts): StateRecord {
  return facts.mode === 'dry-run' ? { kind: 'none' } : { kind: 'unapplied' };
}

export function outcomeOf(action: MutationAction): 'created' | 'updated' {
  return action.kind === 'create' ? 'created' : 'updated';
}

export function ownId(matches: readonly OmsCustomer[], facts: RowFacts): string | null {
  return ownCustomer(matches, facts)?.id ?? null;
}

/** This retailer's customer of the row's username, exactly as spelled, among the lookup's answers. */
export function ownCustomer(matches: readonly OmsCustomer[], facts: RowFacts): OmsCustomer | undefined {
  return matches.find((m) => m.username === facts.customer.username && m.retailerId === facts.retailerId);
}

/** Whether the customer shows the mutation applied: a create's customer exists; an update's, see showsApplied. */
export function showsSent(action: MutationAction, own: OmsCustomer): boolean {
  return action.kind === 'create' || showsApplied(action.changes, own);
}

export function join(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('; ');
}
