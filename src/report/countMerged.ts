import { UsageError } from '../errors.js';
import type { RejectedValueCount, RowOutcome, RunTotals } from '../types.js';
import { OUTCOME_KINDS } from '../types.js';
import { emptyTotals } from './countOutcomes.js';
import { mergeOutcomes } from './mergeOutcomes.js';
import type { ShardReport } from './readShardReport.js';
import { withoutRowIdentity } from './rowIdentity.js';

/** The rejected values the merged page lists, and how many distinct ones it counts at most to find them. */
const REJECTED_VALUES_SHOWN = 20;
const REJECTED_VALUES_COUNTED = 50_000;
/** A reason part about one value: the field, then the value quoted (`country "Deutschland" is not …`). */
const VALUE_REASON = /^([A-Za-z][\w.]*) "([^"]*)"/;

/**
 * One pass over the rows before anything is written: the merged totals (report.json comes last, but writeReport
 * checks the totals first), every shard's lines checked against its own report.json, and the values that rejected
 * most rows. A shard's report keeps no list of those, so they are read from the reasons, which quote them
 * (`country "Deutschland" is not …`); at most REJECTED_VALUES_COUNTED distinct values are counted.
 *
 * @throws UsageError when a shard's outcomes.csv does not add up to its report.json (or as mergeOutcomes does)
 */
export function countMerged(shards: readonly ShardReport[]): {
  totals: RunTotals;
  rejectedValues: RejectedValueCount[];
} {
  const totals = emptyTotals();
  const ownLines = shards.map(() => emptyTotals());
  const values = new Map<string, RejectedValueCount>();
  for (const outcome of mergeOutcomes(shards, ownLines)) {
    totals[outcome.outcome] += 1;
    totals.read += 1;
    if (outcome.outcome === 'rejected') countRejectedValues(outcome, values);
  }
  shards.forEach((report, i) => {
    const counted = ownLines[i] as RunTotals;
    const mismatch = (['read', ...OUTCOME_KINDS] as const).find((k) => counted[k] !== report.summary.totals[k]);
    if (mismatch !== undefined) {
      throw new UsageError(
        `${report.dir}: report.json counts ${report.summary.totals[mismatch]} ${mismatch} but outcomes.csv has ${counted[mismatch]}; the folder was changed after its run`,
      );
    }
  });
  const rejectedValues = [...values.values()]
    .sort((a, b) => b.rows - a.rows || a.example - b.example)
    .slice(0, REJECTED_VALUES_SHOWN);
  return { totals, rejectedValues };
}

/** Counts the values a rejected row's reason quotes, once each per row. */
function countRejectedValues(outcome: RowOutcome, values: Map<string, RejectedValueCount>): void {
  const seen = new Set<string>();
  for (const part of withoutRowIdentity(outcome.reason).split('; ')) {
    const match = VALUE_REASON.exec(part);
    if (!match) continue;
    const [, field = '', value = ''] = match;
    const key = `${field}\u0000${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const counted = values.get(key);
    if (counted) counted.rows += 1;
    else if (values.size < REJECTED_VALUES_COUNTED) values.set(key, { field, value, rows: 1, example: outcome.row });
  }
}
