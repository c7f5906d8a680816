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

describe('convertAttribute: what JSON escapes can smuggle past the cell check', () => {
  it.each<[string, string]>([
    ['{"k":"a\\u0000b\\u001b[31m"}', 'the JSON value at "k" has a control character (\\u0000)'],
    ['{"a":{"b":["ok","\\u009b2J"]}}', 'the JSON value at "a.b[1]" has a control character (\\u009b)'],
    ['{"\\u001b]0;title\\u0007":1}', 'the JSON key "\\u001b]0;title\\u0007" has a control character (\\u001b)'],
    ['"\\u007f"', 'the JSON string has a control character (\\u007f)'],
    [
      '{"k":"\\ufffd"}',
      'the JSON value at "k" has a replacement character (\\ufffd), the mark of bytes that were not text',
    ],
    ['["\\ud800x"]', 'the JSON value at "[0]" has half of a surrogate pair (\\ud800), which is not a character'],
    [
      '{"id":12345678901234567890}',
      'the number "12345678901234567890" at "id" cannot be kept as written (past 2^53, or out of a number\'s range); write it as a string',
    ],
    [
      '[1e400]',
      'the number "1e400" at "[0]" cannot be kept as written (past 2^53, or out of a number\'s range); write it as a string',
    ],
  ])('%s is refused: %s', (cell, problem) => {
    expect(convertAttribute(cell, 'JSON')).toEqual({ ok: false, problem });
  });

  it('keeps tabs, line breaks, paired surrogates and exact numbers inside JSON strings, as the customer wrote them', () => {
    expect(
      convertAttribute('{"note":"line 1\\nline 2\\tend","emoji":"\\ud83d\\ude00","n":9007199254740991}', 'JSON'),
    ).toEqual({
      ok: true,
      value: { note: 'line 1\nline 2\tend', emoji: '😀', n: 9007199254740991 },
    });
  });

  it('walks nesting deeper than a recursive walk could', () => {
    const depth = 100_000;
    const cell = `${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`;
    const result = convertAttribute(cell, 'JSON');
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.problem).toMatch(/has a control character \(\\u0000\)$/);
  });
});
