import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/report/formatDuration.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [1_234, '1.2 s'],
    [42_400, '42 s'],
    [133_000, '2 min 13 s'],
    [180_000, '3 min'],
    [3_900_000, '1 h 05 min'],
    [7_200_000, '2 h'],
    [-1, 'unknown'],
    [Number.NaN, 'unknown'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
