import { describe, expect, it } from 'vitest';
import { topReasons } from '../../src/report/topReasons.js';
import { anOutcome } from './reportBuilders.js';

describe('topReasons', () => {
  it('groups reasons that differ only in quoted values and numbers, most frequent first', () => {
    const outcomes = [
      anOutcome(1, 'rejected', { reason: 'primaryPhone "12" is not a possible phone number' }),
      anOutcome(2, 'rejected', { reason: 'primaryEmail "a@" is not valid' }),
      anOutcome(3, 'created'),
      anOutcome(4, 'rejected', { reason: 'primaryEmail "b@" is not valid' }),
      anOutcome(5, 'conflict', { reason: 'username is held by a customer of retailer 7' }),
      anOutcome(6, 'failed', { reason: 'username is held by a customer of retailer 12' }),
      anOutcome(7, 'rejected', { reason: 'primaryEmail "c@x" is not valid' }),
    ];
    expect(topReasons(outcomes, 10)).toEqual([
      { reason: 'primaryEmail "…" is not valid', count: 3, example: 2 },
      { reason: 'username is held by a customer of retailer #', count: 2, example: 5 },
      { reason: 'primaryPhone "…" is not a possible phone number', count: 1, example: 1 },
    ]);
  });

  it('groups lists of row numbers whatever their length', () => {
    const outcomes = [
      anOutcome(3, 'rejected', { reason: 'rows 3 and 9 disagree about the same username' }),
      anOutcome(9, 'rejected', { reason: 'rows 3, 9, 12 and 40 disagree about the same username' }),
    ];
    expect(topReasons(outcomes, 5)).toEqual([
      { reason: 'rows #… disagree about the same username', count: 2, example: 3 },
    ]);
  });

  it('ignores rows that need no attention and honours the limit', () => {
    const outcomes = [
      anOutcome(1, 'duplicate', { reason: 'same as row 1' }),
      anOutcome(2, 'skipped', { reason: 'another shard' }),
      anOutcome(3, 'rejected', { reason: 'first' }),
      anOutcome(4, 'rejected', { reason: 'second' }),
      anOutcome(5, 'rejected', { reason: '' }),
    ];
    expect(topReasons(outcomes, 2)).toEqual([
      { reason: 'first', count: 1, example: 3 },
      { reason: 'second', count: 1, example: 4 },
    ]);
    expect(topReasons(outcomes, 10).at(-1)).toEqual({ reason: '(no reason given)', count: 1, example: 5 });
    expect(topReasons([], 10)).toEqual([]);
  });
});
