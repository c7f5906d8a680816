import { describe, expect, it } from 'vitest';
import { describeOutcome } from '../../src/report/describeOutcome.js';

const none = { otherRetailer: 0, caseVariant: 0, concurrent: 0, unseen: 0 };

describe('how conflicts are worded, by their kinds', () => {
  const cases: [string, number, Partial<typeof none> | undefined, string][] = [
    ['all another retailer’s', 2, { ...none, otherRetailer: 2 }, 'rows have a username taken by another retailer'],
    ['one case variant', 1, { ...none, caseVariant: 1 }, 'row has a username this retailer holds in another case'],
    [
      'created at the same time',
      3,
      { ...none, concurrent: 3 },
      'rows have a username another writer created at the same time',
    ],
    ['unseen', 1, { ...none, unseen: 1 }, 'row has a username Fluent says exists where this login cannot see it'],
    [
      'a mix, each counted',
      1_203,
      { ...none, otherRetailer: 1_200, caseVariant: 3 },
      'rows have a username in conflict with another customer (1,200 taken by another retailer, 3 held in another case)',
    ],
    ['kinds not known (an older report)', 2, undefined, 'rows have a username in conflict with another customer'],
    [
      'some recorded before kinds were kept',
      3,
      { ...none, caseVariant: 1 },
      'rows have a username in conflict with another customer (1 held in another case)',
    ],
  ];
  it.each(cases)('%s', (_, count, conflicts, phrase) => {
    const words = describeOutcome('conflict', 'apply', count, conflicts ? { conflicts } : {});
    expect(words.phrase).toBe(phrase);
    expect(words.label).toBe('Conflict');
  });

  it('hints at what to do for the kind', () => {
    expect(describeOutcome('conflict', 'apply', 1, { conflicts: { ...none, caseVariant: 1 } }).hint).toMatch(
      /use the spelling the OMS holds/,
    );
  });
});
