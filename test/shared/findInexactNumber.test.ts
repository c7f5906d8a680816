import { describe, expect, it } from 'vitest';
import { findInexactNumber } from '../../src/shared/findInexactNumber.js';

describe('findInexactNumber', () => {
  it.each<[string, { literal: string; path: string } | undefined]>([
    ['{"a": 9007199254740991, "b": -9007199254740991}', undefined],
    ['{"a": 0.05, "b": 1e3, "c": -0, "d": 0e10, "e": 1.7976931348623157e308}', undefined],
    ['{"a": 9007199254740992}', { literal: '9007199254740992', path: 'a' }],
    ['{"a": {"b": [1, 2, -12345678901234567890]}}', { literal: '-12345678901234567890', path: 'a.b[2]' }],
    ['[1e400]', { literal: '1e400', path: '[0]' }],
    ['{"tiny": 1e-400}', { literal: '1e-400', path: 'tiny' }],
    ['12345678901234567890', { literal: '12345678901234567890', path: '' }],
    // Digits inside strings, keys with escapes and numbers after nested objects are read for what they are.
    [
      '{"n": "12345678901234567890", "k\\"": {"x": 1}, "after": 99999999999999999}',
      {
        literal: '99999999999999999',
        path: 'after',
      },
    ],
  ])('%s', (text, expected) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(findInexactNumber(text)).toEqual(expected);
  });
});
