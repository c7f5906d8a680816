import type { MutationAction, OmsCustomer } from '../types.js';
import { creditKilledRun, sentByKilledRun } from './creditKilledRun.js';
import type { RowFacts, Send, Settle } from './decisionTypes.js';
import { planAction } from './planAction.js';
import {
  applied,
  carryCredit,
  join,
  outcomeOf,
  ownCustomer,
  ownId,
  settle,
  settleNotTaken,
  unapplied,
} from './settleParts.js';
import { describeNotTaken, heldHash, verifyWrite } from './verifyWrite.js';

/**
 * The checkpoint's half of the decision, before any request: a username held by another retailer or spelled in
 * another case is a `conflict`; a row whose content matches what was last applied is `unchanged` with no request at
 * all (unless --full-compare, or a mutation of a killed run may have changed the OMS since); anything else is looked up.
 */
export function decideFromCheckpoint(facts: RowFacts): Settle | { kind: 'lookup' } {
  const { customer, known, retailerId } = facts;
  const elsewhere = known.find((k) => k.retailerId !== retailerId);
  if (elsewhere) {
    const spelled = elsewhere.username === customer.username ? '' : `a case variant "${elsewhere.username}" under `;
    const reason = `username is already held by ${spelled}retailer ${elsewhere.retailerId} (run ${elsewhere.appliedRun} synced it)`;
    return { ...settle(facts, 'conflict', reason, { kind: 'none' }), conflict: 'otherRetailer' };
  }
  const mine = known.find((k) => k.retailerId === retailerId);
  if (mine && mine.username !== customer.username) {
    const reason = `username differs only in case from "${mine.username}", which run ${mine.appliedRun} synced for this retailer; use that spelling (usernames are compared without regard to case)`;
    return { ...settle(facts, 'conflict', reason, { kind: 'none' }), conflict: 'caseVariant' };
  }
  if (mine && mine.hash === facts.hash && !facts.fullCompare && !facts.pending) {
    // A run pruned from the history (status null) had completed long ago; only a run that never finished is named as
    // the one that applied the row, as a resumed run's report must say (SPEC §3).
    const interrupted =
      mine.appliedRunStatus !== null && mine.appliedRunStatus !== 'completed' && mine.appliedRun !== facts.runId;
    const reason = interrupted ? `applied by run ${mine.appliedRun}` : `same as applied by run ${mine.appliedRun}`;
    return settle(facts, 'unchanged', reason, { kind: 'none' }, [], mine.omsId);
  }
  return { kind: 'lookup' };
}

/**
 * The OMS's half: what the account-wide lookup returned for the username decides between conflict, unchanged, create
 * and update. A dry run settles creates and updates as what *would* happen, with their diff lines.
 */
export function decideFromLookup(facts: RowFacts, matches: readonly OmsCustomer[]): Settle | Send {
  const decision = decideLooked(facts, matches);
  if (facts.mode === 'dry-run') return decision;
  // A killed run's mutation the OMS shows applied is recorded as that run's, whatever this row comes to now.
  const own = matches.find((m) => m.username === facts.customer.username && m.retailerId === facts.retailerId);
  const credit = creditKilledRun(facts.pending, facts.runId, own);
  return credit ? { ...decision, credit } : decision;
}

function decideLooked(facts: RowFacts, matches: readonly OmsCustomer[]): Settle | Send {
  const action = planAction(facts.customer, matches, facts.retailerId, facts.writeMode);
  switch (action.kind) {
    case 'conflict':
      return { ...settle(facts, 'conflict', action.reason, unapplied(facts)), conflict: action.conflict };
    case 'rejected':
    case 'skipped':
      return settle(facts, action.kind, action.reason, unapplied(facts));
    case 'kept':
      // The OMS does not hold the row's content: nothing is recorded as applied, so a later upsert run compares again.
      return settle(facts, 'unchanged', action.reason, unapplied(facts), [], ownId(matches, facts));
    case 'unchanged': {
      // A killed run's mutation that the OMS shows applied: that run did it (SPEC §3: "applied by run <id>").
      const killed = sentByKilledRun(facts.pending, facts.runId) ? facts.pending?.runId : undefined;
      const reason = killed ? `applied by run ${killed}` : action.reason;
      const omsId = ownId(matches, facts);
      return settle(facts, 'unchanged', reason, applied(facts, killed ?? facts.runId, omsId), [], omsId);
    }
    case 'create':
    case 'update': {
      const stuck = action.kind === 'update' ? notTakenBefore(facts, action, matches) : undefined;
      if (stuck) return stuck;
      if (facts.mode === 'dry-run') {
        // A customer to update is known by its id already; one to create has none yet.
        const note = action.kind === 'update' ? action.note : '';
        const omsId = action.kind === 'update' ? ownId(matches, facts) : null;
        return settle(facts, outcomeOf(action), note, { kind: 'none' }, action.changes, omsId);
      }
      return { kind: 'send', action, why: '' };
    }
  }
}

/**
 * The row of a file that still says what Fluent did not take as sent by an earlier run, while Fluent still holds what
 * it held then (the checkpoint's hash of it, SPEC §1): the update would be refused the same way, so it is not sent
 * again. The row is `failed` every run, naming the run and the values, until the file or the OMS changes, or
 * `--full-compare` sends it again. Undefined for any other row.
 */
function notTakenBefore(
  facts: RowFacts,
  action: Extract<MutationAction, { kind: 'update' }>,
  matches: readonly OmsCustomer[],
): Settle | undefined {
  const mine = facts.known.find((k) => k.retailerId === facts.retailerId);
  if (!mine || facts.fullCompare || mine.notTakenHash !== facts.hash) return undefined;
  const own = ownCustomer(matches, facts);
  if (!own || heldHash(facts.customer, own) !== mine.hash) return undefined;
  const notTaken = action.changes.map((c) => ({ field: c.field, meant: c.after, held: c.before }));
  const reason = join(
    `Fluent did not take every value as sent by run ${mine.appliedRun}, and still holds what it held then (not sent again while the file and the OMS stay so; --full-compare sends it again): ${describeNotTaken(notTaken)}`,
    action.note,
  );
  return { ...settle(facts, 'failed', reason, unapplied(facts), [], own.id), notTaken: notTaken.map((n) => n.field) };
}

/**
 * A create or update the OMS answered with the customer (SPEC §1, verified writes): the row is `created` or `updated`
 * when the answer holds every value sent, else `failed`, naming each value Fluent did not take and what it holds.
 */
export function settleSent(facts: RowFacts, sent: Send, answered: OmsCustomer): Settle {
  const notTaken = verifyWrite(sent.action.changes, answered);
  if (notTaken.length > 0) return carryCredit(sent, settleNotTaken(facts, sent.action, sent.why, answered, notTaken));
  const note = sent.action.kind === 'update' ? sent.action.note : '';
  return carryCredit(
    sent,
    settle(
      facts,
      outcomeOf(sent.action),
      join(sent.why, note),
      applied(facts, facts.runId, answered.id),
      sent.action.changes,
      answered.id,
    ),
  );
}

/** Fluent refused the mutation for good (a data rule, a length, a validation): the row `failed` with its reason. */
export function settleRefused(facts: RowFacts, sent: Send, message: string): Settle {
  const reason = join(sent.why, `Fluent refused the ${sent.action.kind}: ${message}`);
  return carryCredit(sent, settle(facts, 'failed', reason, unapplied(facts)));
}

/**
 * After the apply, a lookup of every username the run created: another writer (another retailer's run, a person)
 * may have made the same username meanwhile, which no check before the create could see. Returns the conflict reason,
 * or undefined when the run's customer is the only one of its name in the account.
 */
export function checkCreated(
  username: string,
  retailerId: string,
  matches: readonly OmsCustomer[],
): string | undefined {
  const action = planAction({ username }, matches, retailerId);
  return action.kind === 'conflict' ? `created concurrently by another writer: ${action.reason}` : undefined;
}
