import type { MutationAction, OmsCustomer } from '../types.js';
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
  showsSent,
  unapplied,
} from './settleParts.js';
import { verifyWrite } from './verifyWrite.js';

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
