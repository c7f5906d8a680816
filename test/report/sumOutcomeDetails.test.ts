import { describe, expect, it } from 'vitest';
import { sumOutcomeDetails } from '../../src/report/sumOutcomeDetails.js';

const none = { otherRetailer: 0, caseVariant: 0, concurrent: 0, unseen: 0 };

describe('sumOutcomeDetails: the shards’ counts in a merged report', () => {
  it('adds up each kind and each field, most first, when every shard has them', () => {
    expect(
      sumOutcomeDetails([
        { conflicts: { ...none, caseVariant: 1 }, notTakenAsSent: { primaryPhone: 2 } },
        { conflicts: { ...none, caseVariant: 2, unseen: 1 }, notTakenAsSent: { title: 1, primaryPhone: 3 } },
      ]),
    ).toEqual({ conflicts: { ...none, caseVariant: 3, unseen: 1 }, notTakenAsSent: { primaryPhone: 5, title: 1 } });
  });

  it('leaves out what a shard of an earlier release lacks, and counts no junk', () => {
    expect(sumOutcomeDetails([{ conflicts: { ...none, unseen: 1 } }, {}])).toEqual({});
    const junk = { conflicts: { ...none, unseen: -4, concurrent: 1.5 }, notTakenAsSent: { title: 'x' } };
    expect(sumOutcomeDetails([junk as never])).toEqual({ conflicts: none, notTakenAsSent: { title: 0 } });
  });
});
