import fc from 'fast-check';
import { getCountries, getCountryCallingCode, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js';
import examples from 'libphonenumber-js/examples.mobile.json';
import { parsePhoneNumberFromString as parseWithMaxMetadata } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { answerValidity } from '../../src/normalise/answerValidity.js';
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

/** What the library says of a national number read with an assumed country: valid there, with its `max` metadata. */
function libraryValid(value: string, country: string, e164: string): boolean {
  const parsed = parseWithMaxMetadata(value, { defaultCountry: country as never, extract: false });
  return parsed?.number === e164 && parsed.isValid();
}

/**
 * Near-real national numbers: a country's example mobile number with a few digits changed, now and then with its
 * trunk prefix, so that valid and invalid numbers both come up often (random digits are nearly all invalid).
 */
const nearRealNational = fc
  .tuple(fc.constantFrom(...countries), fc.nat(), fc.stringMatching(/^\d{0,3}$/), fc.constantFrom('', '', '0', '1'))
  .map(([country, at, digits, prefix]) => {
    const example = getExampleNumber(country, examples)?.nationalNumber ?? '';
    const cut = at % (example.length + 1);
    return { country, value: `${prefix}${example.slice(0, cut)}${digits}${example.slice(cut + digits.length)}` };
  });

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

  it('has a validity fast path that answers exactly as the library does with its max metadata', () => {
    let answered = 0;
    let valid = 0;
    fc.assert(
      fc.property(
        fc.oneof(nearRealNational, fc.record({ country: fc.constantFrom(...countries), value: nationalInput })),
        ({ country, value }) => {
          const e164 = answerFast(value, country);
          if (typeof e164 !== 'string') return;
          const answer = answerValidity(e164, country);
          expect(answer).not.toBeUndefined();
          answered++;
          if (answer) valid++;
          expect([value, country, answer]).toEqual([value, country, libraryValid(value, country, e164)]);
        },
      ),
      { numRuns: 20_000 },
    );
    // Both answers come up often, or the property would prove little.
    expect(valid).toBeGreaterThan(2_000);
    expect(answered - valid).toBeGreaterThan(2_000);
  });

  it('leaves a number of another calling code to the library', () => {
    expect(answerValidity('+442079460000', 'AU')).toBeUndefined();
    expect(answerValidity('+61412345678', 'AU')).toBe(true);
    expect(answerValidity('+61694176022', 'AU')).toBe(false);
  });

  it('requires a national number read with an assumed country to be valid there, as the library says', () => {
    const assumed = { countryAssumed: true, extension: 'reject' } as const;
    let kept = 0;
    fc.assert(
      fc.property(
        fc.oneof(nearRealNational, fc.record({ country: fc.constantFrom(...countries), value: nationalInput })),
        ({ country, value }) => {
          const result = normalisePhone(value, country, assumed);
          const possible = expectedAnswer(value, country);
          const expected = possible !== null && libraryValid(value, country, possible) ? possible : null;
          expect([value, country, result.ok ? result.e164 : null]).toEqual([value, country, expected]);
          if (result.ok) kept++;
        },
      ),
      { numRuns: 10_000 },
    );
    expect(kept).toBeGreaterThan(1_000);
  });

  it('keeps international input to the possible rule, whatever the assumed country', () => {
    fc.assert(
      fc.property(fc.oneof(e164Like, internationalInput), fc.constantFrom(...countries), (value, country) => {
        const assumed = normalisePhone(value, country, { countryAssumed: true, extension: 'reject' });
        expect(assumed).toEqual(normalisePhone(value, country));
      }),
      { numRuns: 2_000 },
    );
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
      expect(normalisePhone(value, country)).toEqual({ ok: true, e164, rules: [] });
    }
    expect(answerFast('+4412', undefined)).toBe(false);
    expect(answerFast('020 7946 0000 ext. 1', 'GB')).toBeUndefined();
  });

  it('drops a national prefix written after the calling code, as the library does', () => {
    expect(normalisePhone('+44 (0)20 7946 0000', undefined)).toEqual({ ok: true, e164: '+442079460000', rules: [] });
    expect(normalisePhone('+4407911123456', undefined)).toEqual({ ok: true, e164: '+447911123456', rules: [] });
  });

  it('rejects a number whose E.164 form would change again when read back', () => {
    expect(normalisePhone('+820000000', undefined)).toEqual({
      ok: false,
      reason: 'primaryPhone "+820000000" has no stable E.164 form: it reads as +82000000, and that as +8200000',
    });
  });

  it('takes international input whatever the country, even one with no numbering plan', () => {
    expect(normalisePhone('+44 20 7946 0000', 'EU')).toEqual({ ok: true, e164: '+442079460000', rules: [] });
  });

  it('names a country without a numbering plan for national input', () => {
    expect(normalisePhone('020 7946 0000', 'EU')).toEqual({
      ok: false,
      reason: 'primaryPhone "020 7946 0000" has no country code, and country EU has no phone numbering plan',
    });
  });
});
