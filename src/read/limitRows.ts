import type { RawRow } from '../types.js';

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
