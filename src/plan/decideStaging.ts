import type { Shard } from '../options/index.js';
import type { Customer, OutcomeKind } from '../types.js';

/**
 * The verdicts a run takes on a row with no request at all (SPEC §3), from plain inputs: a row of another shard is
 * `skipped`, a row that fails a check is `rejected` with every reason, a row that passes is `valid` in validate (or
 * whatever the checkpoint alone says in a sync: settleFromCheckpoint), and the rows a stopped run never reached are
 * `skipped`. Pure.
 */

/** An outcome decided without a request; `customerId` where the checkpoint knows the customer's OMS id. */
export interface StagedOutcome {
  kind: OutcomeKind;
  reason: string;
  customerId?: string | null;
}

/** A row that passed every check (and is of this run's shard). */
export interface PassedRow {
  customer: Customer;
  hash: string;
  /** What normalising changed that the row's reason must say (e.g. a dropped phone extension). */
  notes: readonly string[];
}

/**
 * Decides, for a batch of rows that passed every check, what needs no request: a final outcome for a row, or
 * undefined to leave it open for the apply stage. In-file duplicate rules run later and may still override it.
 */
export type SettleRows = (rows: readonly PassedRow[]) => readonly (StagedOutcome | undefined)[];

/** `--shard K/N`: a row whose shard is not this run's is `skipped`, naming its shard; undefined for a row of ours. */
export function shardVerdict(rowShard: number | undefined, shard: Shard | undefined): StagedOutcome | undefined {
  if (!shard || rowShard === shard.index) return undefined;
  return { kind: 'skipped', reason: `belongs to shard ${rowShard}/${shard.count}` };
}

/** A row that failed a check: `rejected`, every reason given, then who the row is (`identity`, '' when unknown). */
export function rejectedVerdict(reasons: readonly string[], identity: string): StagedOutcome {
  return { kind: 'rejected', reason: reasons.join('; ') + identity };
}

/** validate: a row that passed every check is `valid`, its reason what normalising changed. */
export const settleValid: SettleRows = (rows) =>
  rows.map((row) => (row.notes.length === 0 ? VALID : { kind: 'valid', reason: row.notes.join('; ') }));

/** The outcome nearly every row of a clean file gets: one shared value rather than one per row. */
const VALID: StagedOutcome = Object.freeze({ kind: 'valid', reason: '' } as const);

/**
 * The rows a stopped run (or undo) never reached: `skipped`, saying why, so the report still accounts for every row
 * and the next run takes them. The journal puts any normalisation notes after this text.
 */
export function stoppedVerdict(abortReason: string, what: 'run' | 'undo'): { outcome: 'skipped'; reason: string } {
  return { outcome: 'skipped', reason: `not processed: the ${what} stopped (${abortReason})` };
}
