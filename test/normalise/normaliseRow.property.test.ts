import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseRow } from '../../src/normalise/normaliseRow.js';
import { normaliseText } from '../../src/normalise/normaliseText.js';
import type { Customer, CustomerField } from '../../src/types.js';
import { aContext } from './builders.js';

const piece = fc.oneof(
  fc.constantFrom(
    ' ',
    '  ',
    '\t',
    '\r\n',
    '\n',
    '\u00a0',
    '\u3000',
    'e\u0301',
    'o\u0308',
    'Zoë',
    'Ångström',
    'A',
    'b',
    '-',
    "'",
    '😀',
  ),
  fc.string({ unit: 'grapheme', maxLength: 3 }),
);
const text = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''));
const email = fc.oneof(
  fc.emailAddress(),
  fc
    .tuple(
      fc.constantFrom(' ', '', '\t'),
      fc.constantFrom('Jane', 'JOE.Bloggs', 'zoë'),
      fc.constantFrom('@Example.COM', '@x.co.uk'),
    )
    .map((p) => p.join('')),
  fc.constantFrom('', 'jane@', 'not an email'),
);
const phone = fc.oneof(
  fc.constantFrom(
    '',
    '020 7946 0000',
    '+44 20 7946 0000',
    '(415) 555-2671',
    '+1 999 555 0199',
    '12',
    '07911 123456',
    'x',
  ),
  fc.stringMatching(/^\+[1-9]\d{6,14}$/),
);
const country = fc.constantFrom('', 'GB', 'gb', 'United Kingdom', ' united  states ', 'Germany', 'Narnia', 'FR');
const optIn = fc.constantFrom('', 'yes', 'No', 'Y', 'n', '0', '1', 'TRUE', 'false', 'maybe');

const FIELDS = [
  'title',
  'firstName',
  'lastName',
  'primaryEmail',
  'primaryPhone',
  'timezone',
  'promotionOptIn',
  'department',
  'country',
] as const;
const row = fc.tuple(text, text, text, email, phone, text, optIn, text, country);

/** The row a normalised customer's values make, in `header` order: what re-reading an exported customer gives. */
function cellsOf(customer: Customer, header: readonly CustomerField[]): string[] {
  return header.map((field) => {
    const value = customer[field];
    return value === undefined ? '' : String(value);
  });
}

describe('normaliseRow properties', () => {
  it('is idempotent: a normalised customer fed back as a row comes out the same (template usernames)', () => {
    const context = aContext([...FIELDS], { defaultCountry: 'GB' });
    let passed = 0;
    fc.assert(
      fc.property(row, (cells) => {
        const first = normaliseRow({ row: 1, line: 2, cells: [...cells] }, context);
        if (!first.ok) return;
        passed++;
        const again = normaliseRow({ row: 1, line: 2, cells: cellsOf(first.customer, FIELDS) }, context);
        expect(again).toEqual(first);
      }),
      { numRuns: 1_000 },
    );
    expect(passed).toBeGreaterThan(100);
  });

  it('is idempotent with a username column', () => {
    const header = ['username', ...FIELDS] as const;
    const context = aContext([...header]);
    fc.assert(
      fc.property(text, row, (username, cells) => {
        const first = normaliseRow({ row: 1, line: 2, cells: [username, ...cells] }, context);
        if (!first.ok) return;
        const again = normaliseRow({ row: 1, line: 2, cells: cellsOf(first.customer, [...header]) }, context);
        expect(again).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever the cells, and explains every rejection in one-line reasons', () => {
    const context = aContext(['username', ...FIELDS, 'Notes'], { defaultCountry: 'US' });
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 13 }), (cells) => {
        const result = normaliseRow({ row: 1, line: 2, cells }, context);
        if (result.ok) return;
        expect(result.reasons.length).toBeGreaterThan(0);
        for (const reason of result.reasons) expect(reason).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 2_000 },
    );
  });

  it('normaliseText is idempotent and leaves no outer or doubled whitespace', () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ unit: 'binary' })), (value) => {
        const once = normaliseText(value);
        expect(normaliseText(once)).toBe(once);
        expect(once).toBe(once.trim());
        expect(once).not.toMatch(/\s\s|[\t\r\n]/);
        expect(once).toBe(once.normalize('NFC'));
      }),
      { numRuns: 5_000 },
    );
  });
});
