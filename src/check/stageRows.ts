import type { RunJournal } from '../checkpoint/runJournal.js';
import { hashCustomer } from '../normalise/hashCustomer.js';
import { type NormaliseContext, normaliseRow } from '../normalise/normaliseRow.js';
import type { Shard } from '../options.js';
import type { RawRow } from '../types.js';
import { shardOfRow } from './shardOfRow.js';

/**
 * Streams the file's rows through normalisation into the run's journal, deciding on the spot what needs no network:
 * `rejected` (with every reason) and, with `--shard`, `skipped` for rows of other shards. Memory stays flat:
 * rows go to SQLite in batches as they arrive. Returns the number of data rows read.
 */
export async function stageRows(input: {
  rows: AsyncIterable<RawRow>;
  context: NormaliseContext;
  shard: Shard | undefined;
  journal: Pick<RunJournal, 'createStager'>;
  runId: string;
  signal: AbortSignal;
  onRow: () => void;
}): Promise<number> {
  const stager = input.journal.createStager(input.runId);
  const { shard } = input;
  let read = 0;
  for await (const raw of input.rows) {
    read++;
    const result = normaliseRow(raw, input.context);
    const rowShard = shard && shardOfRow(raw.row, result.ok ? result.customer.username : undefined, shard.count);
    if (shard && rowShard !== shard.index) {
      const outcome = { kind: 'skipped' as const, reason: `belongs to shard ${rowShard}/${shard.count}` };
      stager.add({ ...raw, ...(result.ok && { customer: result.customer }), outcome });
    } else if (!result.ok) {
      stager.add({ ...raw, outcome: { kind: 'rejected', reason: result.reasons.join('; ') } });
    } else {
      stager.add({ ...raw, customer: result.customer, hash: hashCustomer(result.customer), notes: result.notes });
    }
    input.onRow();
    if (input.signal.aborted) break;
  }
  stager.flush();
  return read;
}
