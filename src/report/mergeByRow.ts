import type { ReportFile } from './readReportFile.js';
import { restoreCell, type ShardReport } from './readShardReport.js';

/**
 * One file of every shard (rejects.csv, review.csv) merged by row, as one run would list it: each shard's lines are in
 * row order already, and no row is in two shards. `open` reads a shard's header (its cells restored, undefined for an
 * empty file) and returns how to read that shard's lines; it throws for a header that is not the file's. Each file is
 * read a record at a time, so memory holds one line per shard.
 */
export function* mergeByRow<Line extends { row: number }>(
  shards: readonly ShardReport[],
  file: (shard: ShardReport) => ReportFile,
  open: (header: string[] | undefined, shard: ShardReport) => (cells: string[]) => Line,
): Generator<Line> {
  const readers = shards.map((s) => file(s).records());
  try {
    const parsers = readers.map((reader, i) => {
      const header = reader.next();
      return open(header.done ? undefined : header.value.map(restoreCell), shards[i] as ShardReport);
    });
    const next = (i: number): Line | undefined => {
      const record = (readers[i] as Generator<string[]>).next();
      return record.done ? undefined : (parsers[i] as (cells: string[]) => Line)(record.value.map(restoreCell));
    };
    const heads = readers.map((_, i) => next(i));
    for (;;) {
      let pick = -1;
      heads.forEach((head, i) => {
        if (head && (pick === -1 || head.row < (heads[pick] as Line).row)) pick = i;
      });
      if (pick === -1) return;
      yield heads[pick] as Line;
      heads[pick] = next(pick);
    }
  } finally {
    for (const reader of readers) reader.return();
  }
}
