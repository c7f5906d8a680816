import { encodeNote } from '../checkpoint/journalCodec.js';
import { hashCustomer } from '../normalise/hashCustomer.js';
import { type NormaliseContext, normaliseRow } from '../normalise/normaliseRow.js';
import type { Shard } from '../options/index.js';
import { rejectedVerdict, shardVerdict } from '../plan/decideStaging.js';
import { type Customer, NORMALISATION_RULES, type Normalisation, type RawRow, REVIEW_RULES } from '../types.js';
import { identifyRow } from './identifyRow.js';
import { shardOfRow } from './shardOfRow.js';

/**
 * A row made ready for staging: everything stageRows learns of it without the journal or the checkpoint, with what
 * the journal keeps already encoded. Plain data, so that a worker thread can prepare rows (see packPreparedRows) and
 * this thread only settles and writes them.
 */
export interface PreparedRow {
  row: number;
  line: number;
  /** The record's cells as read, as the journal keeps them (JSON). */
  cellsJson: string;
  /** `passed`: of this run's shard, and every check passed; `rejected`; `skipped`: a row of another shard. */
  verdict: 'passed' | 'rejected' | 'skipped';
  /** Its customer's username, or a rejected row's where one can be formed; '' when none. */
  username: string;
  /**
   * A rejected or skipped row's reason; for a row that passed, what normalising changed that its reason must say
   * (the notes, joined), '' when nothing.
   */
  reason: string;
  /** The hash of a passed row's customer. */
  hash: string | undefined;
  /** The normalised customer of a row that passed, when prepared on this thread. */
  customer: Customer | undefined;
  /** The same as JSON, when prepared in a worker for a run that may leave the row open (sync). */
  customerJson: string | undefined;
  /** Of a row that passed: each change normalising made, as its index in NORMALISATION_RULES. */
  rules: readonly number[];
  /** Of a row that passed: what a person should look at (review.csv), as the journal keeps it. */
  reviewJson: string | undefined;
  /** Of a rejected row: the values that rejected it, as the journal keeps them. */
  offendingJson: string | undefined;
}

const RULE_INDEX: ReadonlyMap<string, number> = new Map(NORMALISATION_RULES.map((rule, index) => [rule, index]));
/** Shared by every row that normalising did not change. */
const NO_RULES: readonly number[] = Object.freeze([]);

/**
 * Prepares one row for staging (SPEC §3): normalised, and with `--shard` a row of another shard `skipped`; a row that
 * fails a check `rejected` with every reason, ending with who it is (identifyRow: its username where one can be
 * formed, else its email, names and keys); a row that passes hashed, with the changes normalising made and those a
 * person should look at. Pure: the same on this thread and in a worker.
 */
export function prepareRow(raw: RawRow, context: NormaliseContext, shard: Shard | undefined): PreparedRow {
  const result = normaliseRow(raw, context);
  const prepared: PreparedRow = {
    row: raw.row,
    line: raw.line,
    cellsJson: JSON.stringify(raw.cells),
    verdict: 'passed',
    username: result.ok ? result.customer.username : '',
    reason: '',
    hash: undefined,
    customer: undefined,
    customerJson: undefined,
    rules: NO_RULES,
    reviewJson: undefined,
    offendingJson: undefined,
  };
  const rowShard = shard && shardOfRow(raw.row, result.ok ? result.customer.username : undefined, shard.count);
  const otherShard = shardVerdict(rowShard, shard);
  if (otherShard) {
    prepared.verdict = 'skipped';
    prepared.reason = otherShard.reason;
  } else if (!result.ok) {
    const who = identifyRow(raw.cells, context);
    prepared.verdict = 'rejected';
    prepared.username = who.username ?? '';
    prepared.reason = rejectedVerdict(result.reasons, who.identity ?? '').reason;
    if (result.offending.length > 0) {
      prepared.offendingJson = JSON.stringify(result.offending.map((o) => [o.field, o.value]));
    }
  } else {
    prepared.customer = result.customer;
    prepared.hash = hashCustomer(result.customer);
    prepared.reason = result.notes.join('; ');
    if (result.normalised.length > 0) {
      prepared.rules = result.normalised.map((note) => RULE_INDEX.get(note.rule) as number);
      let review: Normalisation[] | undefined;
      for (const note of result.normalised) {
        if (!REVIEW_RULES.has(note.rule)) continue;
        review ??= [];
        review.push(note);
      }
      if (review) prepared.reviewJson = JSON.stringify(review.map(encodeNote));
    }
  }
  return prepared;
}
