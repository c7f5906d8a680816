import type { KnownCustomer, PendingMutation } from '../checkpoint/syncState.js';
import type {
  ChangedField,
  ConflictKind,
  Customer,
  FieldChange,
  MutationAction,
  OmsCustomer,
  OutcomeKind,
  WriteMode,
} from '../types.js';
import { creditKilledRun, sentByKilledRun } from './creditKilledRun.js';
import { planAction } from './planAction.js';
import { describeNotTaken, heldHash, type NotTaken, showsApplied, takenChanges, verifyWrite } from './verifyWrite.js';

/** Everything a row's outcome is decided from, apart from what the OMS says (SPEC §3). */
export interface RowFacts {
  customer: Customer;
  /** Hash of the row's normalised content, compared with what the checkpoint last applied. */
  hash: string;
  /** What normalising changed that the row's reason must say (e.g. a dropped phone extension); '' when nothing. */
  notes: string;
  retailerId: string;
  runId: string;
  mode: 'apply' | 'dry-run';
  /** `--mode`: upsert (the default), create-only (existing customers are left as they are) or update-only. */
  writeMode?: WriteMode;
  /** `--full-compare`: the checkpoint's hashes are not trusted, every row is compared with the OMS. */
  fullCompare: boolean;
  /** The checkpoint's entries for this username on this API host, every retailer, any case. */
  known: readonly KnownCustomer[];
  /** This retailer's pending mark for the username: a mutation a run was about to send, maybe applied. */
  pending: PendingMutation | undefined;
}

/** What the sync state must record along with the row's outcome. */
export type StateRecord =
  /** The OMS holds the row's content (applied by `appliedBy`, or found identical): remember its hash. */
  | { kind: 'applied'; appliedBy: string; omsId: string | null }
  /** Nothing is known to be applied: clear any pending mark. */
  | { kind: 'unapplied' }
  /**
   * The OMS no longer holds what the sync state says was applied (an undo put it back, or found it changed): forget
   * the hash, so the next sync compares the customer again, and clear any pending mark.
   */
  | { kind: 'doubted' }
  /**
   * Fluent holds other values than the row's (it did not take every value as sent): `heldHash` (verifyWrite's
   * heldHash) is recorded as what the OMS holds, and the row's own hash as sent and not taken, so the next run neither
   * calls the row unchanged nor sends it again while the file and the OMS stay as they are.
   */
  | { kind: 'notTaken'; omsId: string | null; heldHash: string }
  /** Only the outcome (a dry run records nothing else; nor does a row settled from the checkpoint alone). */
  | { kind: 'none' };

/**
 * A killed run's mutation that the OMS shows applied although that run never recorded it: the row is entered in that
 * run's journal as it would have been (`created` or `updated`, with its changes), so `undo` of that run finds it.
 */
export interface Credit {
  runId: string;
  /** The row of the killed run the mutation was sent for. */
  row: number;
  outcome: 'created' | 'updated';
  changes: readonly FieldChange[];
  customerId: string | null;
}

/** The row is done: its outcome, reason, the diff lines to report, and what the checkpoint records. */
export interface Settle {
  kind: 'settle';
  outcome: OutcomeKind;
  reason: string;
  changes: readonly FieldChange[];
  record: StateRecord;
  /** The OMS id of the row's customer where the decision knows it (created, updated, unchanged): outcomes.csv's. */
  customerId: string | null;
  /** A killed run applied this row's mutation without recording it: recorded for that run with the outcome. */
  credit?: Credit;
  /** undo: not everything the undone run did to the customer could be put back (the undo ends 1). */
  incomplete?: boolean;
  /** A `conflict`'s kind (report.json `conflicts`). */
  conflict?: ConflictKind;
  /** The fields (attributes as `attributes.NAME`) Fluent did not take as sent (report.json `notTakenAsSent`). */
  notTaken?: readonly ChangedField[];
}

/** The row needs a create or update sent; `why` is what the reason says about how it came to be sent. */
export interface Send {
  kind: 'send';
  action: MutationAction;
  why: string;
  /** Carried to whatever the send settles as (see Settle.credit). */
  credit?: Credit;
  /** undo: the fields changed since the undone run, which this send leaves alone. */
  leftAlone?: readonly string[];
}

export type Decision = Settle | { kind: 'lookup' } | Send;

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

/**
 * A mutation applied with values Fluent did not take as sent: `failed`, the reason naming each value and what Fluent
 * holds (a create says the customer exists now), the diff lines what Fluent shows changed, and the checkpoint the hash
 * of what Fluent holds, so the next run neither calls the row unchanged nor sends the same values again for nothing.
 */
function settleNotTaken(
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

/** Fluent refused the mutation for good (a data rule, a length, a validation): the row `failed` with its reason. */
export function settleRefused(facts: RowFacts, sent: Send, message: string): Settle {
  const reason = join(sent.why, `Fluent refused the ${sent.action.kind}: ${message}`);
  return carryCredit(sent, settle(facts, 'failed', reason, unapplied(facts)));
}

/** After an answer that could not be trusted, whether some send of the row may have been applied: a lost one may. */
export function stillMayHaveApplied(before: boolean, unanswered: Unanswered['kind']): boolean {
  return before || unanswered === 'lost';
}

/** The number of sends a row gets when their answers are lost before it is given up as `failed`. */
export const MAX_SEND_ROUNDS = 4;

/** How a sent mutation ended without an answer to trust. */
export interface Unanswered {
  /** `lost`: a 5xx, a timeout, a cut connection — it may have been applied. `exists`: Fluent said it already exists. */
  kind: 'lost' | 'exists';
  /** What happened, e.g. `HTTP 502` or Fluent's message. */
  detail: string;
  /** Sends of this row so far in this run, this one included. */
  round: number;
  /** Whether an earlier send of this row, in this run or a killed one, may have been applied. */
  mayHaveAppliedBefore: boolean;
}

/**
 * Resolves a mutation whose answer cannot be trusted, from a fresh lookup of the username (SPEC §1, §3) — never by a
 * blind resend. If the OMS now holds the row and the mutation (or an earlier one of this row) may have been applied, it
 * is confirmed `created`/`updated`. If Fluent said "already exists" to a first clean create, another writer made the
 * customer: `unchanged` or an update, never `created`. If the lookup cannot see what Fluent says exists, the row ends
 * `conflict` with Fluent's reason, not retried. A mutation the lookup shows unapplied is sent again, up to
 * MAX_SEND_ROUNDS, then `failed`.
 */
export function resolveUnanswered(
  facts: RowFacts,
  sent: Send,
  unanswered: Unanswered,
  matches: readonly OmsCustomer[],
): Settle | Send {
  return carryCredit(sent, resolveLooked(facts, sent, unanswered, matches));
}

function resolveLooked(
  facts: RowFacts,
  sent: Send,
  unanswered: Unanswered,
  matches: readonly OmsCustomer[],
): Settle | Send {
  const next = planAction(facts.customer, matches, facts.retailerId, facts.writeMode);
  const mayBeOurs = unanswered.kind === 'lost' || unanswered.mayHaveAppliedBefore;
  const lostWhy = `a lost response (${unanswered.detail})`;
  // The lookup's customer is verified as an answer would be (SPEC §1): one the mutation shows applied, with values
  // Fluent did not take as sent, is not confirmed as created or updated, nor sent again for nothing.
  const own = ownCustomer(matches, facts);
  if (mayBeOurs && own && (next.kind === 'unchanged' || next.kind === 'update') && showsSent(sent.action, own)) {
    const notTaken = verifyWrite(sent.action.changes, own);
    if (notTaken.length > 0) {
      return settleNotTaken(facts, sent.action, `confirmed by lookup after ${lostWhy}`, own, notTaken);
    }
  }
  switch (next.kind) {
    case 'conflict':
      return { ...settle(facts, 'conflict', next.reason, unapplied(facts)), conflict: next.conflict };
    case 'rejected':
      return settle(facts, next.kind, next.reason, unapplied(facts));
    case 'skipped':
      // update-only: the customer the update was for is no longer there to update.
      return settle(
        facts,
        'skipped',
        `no longer in the OMS after ${lostWhy}, and --mode update-only creates no customer`,
        unapplied(facts),
      );
    case 'kept': {
      // create-only: the OMS now holds the username with other values than the file's, so the create was not ours.
      const said = unanswered.kind === 'exists' ? `Fluent said: ${unanswered.detail}` : lostWhy;
      return settle(
        facts,
        'unchanged',
        `created meanwhile by another writer (${said}); ${next.reason}`,
        unapplied(facts),
        [],
        ownId(matches, facts),
      );
    }
    case 'unchanged': {
      const omsId = ownId(matches, facts);
      if (mayBeOurs) {
        const reason = join(
          `confirmed by lookup after ${lostWhy}`,
          sent.action.kind === 'update' ? sent.action.note : '',
        );
        return settle(
          facts,
          outcomeOf(sent.action),
          reason,
          applied(facts, facts.runId, omsId),
          sent.action.changes,
          omsId,
        );
      }
      return settle(
        facts,
        'unchanged',
        `created meanwhile by another writer with the same values (Fluent said: ${unanswered.detail})`,
        applied(facts, facts.runId, omsId),
        [],
        omsId,
      );
    }
    case 'create':
      if (unanswered.kind === 'exists') {
        const reason = `Fluent refused the create as already existing (${unanswered.detail}), but no lookup finds this username: a case variant or a customer this login cannot see holds it`;
        return { ...settle(facts, 'conflict', reason, unapplied(facts)), conflict: 'unseen' as const };
      }
      return sendAgain(facts, next, unanswered, `sent again after ${lostWhy} that the lookup showed was not applied`);
    case 'update': {
      const why =
        unanswered.kind === 'exists' && !mayBeOurs
          ? `created meanwhile by another writer (Fluent said: ${unanswered.detail}); updated to the file's values`
          : `sent again after ${lostWhy} that the lookup showed was not applied`;
      return sendAgain(facts, next, unanswered, why);
    }
  }
}

function sendAgain(facts: RowFacts, action: MutationAction, unanswered: Unanswered, why: string): Settle | Send {
  if (unanswered.round >= MAX_SEND_ROUNDS) {
    return settle(
      facts,
      'failed',
      `no confirmed answer after ${unanswered.round} attempts (last: ${unanswered.detail}); the lookup shows it was not applied`,
      unapplied(facts),
    );
  }
  return { kind: 'send', action, why };
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

/** What a send settles as (or is sent again as) keeps the send's credit of a killed run. */
export function carryCredit<D extends Settle | Send>(sent: Send, decision: D): D {
  return sent.credit ? { ...decision, credit: sent.credit } : decision;
}

function settle(
  facts: RowFacts,
  outcome: OutcomeKind,
  reason: string,
  record: StateRecord,
  changes: readonly FieldChange[] = [],
  customerId: string | null = null,
): Settle {
  return { kind: 'settle', outcome, reason: join(reason, facts.notes), changes, record, customerId };
}

function applied(facts: RowFacts, appliedBy: string, omsId: string | null): StateRecord {
  return facts.mode === 'dry-run' ? { kind: 'none' } : { kind: 'applied', appliedBy, omsId };
}

function unapplied(facts: RowFacts): StateRecord {
  return facts.mode === 'dry-run' ? { kind: 'none' } : { kind: 'unapplied' };
}

function outcomeOf(action: MutationAction): 'created' | 'updated' {
  return action.kind === 'create' ? 'created' : 'updated';
}

function ownId(matches: readonly OmsCustomer[], facts: RowFacts): string | null {
  return ownCustomer(matches, facts)?.id ?? null;
}

/** This retailer's customer of the row's username, exactly as spelled, among the lookup's answers. */
function ownCustomer(matches: readonly OmsCustomer[], facts: RowFacts): OmsCustomer | undefined {
  return matches.find((m) => m.username === facts.customer.username && m.retailerId === facts.retailerId);
}

/** Whether the customer shows the mutation applied: a create's customer exists; an update's, see showsApplied. */
function showsSent(action: MutationAction, own: OmsCustomer): boolean {
  return action.kind === 'create' || showsApplied(action.changes, own);
}

function join(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('; ');
}
