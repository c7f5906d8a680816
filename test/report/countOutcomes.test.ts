import { describe, expect, it } from 'vitest';
import { addOutcome, checkTotals, emptyTotals } from '../../src/report/countOutcomes.js';
import { OUTCOME_KINDS } from '../../src/types.js';

describe('countOutcomes', () => {
  it('starts every counter at zero', () => {
    const totals = emptyTotals();
    expect(totals.read).toBe(0);
    for (const kind of OUTCOME_KINDS) expect(totals[kind]).toBe(0);
    expect(() => checkTotals(totals)).not.toThrow();
  });

  it('counts each row as read and as its outcome, so the totals always add up', () => {
    const totals = emptyTotals();
    const kinds = ['created', 'created', 'updated', 'rejected', 'conflict', 'valid', 'skipped'] as const;
    for (const kind of kinds) addOutcome(totals, kind);
    expect(totals).toMatchObject({ read: 7, created: 2, updated: 1, rejected: 1, conflict: 1, valid: 1, skipped: 1 });
    expect(() => checkTotals(totals)).not.toThrow();
  });

  it('throws when read does not equal the sum of the outcomes', () => {
    const totals = emptyTotals();
    addOutcome(totals, 'created');
    totals.read += 1;
    expect(() => checkTotals(totals)).toThrow(/2 rows read but outcomes add up to 1/);
  });

  it('throws when an outcome was counted without its row being read', () => {
    const totals = emptyTotals();
    totals.failed = 1;
    expect(() => checkTotals(totals)).toThrow(/Broken invariant/);
  });

  it('throws on a counter that is not a count', () => {
    const totals = emptyTotals();
    totals.created = -1;
    totals.updated = 1;
    expect(() => checkTotals(totals)).toThrow(/created/);
  });
});
