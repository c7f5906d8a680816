import { describe, expect, it } from 'vitest';
import { convertAttribute } from '../../src/normalise/convertAttribute.js';
import { FLAG_WORDS } from '../../src/normalise/readFlag.js';
import type { AttributeType } from '../../src/types.js';

describe('convertAttribute', () => {
  it.each<[AttributeType, string, unknown]>([
    ['STRING', '  C-1001 ', 'C-1001'],
    ['STRING', 'Gold\n  member', 'Gold member'],
    ['STRING', '007', '007'],
    ['INTEGER', '42', 42],
    ['INTEGER', '-7', -7],
    ['INTEGER', '+3', 3],
    ['INTEGER', ' 0012 ', 12],
    ['INTEGER', '9007199254740991', 9007199254740991],
    ['FLOAT', '1.5', 1.5],
    ['FLOAT', '-.25', -0.25],
    ['FLOAT', '3', 3],
    ['FLOAT', '1e3', 1000],
    ['BOOLEAN', 'Yes', true],
    ['BOOLEAN', 'n', false],
    ['BOOLEAN', '1', true],
    ['JSON', '{"b": [1, "x"], "a": null}', { b: [1, 'x'], a: null }],
    ['JSON', ' "  two  spaces  " ', '  two  spaces  '],
    ['JSON', '12', 12],
  ])('%s %j → %j', (type, cell, value) => {
    expect(convertAttribute(cell, type)).toEqual({ ok: true, value });
  });

  it.each<[AttributeType, string, string]>([
    ['INTEGER', 'abc', '"abc" is not a whole number'],
    ['INTEGER', '1.5', '"1.5" is not a whole number'],
    ['INTEGER', '1,000', '"1,000" is not a whole number'],
    ['INTEGER', '9007199254740993', '"9007199254740993" is too large for a whole number (at most 2^53 - 1)'],
    ['FLOAT', '1,5', '"1,5" is not a number (write decimals with a dot, e.g. 1.5)'],
    ['FLOAT', 'Infinity', '"Infinity" is not a number (write decimals with a dot, e.g. 1.5)'],
    ['FLOAT', '0x10', '"0x10" is not a number (write decimals with a dot, e.g. 1.5)'],
    ['FLOAT', '1e999', '"1e999" is not a number (write decimals with a dot, e.g. 1.5)'],
    ['BOOLEAN', 'maybe', `"maybe" is not one of ${FLAG_WORDS}`],
    ['JSON', '{a: 1}', '"{a: 1}" is not JSON'],
    ['JSON', 'null', 'JSON null is not a value Fluent keeps'],
  ])('%s %j is refused: %s', (type, cell, problem) => {
    expect(convertAttribute(cell, type)).toEqual({ ok: false, problem });
  });
});
