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

  it('keeps numbers that are part of a name (E.164, UTF-8, Fluent codes, y/n/1/0) and replaces those standing alone', () => {
    const outcomes = [
      anOutcome(1, 'rejected', {
        reason: 'primaryPhone "+1 555 0100 x12" has an extension (12), which E.164 cannot hold',
      }),
      anOutcome(2, 'rejected', {
        reason: 'primaryPhone "+44 20 7946 0958 x7" has an extension (7), which E.164 cannot hold',
      }),
      anOutcome(3, 'rejected', { reason: 'column 4 has bytes that are not valid UTF-8' }),
      anOutcome(4, 'failed', { reason: 'Fluent refused the create: C0160E: firstName is 51 characters, at most 50.' }),
      anOutcome(5, 'rejected', { reason: 'promotionOptIn "maybe" is not one of true/false/yes/no/y/n/1/0' }),
      anOutcome(6, 'rejected', { reason: 'rows 6-9 disagree about the same username' }),
    ];
    expect(topReasons(outcomes, 10).map((group) => group.reason)).toEqual([
      'primaryPhone "…" has an extension (#), which E.164 cannot hold',
      'column # has bytes that are not valid UTF-8',
      'Fluent refused the create: C0160E: firstName is # characters, at most #.',
      'promotionOptIn "…" is not one of true/false/yes/no/y/n/1/0',
      'rows #… disagree about the same username',
    ]);
  });
});
