import fc from 'fast-check';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { answerFast, normalisePhone } from '../../src/normalise/normalisePhone.js';

/** What the library itself answers, as normalisePhone must: the E.164 number, or a rejection. */
function libraryAnswer(value: string, country: string | undefined): string | null {
  const parsed = parsePhoneNumberFromString(value, { defaultCountry: country as never, extract: false });
  return parsed?.isPossible() && !parsed.ext ? parsed.number : null;
}

function ourAnswer(value: string, country: string | undefined): string | null {
  const result = normalisePhone(value, country);
  return result.ok ? result.e164 : null;
}

const countries = getCountries();
const callingCodes = [...new Set(countries.map((country) => getCountryCallingCode(country)))];

/** `+`, a real calling code (now and then a made-up one), maybe a national prefix digit, then 0–16 digits. */
const e164Like = fc
  .tuple(
    fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom(...callingCodes) },
      { weight: 1, arbitrary: fc.stringMatching(/^[1-9]\d{0,2}$/) },
    ),
    fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('0', '1', '8', '00') }),
    fc.stringMatching(/^\d{0,16}$/),
  )
  .map(([code, prefix, digits]) => `+${code}${prefix}${digits}`);

/** The library's answer where it is stable; a number whose E.164 form would change when read again is rejected. */
function expectedAnswer(value: string, country: string | undefined): string | null {
  const answer = libraryAnswer(value, country);
  return answer === null || libraryAnswer(answer, undefined) === answer ? answer : null;
}

/** Digits with the separators people type, now and then a national or trunk prefix in front. */
const formatted = (digits: string, separators: string) =>
  digits
    .split('')
    .map((digit, i) => `${digit}${separators[i % separators.length] ?? ''}`)
    .join('')
    .trim();
const separators = fc.constantFrom('', '', ' ', '-', '.', '  -', ' () ', '(');
const internationalInput = fc.tuple(e164Like, separators).map(([value, seps]) => `+${formatted(value.slice(1), seps)}`);
const nationalInput = fc
  .tuple(
    fc.constantFrom('', '', '0', '1', '8', '00', '011', '0011', '(0)'),
    fc.stringMatching(/^\d{1,15}$/),
    separators,
  )
  .map(([prefix, digits, seps]) => `${prefix}${formatted(digits, seps)}`.trim());
const anyCountry = fc.option(fc.constantFrom(...countries), { nil: undefined });

/**
 * Wherever the fast path answers, it answers exactly as libphonenumber-js does; and it answers most of the inputs,
 * or the property would prove little.
 */
function expectFastPathAgrees(inputs: fc.Arbitrary<string>, countryOf: fc.Arbitrary<string | undefined>): void {
  let answered = 0;
  let runs = 0;
  fc.assert(
    fc.property(inputs, countryOf, (value, country) => {
      runs++;
      const fast = answerFast(value, country);
      if (fast === undefined) return;
      answered++;
      expect(fast || null).toBe(libraryAnswer(value, country));
    }),
    { numRuns: 20_000 },
  );
  expect(answered / runs).toBeGreaterThan(0.5);
}

describe('normalisePhone', () => {
  it('has a fast path that answers international input exactly as the library does', () => {
    expectFastPathAgrees(fc.oneof(e164Like, internationalInput), anyCountry);
  });

  it('has a fast path that answers national input exactly as the library does', () => {
    expectFastPathAgrees(nationalInput, fc.constantFrom(...countries));
  });

  it('answers as the library does, rejecting forms that would not stay put', () => {
    fc.assert(
      fc.property(
        fc.oneof(e164Like, internationalInput, nationalInput),
        fc.constantFrom(...countries),
        (value, country) => {
          expect(ourAnswer(value, country)).toBe(expectedAnswer(value, country));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('answers the fast path for the common forms', () => {
    const cases: [string, string | undefined, string][] = [
      ['+447911123456', undefined, '+447911123456'],
      ['+61 412 345 678', undefined, '+61412345678'],
      ['+1 (415) 555-2671', 'GB', '+14155552671'],
      ['0412 345 678', 'AU', '+61412345678'],
      ['(415) 555-2671', 'US', '+14155552671'],
      ['07911 123456', 'GB', '+447911123456'],
      ['030 1234567', 'DE', '+49301234567'],
    ];
    for (const [value, country, e164] of cases) {
      expect(answerFast(value, country)).toBe(e164);
      expect(normalisePhone(value, country)).toEqual({ ok: true, e164 });
    }
    expect(answerFast('+4412', undefined)).toBe(false);
    expect(answerFast('020 7946 0000 ext. 1', 'GB')).toBeUndefined();
  });

  it('drops a national prefix written after the calling code, as the library does', () => {
    expect(normalisePhone('+44 (0)20 7946 0000', undefined)).toEqual({ ok: true, e164: '+442079460000' });
    expect(normalisePhone('+4407911123456', undefined)).toEqual({ ok: true, e164: '+447911123456' });
  });

  it('rejects a number whose E.164 form would change again when read back', () => {
    expect(normalisePhone('+820000000', undefined)).toEqual({
      ok: false,
      reason: 'primaryPhone "+820000000" has no stable E.164 form: it reads as +82000000, and that as +8200000',
    });
  });

  it('takes international input whatever the country, even one with no numbering plan', () => {
    expect(normalisePhone('+44 20 7946 0000', 'EU')).toEqual({ ok: true, e164: '+442079460000' });
  });

  it('names a country without a numbering plan for national input', () => {
    expect(normalisePhone('020 7946 0000', 'EU')).toEqual({
      ok: false,
      reason: 'primaryPhone "020 7946 0000" has no country code, and country EU has no phone numbering plan',
    });
  });
});
