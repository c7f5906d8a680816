import fc from 'fast-check';
import { getCountries, getCountryCallingCode, getExampleNumber } from 'libphonenumber-js';
import examples from 'libphonenumber-js/examples.mobile.json';
import { parsePhoneNumberFromString as parseWithMaxMetadata } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { normaliseRow } from '../../src/normalise/normaliseRow.js';
import { normaliseText } from '../../src/normalise/normaliseText.js';
import type { Customer, CustomerField, Normalisation, NormaliseResult } from '../../src/types.js';
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

/**
 * What re-reading a normalised customer still lists: nothing changes, but a phone the metadata calls possible and not
 * valid stays one to review, as written.
 */
function stillToReview(first: Extract<NormaliseResult, { ok: true }>): Normalisation[] {
  const phone = first.customer.primaryPhone;
  return first.normalised
    .filter((entry) => entry.rule === 'phonePossibleNotValid')
    .map((entry) => ({ ...entry, input: phone ?? '' }));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const countries = getCountries();
/**
 * What a multi-country export holds in its phone column: another country's number written the way its people write
 * it (national format, their separators), sometimes with a digit changed; and now and then just digits.
 */
const localPhone = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...countries), fc.nat(), fc.integer({ min: 0, max: 9 }))
      .map(([country, at, digit]) => {
        const national = getExampleNumber(country, examples)?.formatNational() ?? '';
        const digits = [...national].flatMap((c, i) => (/\d/.test(c) ? [i] : []));
        const i = digits[at % Math.max(digits.length, 1)];
        return i === undefined || at % 3 === 0 ? national : `${national.slice(0, i)}${digit}${national.slice(i + 1)}`;
      }),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^0?\d{6,11}$/) },
);

describe('normaliseRow properties', () => {
  it('never writes a phone with a country the row did not name unless it is valid, and lists it for review', () => {
    const header = ['primaryEmail', 'primaryPhone', 'country'];
    let kept = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        localPhone,
        fc.constantFrom(...countries),
        fc.constantFrom('', '', '', ' ', 'FR', 'United States'),
        (phone, defaultCountry, country) => {
          const context = aContext(header, { defaultCountry });
          const result = normaliseRow({ row: 1, line: 2, cells: ['j@x.com', phone, country] }, context);
          if (!result.ok) {
            refused++;
            return;
          }
          const written = result.customer.primaryPhone;
          if (written === undefined || country.trim() !== '') return;
          // The row named no country, so none was written, and the phone was read with the assumed one or after 00.
          expect(result.customer.country).toBeUndefined();
          kept++;
          const library = parseWithMaxMetadata(written, { extract: false });
          expect([phone, defaultCountry, written, library?.isValid()]).toEqual([phone, defaultCountry, written, true]);
          const rules = result.normalised.map((entry) => entry.rule);
          expect(rules.includes('phoneAssumedCountry') || rules.includes('phoneInternationalPrefix')).toBe(true);
          // Read nationally, it is a number of the assumed country.
          if (!rules.includes('phoneInternationalPrefix')) {
            expect([phone, written.startsWith(`+${getCountryCallingCode(defaultCountry)}`)]).toEqual([phone, true]);
          }
        },
      ),
      { numRuns: 5_000 },
    );
    // Both happen often, or the property would prove little.
    expect(kept).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(1_000);
  });

  it('is idempotent: a normalised customer fed back as a row comes out the same, nothing changed (template usernames)', () => {
    const context = aContext([...FIELDS], { defaultCountry: 'GB' });
    let passed = 0;
    fc.assert(
      fc.property(row, (cells) => {
        const first = normaliseRow({ row: 1, line: 2, cells: [...cells] }, context);
        if (!first.ok) return;
        passed++;
        const again = normaliseRow({ row: 1, line: 2, cells: cellsOf(first.customer, FIELDS) }, context);
        expect(again).toEqual({ ...first, normalised: stillToReview(first) });
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
        expect(again).toEqual({ ...first, normalised: stillToReview(first) });
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever the cells, and explains every rejection in one-line reasons with no raw control', () => {
    const context = aContext(['username', ...FIELDS, 'Notes'], { defaultCountry: 'US' });
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 13 }), (cells) => {
        const result = normaliseRow({ row: 1, line: 2, cells }, context);
        if (result.ok) return;
        expect(result.reasons.length).toBeGreaterThan(0);
        for (const reason of result.reasons) expect(reason).not.toMatch(RAW_CONTROL);
      }),
      { numRuns: 2_000 },
    );
  });

  it('lets no control character but tab, CR and LF reach a customer, and names the column of one it refuses', () => {
    const header = ['username', ...FIELDS];
    const context = aContext(header);
    const control = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }).filter((code) => code !== 9 && code !== 10 && code !== 13),
      fc.integer({ min: 0x7f, max: 0x9f }),
    );
    fc.assert(
      fc.property(text, row, fc.nat(), fc.nat(), control, (username, cells, column, at, code) => {
        const spoilt = [`u${username}`, ...cells];
        const i = column % spoilt.length;
        const cell = spoilt[i] as string;
        const char = String.fromCharCode(code);
        spoilt[i] = `${cell.slice(0, at % (cell.length + 1))}${char}${cell.slice(at % (cell.length + 1))}`;
        const result = normaliseRow({ row: 1, line: 2, cells: spoilt }, context);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const escaped = `\\u${code.toString(16).padStart(4, '0')}`;
        expect(result.reasons).toContain(
          `column "${header[i]}" has ${code === 0 ? 'a NUL' : 'a control'} character (${escaped})`,
        );
        for (const reason of result.reasons) expect(reason).not.toMatch(RAW_CONTROL);
      }),
      { numRuns: 1_000 },
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
