import type { OmsCustomer } from '../types.js';
import { decideFromLookup, settleRefused, settleSent } from './decideRow.js';
import type { RowFacts, Send, Settle } from './decisionTypes.js';
import { resolveUnanswered, type Unanswered } from './resolveUnanswered.js';

/** A row on its way through the send loop: who it is, and whether a killed run may have sent it already. */
export interface LoopRow {
  /** The row of this run (its number in the run's journal). */
  row: number;
  username: string;
  /** The username case-folded: how the sync state and the lookup's answer are matched to the row. */
  usernameKey: string;
  /** Hash of the row's content, recorded when the OMS is known to hold it; '' where nothing is recorded (undo). */
  hash: string;
  /** A killed run marked a mutation of this row as sent, which may have been applied (sentByKilledRun). */
  sentBefore: boolean;
}

/**
 * What the send loop (apply/runSendLoop) asks a job's plan about each row, every answer a pure decision: the loop only
 * looks up, schedules, sends and records what it is told.
 */
export interface RowPlan<R extends LoopRow> {
  /** Whether the row is decided from a lookup of its username (an undo of a created customer needs none). */
  needsLookup(row: R): boolean;
  /** The lookup's customers of this username (any case, any retailer) decide: settle now, or send a mutation. */
  decide(row: R, matches: readonly OmsCustomer[]): Settle | Send;
  /** The OMS answered the mutation with the customer it holds now: verified against what the mutation meant. */
  settleSent(row: R, sent: Send, answered: OmsCustomer): Settle;
  /** Fluent refused the mutation for good. */
  settleRefused(row: R, sent: Send, message: string): Settle;
  /** The answer could not be trusted (lost, or "already exists"): a fresh lookup decides, never a blind resend. */
  resolve(row: R, sent: Send, unanswered: Unanswered, matches: readonly OmsCustomer[]): Settle | Send;
}

/** A sync's (or dry run's) row in the send loop: the facts its outcome is decided from (decideRow). */
export interface SyncRow extends LoopRow {
  facts: RowFacts;
}

/** A sync's plan for the send loop: decideRow's decisions, from each row's facts. */
export const SYNC_ROW_PLAN: RowPlan<SyncRow> = {
  needsLookup: () => true,
  decide: (row, matches) => decideFromLookup(row.facts, matches),
  settleSent: (row, sent, answered) => settleSent(row.facts, sent, answered),
  settleRefused: (row, sent, message) => settleRefused(row.facts, sent, message),
  resolve: (row, sent, unanswered, matches) => resolveUnanswered(row.facts, sent, unanswered, matches),
};
