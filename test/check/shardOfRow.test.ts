import { describe, expect, it } from 'vitest';
import { shardOf } from '../../src/check/shardOf.js';
import { shardOfRow } from '../../src/check/shardOfRow.js';
import { shareOfRate } from '../../src/check/shareOfRate.js';

describe('shardOfRow', () => {
  it('gives a row without a username to one shard by its row number, round robin, so N shards cover it once', () => {
    for (const count of [1, 2, 3, 7]) {
      const rows = Array.from({ length: 3 * count }, (_, i) => i + 1);
      const shards = rows.map((row) => shardOfRow(row, undefined, count));
      expect(shards.every((k) => k >= 1 && k <= count)).toBe(true);
      for (let k = 1; k <= count; k++) expect(shards.filter((s) => s === k)).toHaveLength(3);
    }
    expect([1, 2, 3, 4].map((row) => shardOfRow(row, undefined, 3))).toEqual([1, 2, 3, 1]);
  });

  it('gives a row with a username the shard of its username, whatever its row number or case', () => {
    for (const row of [1, 2, 99]) {
      expect(shardOfRow(row, '1_Jane@Example.com', 5)).toBe(shardOf('1_jane@example.com', 5));
    }
  });
});

describe('shareOfRate', () => {
  it('splits --rate evenly across the shards of one job, and leaves a run without shards the whole of it', () => {
    expect(shareOfRate(90, { index: 2, count: 3 })).toBe(30);
    expect(shareOfRate(10, { index: 1, count: 4 })).toBe(2.5);
    expect(shareOfRate(10, undefined)).toBe(10);
  });
});
