import { describe, expect, it } from 'vitest';
import { quoteValue } from '../../src/normalise/quoteValue.js';

describe('quoteValue', () => {
  it.each([
    ['plain text as it is', 'jane@', '"jane@"'],
    ['inner double quotes as single ones', 'say "hi"', `"say 'hi'"`],
    ['a C0 control escaped', 'a\u001b[2Jb', '"a\\u001b[2Jb"'],
    ['NUL, DEL and C1 controls escaped', '\u0000\u007f\u0085\u009b', '"\\u0000\\u007f\\u0085\\u009b"'],
    ['tab and line breaks escaped too', 'a\tb\r\nc', '"a\\u0009b\\u000d\\u000ac"'],
  ])('quotes %s', (_, value, quoted) => {
    expect(quoteValue(value)).toBe(quoted);
  });

  it('cuts a long value to 40 characters with an ellipsis', () => {
    expect(quoteValue('x'.repeat(60))).toBe(`"${'x'.repeat(39)}…"`);
    expect(quoteValue('x'.repeat(40))).toBe(`"${'x'.repeat(40)}"`);
  });

  it('never cuts a character outside the BMP in half', () => {
    const quoted = quoteValue(`${'x'.repeat(38)}😀${'y'.repeat(10)}`);
    expect(quoted).toBe(`"${'x'.repeat(38)}…"`);
    expect(quoted).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('escapes a control character that ends up just before the cut', () => {
    expect(quoteValue(`${'x'.repeat(38)}\u001b${'y'.repeat(10)}`)).toBe(`"${'x'.repeat(38)}\\u001b…"`);
  });
});
