import type { RunJournal, StagedRow } from '../checkpoint/runJournal.js';
import type { NormaliseContext } from '../normalise/normaliseRow.js';
import type { Shard } from '../options/index.js';
import type { PassedRow, SettleRows } from '../plan/decideStaging.js';
import type { RowBatch } from '../read/startCsvParser.js';
import { type Customer, NORMALISATION_RULES, type NormalisationRule, type RawRow } from '../types.js';
import { type PreparedRow, prepareRow } from './prepareRow.js';

/** How many cells each normalisation rule changed, over the rows of the run's shard that passed (report.json). */
export type NormalisedCounts = Record<NormalisationRule, number>;

/** Counts with every rule at zero, in NORMALISATION_RULES order. */
export function emptyNormalisedCounts(): NormalisedCounts {
  return Object.fromEntries(NORMALISATION_RULES.map((rule) => [rule, 0])) as NormalisedCounts;
}

/** Rows gathered before a batch is settled and handed to the journal: one settle call per batch, memory flat. */
const BATCH = 2_000;

/**
 * Streams the file's rows through normalisation into the run's journal, with plan/'s verdicts on what needs no
 * network (prepareRow, decideStaging): `rejected` (with every reason), with `--shard` `skipped` for rows of other
 * shards, and for rows that pass, whatever `settle` decides (validate: `valid`; sync: what the checkpoint alone says).
 * Each row is written once, with its outcome when it has one, so nothing rewrites every row later. Memory stays flat:
 * rows go to SQLite in batches as they arrive. A passing row keeps what normalising changed that a person should look
 * at (REVIEW_RULES: review.csv); a rejected one keeps the values that rejected it, and says who it is. Returns the
 * number of data rows read and how many cells each normalisation rule changed.
 *
 * The rows come one by one (`rows`), or in batches (`batches`, which wins), some of them prepared already by the
 * reader's worker thread: this thread then only prepares the batches that come as read, settles and stages.
 */
export async function stageRows(input: {
  rows: AsyncIterable<RawRow>;
  batches?: AsyncIterable<RowBatch> | undefined;
  context: NormaliseContext;
  shard: Shard | undefined;
  journal: Pick<RunJournal, 'createStager'>;
  runId: string;
  settle: SettleRows;
  signal: AbortSignal;
  onRow: () => void;
}): Promise<{ read: number; normalised: NormalisedCounts }> {
  const stager = input.journal.createStager(input.runId);
  const { shard, context, signal, onRow } = input;
  let staged: StagedRow[] = [];
  let passed: PassedRow[] = [];
  let passedStaged: StagedRow[] = [];
  const flush = () => {
    if (passed.length > 0) {
      const outcomes = input.settle(passed);
      for (let i = 0; i < passed.length; i++) (passedStaged[i] as StagedRow).outcome = outcomes[i];
    }
    for (const row of staged) stager.add(row);
    staged = [];
    passed = [];
    passedStaged = [];
  };

  let read = 0;
  const counts = new Array<number>(NORMALISATION_RULES.length).fill(0);
  /** Stages one prepared row; false once the run is stopped. */
  const stage = (prepared: PreparedRow): boolean => {
    read++;
    const row = stagedRow(prepared);
    staged.push(row);
    if (prepared.verdict === 'passed') {
      for (const rule of prepared.rules) counts[rule] = (counts[rule] as number) + 1;
      passed.push(new PreparedPassedRow(prepared));
      passedStaged.push(row);
    }
    if (staged.length >= BATCH) flush();
    onRow();
    return !signal.aborted;
  };

  if (input.batches) {
    reading: for await (const batch of input.batches) {
      for (const row of batch.rows) {
        const prepared = batch.prepared ? (row as PreparedRow) : prepareRow(row as RawRow, context, shard);
        if (!stage(prepared)) break reading;
      }
    }
  } else {
    for await (const raw of input.rows) {
      if (!stage(prepareRow(raw, context, shard))) break;
    }
  }
  flush();
  stager.flush();
  const normalised = emptyNormalisedCounts();
  NORMALISATION_RULES.forEach((rule, index) => {
    normalised[rule] = counts[index] as number;
  });
  return { read, normalised };
}

/**
 * The staged row of a prepared one, every property present in one order (one object shape keeps this per-row path
 * monomorphic). A rejected or skipped row has its outcome; one that passed gets whatever `settle` decides.
 */
function stagedRow(prepared: PreparedRow): StagedRow {
  const { verdict } = prepared;
  return {
    row: prepared.row,
    line: prepared.line,
    cells: NO_CELLS,
    cellsJson: prepared.cellsJson,
    customer: prepared.customer,
    customerJson: prepared.customerJson,
    username: prepared.username,
    hash: prepared.hash,
    notes: verdict === 'passed' ? notesOf(prepared) : undefined,
    outcome: verdict === 'passed' ? undefined : { kind: verdict, reason: prepared.reason },
    review: undefined,
    reviewJson: prepared.reviewJson,
    offending: undefined,
    offendingJson: prepared.offendingJson,
  };
}

const NO_CELLS: readonly string[] = Object.freeze([]);
const NO_NOTES: readonly string[] = Object.freeze([]);

/** A passed row's notes: prepareRow joins them, which is all anything does with them. */
function notesOf(prepared: PreparedRow): readonly string[] {
  return prepared.reason === '' ? NO_NOTES : [prepared.reason];
}

/**
 * A prepared row as `settle` takes it. A customer prepared in a worker crosses as JSON, read back only if the settling
 * looks at it (validate never does).
 */
class PreparedPassedRow implements PassedRow {
  readonly hash: string;
  readonly notes: readonly string[];
  #prepared: PreparedRow;

  constructor(prepared: PreparedRow) {
    this.#prepared = prepared;
    this.hash = prepared.hash as string;
    this.notes = notesOf(prepared);
  }

  get customer(): Customer {
    const prepared = this.#prepared;
    if (prepared.customer) return prepared.customer;
    if (prepared.customerJson === undefined) throw new Error('the row was prepared without its customer');
    prepared.customer = JSON.parse(prepared.customerJson) as Customer;
    return prepared.customer;
  }
}
