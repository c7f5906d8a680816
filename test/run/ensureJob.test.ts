import { describe, expect, it } from 'vitest';
import { toEnsureResults } from '../../src/run/jobs/ensureJob.js';
import type { RowOutcome } from '../../src/types.js';

const row = (partial: Partial<RowOutcome> & Pick<RowOutcome, 'row' | 'outcome'>): RowOutcome => ({
  line: partial.row + 1,
  username: '',
  reason: '',
  changedFields: [],
  customerId: '',
  ...partial,
});

describe('toEnsureResults', () => {
  it('one result per row in row order; no id and no username are null', () => {
    expect(
      toEnsureResults([
        row({ row: 1, outcome: 'created', username: '1_a@example.com', customerId: '7' }),
        row({ row: 2, outcome: 'rejected', reason: 'primaryEmail "x" is not an email' }),
        row({ row: 3, outcome: 'conflict', username: '1_b@example.com', reason: 'held by retailer 2' }),
      ]),
    ).toEqual([
      { customerId: '7', username: '1_a@example.com', outcome: 'created', reason: '' },
      { customerId: null, username: null, outcome: 'rejected', reason: 'primaryEmail "x" is not an email' },
      { customerId: null, username: '1_b@example.com', outcome: 'conflict', reason: 'held by retailer 2' },
    ]);
  });

  it('a duplicate gets the id of the customer it duplicates, whichever row comes first and in any case', () => {
    const results = toEnsureResults([
      row({ row: 1, outcome: 'duplicate', username: '1_A@example.com', reason: 'same as row 2' }),
      row({ row: 2, outcome: 'unchanged', username: '1_a@example.com', customerId: '9' }),
      row({ row: 3, outcome: 'duplicate', username: '1_c@example.com', reason: 'same as row 4' }),
      row({ row: 4, outcome: 'rejected', username: '1_c@example.com' }),
    ]);
    expect(results.map((r) => r.customerId)).toEqual(['9', '9', null, null]);
  });

  it('an outcome a create-only run never gives is a broken invariant, not a result', () => {
    expect(() => toEnsureResults([row({ row: 1, outcome: 'updated', username: 'u', customerId: '1' })])).toThrow(
      /never gives/,
    );
  });
});
