import type { RawRow } from '../types.js';
import type { RowBatch } from './startCsvParser.js';

/**
 * The first `limit` data rows of an input, for `--limit N` (a sample run). Reading stops there: the rest of the file
 * is never parsed, and the reader is closed as any early stop closes it, so the digest covers only what was read.
 */
export async function* limitRows(rows: AsyncIterable<RawRow>, limit: number): AsyncGenerator<RawRow> {
  if (limit <= 0) return;
  let taken = 0;
  for await (const row of rows) {
    yield row;
    taken++;
    if (taken >= limit) return;
  }
}

/** The same for rows in batches: the batch that reaches `limit` is cut there. */
export async function* limitBatches(batches: AsyncIterable<RowBatch>, limit: number): AsyncGenerator<RowBatch> {
  if (limit <= 0) return;
  let taken = 0;
  for await (const batch of batches) {
    const room = limit - taken;
    if (batch.rows.length < room) {
      taken += batch.rows.length;
      yield batch;
      continue;
    }
    yield (
      batch.prepared
        ? { prepared: true, rows: batch.rows.slice(0, room) }
        : { prepared: false, rows: batch.rows.slice(0, room) }
    ) satisfies RowBatch;
    return;
  }
}
