import type { RunJournal, StagedRow } from '../checkpoint/runJournal.js';
import { hashCustomer } from '../normalise/hashCustomer.js';
import { type NormaliseContext, normaliseRow } from '../normalise/normaliseRow.js';
import type { Shard } from '../options.js';
import type { Customer, OutcomeKind, RawRow } from '../types.js';
import { shardOfRow } from './shardOfRow.js';

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
export type SettleRows = (rows: readonly PassedRow[]) => readonly ({ kind: OutcomeKind; reason: string } | undefined)[];

/** Rows normalised before a batch is settled and handed to the journal: one settle call per batch, memory flat. */
const BATCH = 1_000;

/**
 * Streams the file's rows through normalisation into the run's journal, deciding on the spot what needs no network:
 * `rejected` (with every reason), with `--shard` `skipped` for rows of other shards, and for rows that pass,
 * whatever `settle` decides (validate: `valid`; sync: what the checkpoint alone says). Each row is written once, with
 * its outcome when it has one, so nothing rewrites every row later. Memory stays flat: rows go to SQLite in batches as
 * they arrive. Returns the number of data rows read.
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
}): Promise<number> {
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
  for await (const raw of input.rows) {
    read++;
    const result = normaliseRow(raw, input.context);
    const rowShard = shard && shardOfRow(raw.row, result.ok ? result.customer.username : undefined, shard.count);
    if (shard && rowShard !== shard.index) {
      const outcome = { kind: 'skipped' as const, reason: `belongs to shard ${rowShard}/${shard.count}` };
      batch.push(stagedRow(raw, result.ok ? result : undefined, undefined, outcome));
    } else if (!result.ok) {
      batch.push(stagedRow(raw, undefined, undefined, { kind: 'rejected', reason: result.reasons.join('; ') }));
    } else {
      const row = stagedRow(raw, result, hashCustomer(result.customer), undefined) as StagedRow & PassedRow;
      batch.push(row);
      passed.push(row);
    }
    if (batch.length >= BATCH) flush();
    input.onRow();
    if (input.signal.aborted) break;
  }
  flush();
  stager.flush();
  return read;
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
): StagedRow {
  return {
    row: raw.row,
    line: raw.line,
    cells: raw.cells,
    customer: passed?.customer,
    hash,
    notes: passed?.notes,
    outcome,
  };
}
