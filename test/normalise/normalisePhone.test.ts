import fc from 'fast-check';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { answerE164, normalisePhone } from '../../src/normalise/normalisePhone.js';

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

describe('normalisePhone', () => {
  it('has a fast path for E.164 input that answers exactly as the library does', () => {
    let answeredFast = 0;
    let runs = 0;
    fc.assert(
      fc.property(e164Like, fc.option(fc.constantFrom(...countries), { nil: undefined }), (value, country) => {
        runs++;
        const fast = answerE164(value);
        if (fast === undefined) return;
        answeredFast++;
        expect(fast ? value : null).toBe(libraryAnswer(value, country));
      }),
      { numRuns: 20_000 },
    );
    // The fast path must actually carry most of this traffic, or the property above proves little.
    expect(answeredFast / runs).toBeGreaterThan(0.5);
  });

  it('answers international input as the library does, rejecting forms that would not stay put', () => {
    fc.assert(
      fc.property(e164Like, fc.option(fc.constantFrom(...countries), { nil: undefined }), (value, country) => {
        expect(ourAnswer(value, country)).toBe(expectedAnswer(value, country));
      }),
      { numRuns: 5_000 },
    );
  });

  it('answers the fast path for typical E.164 numbers', () => {
    for (const value of ['+447911123456', '+14155552671', '+33612345678', '+4930123456', '+61412345678']) {
      expect(answerE164(value)).toBe(true);
      expect(normalisePhone(value, undefined)).toEqual({ ok: true, e164: value });
    }
    expect(answerE164('+4412')).toBe(false);
    expect(answerE164('+44 20 7946 0000')).toBeUndefined();
  });

  it('answers national numbers as the library does, for any country', () => {
    const national = fc.tuple(fc.constantFrom('', '0', '1', '00', '011', '(0)'), fc.stringMatching(/^[\d ()-]{1,16}$/));
    fc.assert(
      fc.property(national, fc.constantFrom(...countries), ([prefix, digits], country) => {
        const value = `${prefix}${digits}`.trim();
        if (value === '' || value.startsWith('+')) return;
        expect(ourAnswer(value, country)).toBe(expectedAnswer(value, country));
      }),
      { numRuns: 2_000 },
    );
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

  it('names a country without a numbering plan', () => {
    expect(normalisePhone('020 7946 0000', 'EU')).toEqual({
      ok: false,
      reason: 'primaryPhone "020 7946 0000" has no country code, and country EU has no phone numbering plan',
    });
  });
});
