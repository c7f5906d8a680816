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
      anOutcome(5, 'conflict', {
        reason: 'username is held by a customer of retailer 7 (run 20261125T201955Z-3f9a synced it)',
      }),
      anOutcome(6, 'failed', {
        reason: 'username is held by a customer of retailer 7 (run 20261126T010000Z-00aa synced it)',
      }),
      anOutcome(7, 'rejected', { reason: 'primaryEmail "c@x" is not valid' }),
    ];
    expect(topReasons(outcomes, 10)).toEqual([
      { reason: 'primaryEmail "…" is not valid', count: 3, example: 2 },
      { reason: 'username is held by a customer of retailer 7 (run # synced it)', count: 2, example: 5 },
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

  it('keeps the numbers of the fixed text (ISO 3166, E.164, UTF-8, limits, retailers, columns) and replaces row values', () => {
    const outcomes = [
      anOutcome(1, 'rejected', {
        reason: 'country "Deutschland" is not an ISO 3166 alpha-2 country code (such as GB)',
      }),
      anOutcome(2, 'rejected', { reason: 'country "Allemagne" is not an ISO 3166 alpha-2 country code (such as GB)' }),
      anOutcome(3, 'rejected', { reason: 'column 4 has bytes that are not valid UTF-8' }),
      anOutcome(4, 'failed', { reason: 'Fluent refused the create: C0160E: firstName is 51 characters, at most 50.' }),
      anOutcome(5, 'failed', { reason: 'Fluent refused the create: C0160E: firstName is 63 characters, at most 50.' }),
      anOutcome(6, 'rejected', { reason: 'promotionOptIn "maybe" is not one of true/false/yes/no/y/n/1/0' }),
      anOutcome(7, 'rejected', { reason: 'rows 6-9 disagree about the same username' }),
      anOutcome(8, 'rejected', { reason: 'row has 5 columns; the header has 4' }),
      anOutcome(9, 'rejected', { reason: 'row has 3 columns; the header has 4' }),
      anOutcome(10, 'rejected', { reason: 'primaryPhone "+1 555" has no stable E.164 form' }),
      anOutcome(11, 'conflict', { reason: 'username is already held by retailer 2' }),
      anOutcome(12, 'conflict', { reason: 'username is already held by retailer 3' }),
    ];
    expect(topReasons(outcomes, 10).map((group) => [group.reason, group.count])).toEqual([
      ['country "…" is not an ISO 3166 alpha-2 country code (such as GB)', 2],
      ['Fluent refused the create: C0160E: firstName is # characters, at most 50.', 2],
      ['row has # columns; the header has 4', 2],
      ['column 4 has bytes that are not valid UTF-8', 1],
      ['promotionOptIn "…" is not one of true/false/yes/no/y/n/1/0', 1],
      ['rows #… disagree about the same username', 1],
      ['primaryPhone "…" has no stable E.164 form', 1],
      ['username is already held by retailer 2', 1],
      ['username is already held by retailer 3', 1],
    ]);
  });

  it('groups rows without a username by their problem, not by the values that identify them', () => {
    const outcomes = [
      anOutcome(1, 'rejected', {
        username: '',
        reason: 'primaryEmail "ann@" is not a valid email address (row of primaryEmail "ann@", firstName "Ann")',
      }),
      anOutcome(2, 'rejected', {
        username: '',
        reason: 'primaryEmail "bob@" is not a valid email address (row of primaryEmail "bob@")',
      }),
      anOutcome(3, 'rejected', { username: '', reason: 'username is empty (row with no email, name or key)' }),
    ];
    expect(topReasons(outcomes, 10)).toEqual([
      { reason: 'primaryEmail "…" is not a valid email address', count: 2, example: 1 },
      { reason: 'username is empty', count: 1, example: 3 },
    ]);
  });
});
