import path from 'node:path';
import { readRows } from '../read/readRows.js';
import { OUTCOMES_HEADER } from '../report/writeReport.js';
import { OUTCOME_KINDS, type OutcomeKind } from '../types.js';
import type { OutcomeRow } from './apiTypes.js';

/**
 * The rows of a report's outcomes.csv, each time it is iterated read anew from the file with the input reader (so a
 * cell neutralised against formulas gets its `'` off again, and memory stays flat however many rows there are).
 * The folder is the one the run wrote; a line that is not one of this tool's throws.
 */
export function readOutcomes(reportDir: string): AsyncIterable<OutcomeRow> {
  const file = path.resolve(reportDir, 'outcomes.csv');
  return {
    async *[Symbol.asyncIterator]() {
      const source = await readRows(file, { encoding: 'utf8' });
      if (source.header.join(',') !== OUTCOMES_HEADER.join(',')) {
        throw new Error(`${file} does not start with the header ${OUTCOMES_HEADER.join(',')}`);
      }
      for await (const { cells } of source.rows) {
        const [row = '', , username = '', outcome = '', reason = '', changedFields = '', customerId = ''] = cells;
        if (!(OUTCOME_KINDS as readonly string[]).includes(outcome)) {
          throw new Error(`${file}: row ${row} has no outcome of this tool ("${outcome}")`);
        }
        yield {
          row: Number(row),
          username,
          outcome: outcome as OutcomeKind,
          reason,
          changedFields: changedFields === '' ? [] : changedFields.split(';'),
          customerId: customerId === '' ? null : customerId,
        };
      }
    },
  };
}
