import { UsageError } from '../errors.js';
import { mergeByRow } from './mergeByRow.js';
import { restoreCell, type ShardReport, sameCells } from './readShardReport.js';
import type { RejectLine } from './reportTypes.js';

/** A raw cell that starts like a formula: a report neutralises every such cell but an E.164 phone (`+614…`). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The shards' rejects.csv lines merged by row (each shard's are in row order already, and no row is in two). */
export function mergeRejects(shards: readonly ShardReport[]): Generator<RejectLine> {
  return mergeByRow(
    shards,
    (s) => s.rejects,
    (header = []) => {
      const row = header.indexOf('_row');
      const reason = header.indexOf('_reason');
      return (cells) => ({ row: Number(cells[row]), cells, reason: cells[reason] ?? '' });
    },
  );
}

/**
 * The columns of rejects.csv (the input's, then `_row` and `_reason`), the same in every shard.
 *
 * @throws UsageError when a shard's rejects.csv lacks `_row` or `_reason`, or has other columns than the others'
 */
export function readRejectsHeader(shards: readonly ShardReport[]): string[] {
  let header: string[] | undefined;
  for (const report of shards) {
    const reader = report.rejects.records();
    const first = reader.next();
    reader.return();
    const cells = first.done ? undefined : first.value.map(restoreCell);
    if (!cells?.includes('_row') || !cells.includes('_reason')) {
      throw new UsageError(`${report.dir}/rejects.csv does not have the _row and _reason columns of a report`);
    }
    if (header && !sameCells(header, cells)) {
      throw new UsageError(
        `${report.dir}/rejects.csv has other columns than the other shards': they read different files`,
      );
    }
    header = cells;
  }
  return header ?? [];
}

/**
 * Input columns holding E.164 phones: a report leaves only those un-neutralised (`+614…`), so a raw cell that starts
 * like a formula marks its column. Known before writing, so writeReport exempts the same columns again.
 */
export function findPhoneColumns(shards: readonly ShardReport[], columns: number): Set<number> {
  const phones = new Set<number>();
  for (const report of shards) {
    let header = true;
    for (const cells of report.rejects.records()) {
      if (header) {
        header = false;
        continue;
      }
      cells.forEach((cell, index) => {
        if (index < columns && FORMULA_START.test(cell)) phones.add(index);
      });
    }
  }
  return phones;
}
