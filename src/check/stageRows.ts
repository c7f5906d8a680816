import type { RunJournal, StagedRow } from '../checkpoint/runJournal.js';
import { hashCustomer } from '../normalise/hashCustomer.js';
import { type NormaliseContext, normaliseRow } from '../normalise/normaliseRow.js';
import type { Shard } from '../options/index.js';
import { type PassedRow, rejectedVerdict, type SettleRows, shardVerdict } from '../plan/decideStaging.js';
import {
  type Customer,
  NORMALISATION_RULES,
  type Normalisation,
  type NormalisationRule,
  type OffendingValue,
  type RawRow,
  REVIEW_RULES,
} from '../types.js';
import { identifyRow } from './identifyRow.js';
import { shardOfRow } from './shardOfRow.js';

/** How many cells each normalisation rule changed, over the rows of the run's shard that passed (report.json). */
export type NormalisedCounts = Record<NormalisationRule, number>;

/** Counts with every rule at zero, in NORMALISATION_RULES order. */
export function emptyNormalisedCounts(): NormalisedCounts {
  return Object.fromEntries(NORMALISATION_RULES.map((rule) => [rule, 0])) as NormalisedCounts;
}

/** Rows normalised before a batch is settled and handed to the journal: one settle call per batch, memory flat. */
const BATCH = 1_000;

/**
 * Streams the file's rows through normalisation into the run's journal, with plan/'s verdicts on what needs no
 * network (decideStaging): `rejected` (with every reason), with `--shard` `skipped` for rows of other shards, and for
 * rows that pass, whatever `settle` decides (validate: `valid`; sync: what the checkpoint alone says). Each row is written once, with
 * its outcome when it has one, so nothing rewrites every row later. Memory stays flat: rows go to SQLite in batches as
 * they arrive. A passing row keeps what normalising changed that a person should look at (REVIEW_RULES: review.csv);
 * a rejected one keeps the values that rejected it, and says who it is: its username where one can be formed, else
 * its reason ends with its email, names and keys. Returns the number of data rows read and how many cells each
 * normalisation rule changed.
 */
export async function stageRows(input: {
  rows: AsyncIterable<RawRow>;
  context: NormaliseContext;
  shard: Shard | undefined;
  journal: Pick<RunJournal, 'createStager'>;
  runId: string;
  settle: SettleRows;
  signal: AbortSignal;
  onRow: () => void;
}): Promise<{ read: number; normalised: NormalisedCounts }> {
  const stager = input.journal.createStager(input.runId);
  const { shard } = input;
  let batch: StagedRow[] = [];
  let passed: (StagedRow & PassedRow)[] = [];
  const flush = () => {
    if (passed.length > 0) {
      const outcomes = input.settle(passed);
      for (let i = 0; i < passed.length; i++) (passed[i] as StagedRow).outcome = outcomes[i];
    }
    for (const row of batch) stager.add(row);
    batch = [];
    passed = [];
  };

  let read = 0;
  const normalised = emptyNormalisedCounts();
  for await (const raw of input.rows) {
    read++;
    const result = normaliseRow(raw, input.context);
    const rowShard = shard && shardOfRow(raw.row, result.ok ? result.customer.username : undefined, shard.count);
    const otherShard = shardVerdict(rowShard, shard);
    if (otherShard) {
      batch.push(stagedRow(raw, result.ok ? result : undefined, undefined, otherShard, undefined, undefined));
    } else if (!result.ok) {
      const who = identifyRow(raw.cells, input.context);
      const rejected = rejectedVerdict(result.reasons, who.identity ?? '');
      const row = stagedRow(raw, undefined, undefined, rejected, undefined, result.offending);
      row.username = who.username;
      batch.push(row);
    } else {
      let review: Normalisation[] | undefined;
      for (const note of result.normalised) {
        normalised[note.rule]++;
        if (!REVIEW_RULES.has(note.rule)) continue;
        review ??= [];
        review.push(note);
      }
      const row = stagedRow(raw, result, hashCustomer(result.customer), undefined, review, undefined) as StagedRow &
        PassedRow;
      batch.push(row);
      passed.push(row);
    }
    if (batch.length >= BATCH) flush();
    input.onRow();
    if (input.signal.aborted) break;
  }
  flush();
  stager.flush();
  return { read, normalised };
}

/**
 * A staged row with every property present, in one order: one object shape keeps this per-row path monomorphic (an
 * object spread per row cost more than normalising the row).
 */
function stagedRow(
  raw: RawRow,
  passed: { customer: Customer; notes: readonly string[] } | undefined,
  hash: string | undefined,
  outcome: StagedRow['outcome'],
  review: readonly Normalisation[] | undefined,
  offending: readonly OffendingValue[] | undefined,
): StagedRow {
  return {
    row: raw.row,
    line: raw.line,
    cells: raw.cells,
    customer: passed?.customer,
    username: undefined,
    hash,
    notes: passed?.notes,
    outcome,
    review,
    offending,
  };
}
