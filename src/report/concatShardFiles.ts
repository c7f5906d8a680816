import { UsageError } from '../errors.js';
import type { ReportFile } from './readReportFile.js';
import { restoreCell, type ShardReport, sameCells } from './readShardReport.js';

/**
 * One file of every shard that has it (diff.csv, missing.csv), one shard's lines after another's in shard order, each
 * record turned into a line by `toLine` (its cells restored). A file must start with one of `headers`, else it is
 * refused as not `what` of a report. Read a record at a time.
 */
export function* concatShardFiles<Line>(
  shards: readonly ShardReport[],
  file: (shard: ShardReport) => ReportFile | undefined,
  expected: { name: string; what: string; headers: readonly (readonly string[])[] },
  toLine: (cells: string[]) => Line,
): Generator<Line> {
  for (const report of shards) {
    let header = true;
    for (const record of file(report)?.records() ?? []) {
      const cells = record.map(restoreCell);
      if (header) {
        header = false;
        if (!expected.headers.some((columns) => sameCells(cells, columns))) {
          throw new UsageError(`${report.dir}/${expected.name} is not ${expected.what} of a report`);
        }
        continue;
      }
      yield toLine(cells);
    }
  }
}
