import fc from 'fast-check';
import { getCountries, getCountryCallingCode, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js';
import { Metadata } from 'libphonenumber-js/core';
import examples from 'libphonenumber-js/examples.mobile.json';
import { parsePhoneNumberFromString as parseWithMaxMetadata } from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/max/metadata';
import { describe, expect, it } from 'vitest';
import { answerFast } from '../../src/normalise/answerFast.js';
import { answerValidity } from '../../src/normalise/answerValidity.js';
import { normalisePhone } from '../../src/normalise/normalisePhone.js';

/** What the library itself answers, as normalisePhone must: the E.164 number, or a rejection. */
function libraryAnswer(value: string, country: string | undefined): string | null {
  const parsed = parsePhoneNumberFromString(value, { defaultCountry: country as never, extract: false });
  return parsed?.isPossible() && !parsed.ext ? parsed.number : null;
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

/** A number after an international call prefix of some country, or one that only looks like it. */
const prefixedInput = fc
  .tuple(
    fc.constantFrom('00', '00', '011', '0011', '010', '0055', '0014', '001', '000', '009'),
    fc.constantFrom('', ' ', '-'),
    nationalInput,
  )
  .map(([prefix, sep, rest]) => `${prefix}${sep}${rest}`);

/** A country's international call prefixes of up to four digits, its usual one first: what its people dial abroad. */
const iddCache = new Map<string, string[]>();
function iddExamples(country: string): string[] {
  let examples = iddCache.get(country);
  if (examples === undefined) {
    const meta = new Metadata(maxMetadata);
    meta.selectNumberingPlan(country as never);
    const plan = meta.numberingPlan as unknown as { IDDPrefix(): string; defaultIDDPrefix(): string | undefined };
    const idd = new RegExp(`^(?:${plan.IDDPrefix()})$`);
    const found = new Set<string>();
    const usual = plan.defaultIDDPrefix();
    if (usual) found.add(usual);
    for (let length = 2; length <= 4; length++) {
      for (let n = 0; n < 10 ** length; n++) {
        const digits = String(n).padStart(length, '0');
        if (idd.test(digits)) found.add(digits);
      }
    }
    examples = [...found];
    iddCache.set(country, examples);
  }
  return examples;
}

/**
 * A number valid in its country by the `max` metadata: a country's example mobile number, now and then with its last
 * digits changed where that keeps it valid.
 */
const validNumber = fc
  .tuple(fc.constantFrom(...countries), fc.stringMatching(/^\d{0,3}$/))
  .map(([country, digits]) => {
    const example = getExampleNumber(country, examples)?.number ?? '';
    const changed = `${example.slice(0, example.length - digits.length)}${digits}`;
    const parsed = [changed, example]
      .map((e164) => parseWithMaxMetadata(e164, { extract: false }))
      .find((number) => number?.isValid());
    return parsed && parsed.country === country
      ? {
          e164: parsed.number as string,
          country,
          callingCode: parsed.countryCallingCode as string,
          nationalNumber: parsed.nationalNumber as string,
          national: parsed.formatNational(),
        }
      : undefined;
  })
  .filter((number) => number !== undefined);

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

  it('writes a number given as +CC… when it is possible, counting one the metadata calls invalid, whatever the row', () => {
    let invalid = 0;
    fc.assert(
      fc.property(
        fc.oneof(e164Like, internationalInput),
        fc.constantFrom(...countries),
        fc.boolean(),
        (value, country, countryAssumed) => {
          const result = normalisePhone(value, country, { countryAssumed, extension: 'reject' });
          expect([value, result.ok ? result.e164 : null]).toEqual([value, expectedAnswer(value, undefined)]);
          if (!result.ok) return;
          const valid = parseWithMaxMetadata(value, { extract: false })?.isValid() === true;
          if (!valid) invalid++;
          expect([value, result.rules]).toEqual([value, valid ? [] : ['phonePossibleNotValid']]);
        },
      ),
      { numRuns: 3_000 },
    );
    expect(invalid).toBeGreaterThan(100);
  });

  it('writes no number written without + that isValid() rejects, whatever the country and the prefix', () => {
    let written = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          nearRealNational,
          fc.record({ country: fc.constantFrom(...countries), value: nationalInput }),
          fc.record({ country: fc.constantFrom(...countries), value: prefixedInput }),
        ),
        fc.boolean(),
        ({ country, value }, countryAssumed) => {
          const result = normalisePhone(value, country, { countryAssumed, extension: 'reject' });
          if (!result.ok) return;
          written++;
          const parsed = parseWithMaxMetadata(result.e164, { extract: false });
          expect([value, country, result.e164, parsed?.isValid()]).toEqual([value, country, result.e164, true]);
          expect(result.rules).not.toContain('phonePossibleNotValid');
        },
      ),
      { numRuns: 10_000 },
    );
    expect(written).toBeGreaterThan(1_000);
  });

  /**
   * One exception, by the rule that the row's own country wins: where the digits after `00` are also a valid national
   * number of the row's country (Tajik mobiles start with 00; TJ dials abroad with 810), the row's country is read.
   */
  it('reads a valid number of any country the same way, or not at all, however it is written and in any row', () => {
    const written = { ownPrefix: 0, zeros: 0, plus: 0, national: 0 };
    const runs = { ownPrefix: 0, zeros: 0, plus: 0, national: 0 };
    let nationalOfRow = 0;
    fc.assert(
      fc.property(
        validNumber,
        fc.constantFrom(...countries),
        fc.boolean(),
        separators,
        (number, row, assumed, seps) => {
          const { e164, country, nationalNumber, callingCode } = number;
          const international = formatted(`${callingCode}${nationalNumber}`, seps);
          const forms: [keyof typeof written, string, string][] = [
            ['plus', `+${international}`, row],
            ['zeros', `00${international}`, row],
            ['national', formatted(number.national, seps), country],
          ];
          const prefixes = iddExamples(row);
          const prefix = prefixes[nationalNumber.length % Math.max(prefixes.length, 1)];
          if (prefix !== undefined) forms.push(['ownPrefix', `${prefix} ${international}`, row]);
          for (const [form, value, rowCountry] of forms) {
            const result = normalisePhone(value, rowCountry, { countryAssumed: assumed, extension: 'reject' });
            runs[form]++;
            if (!result.ok) continue;
            written[form]++;
            if (result.e164 !== e164 && form === 'zeros' && !assumed && result.rules.length === 0) {
              const own = parseWithMaxMetadata(result.e164, { extract: false });
              expect([value, rowCountry, own?.isValid()]).toEqual([value, rowCountry, true]);
              expect(result.e164.startsWith(`+${getCountryCallingCode(rowCountry as never)}`)).toBe(true);
              nationalOfRow++;
              continue;
            }
            expect([form, value, rowCountry, result.e164]).toEqual([form, value, rowCountry, e164]);
          }
        },
      ),
      { numRuns: 2_000 },
    );
    expect(nationalOfRow).toBeLessThan(runs.zeros / 100);
    // Nearly every such number is written: the rule rejects only where two readings are valid.
    expect(written.plus / runs.plus).toBeGreaterThan(0.99);
    expect(written.national / runs.national).toBeGreaterThan(0.99);
    expect(written.zeros / runs.zeros).toBeGreaterThan(0.97);
    expect(written.ownPrefix / runs.ownPrefix).toBeGreaterThan(0.97);
  });

  it.each([
    ['a Brazilian number the European way, in a BR row', '0055 519 646 99044', 'BR', '+5551964699044'],
    ['an AU number with 00, in an AU row', '0061 233 354 220', 'AU', '+61233354220'],
    ['a US number with 00, in a JP row', '001 415 211 0419', 'JP', '+14152110419'],
    ['a JP number with 00, in a JP row', '0081 901 924 2088', 'JP', '+819019242088'],
    ['a US number with 00, in a US row', '001 617 286 4981', 'US', '+16172864981'],
    ['an AU mobile with 00, in an AU row', '0061 403 544 892', 'AU', '+61403544892'],
    ['a UK number after AU’s own prefix', '0011 44 20 7946 0000', 'AU', '+442079460000'],
    ['a UK number after the NANP prefix', '011 44 20 7946 0000', 'US', '+442079460000'],
    ['a UK number after JP’s prefix', '010 44 20 7946 0000', 'JP', '+442079460000'],
    ['a UK number after a Brazilian carrier’s prefix', '0021 44 20 7946 0000', 'BR', '+442079460000'],
    ['full-width digits and plus', '＋８１ ８０５ １２３ ６５８７', 'JP', '+818051236587'],
    ['full-width national digits', '０９０-１２３４-５６７８', 'JP', '+819012345678'],
  ])('reads %s', (_, value, country, e164) => {
    const result = normalisePhone(value, country);
    expect(result).toMatchObject({ ok: true, e164 });
  });

  it("rejects digits that read both as a national number and after the row country's own prefix, naming both", () => {
    // RU dials abroad with 8 10; the same digits are also a valid Russian number by the metadata.
    for (const [value, foreign] of [
      ['8 10 855 91 234 567', '+85591234567 (KH'],
      ['810 853 6612 3456', '+85366123456 (MO'],
    ] as const) {
      const result = normalisePhone(value, 'RU');
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).toContain(foreign);
      expect(result.ok ? '' : result.reason).toMatch(/\+7810\d+ \(RU, national\)/);
    }
  });

  it('says how it read each number: its own prefix, 00, an assumed country, or just reformatted', () => {
    const assumed = { countryAssumed: true, extension: 'reject' } as const;
    expect(normalisePhone('0061 233 354 220', 'AU')).toEqual({
      ok: true,
      e164: '+61233354220',
      rules: ['phoneInternationalPrefix'],
    });
    expect(normalisePhone('0011 44 20 7946 0000', 'AU', assumed)).toEqual({
      ok: true,
      e164: '+442079460000',
      rules: ['phoneInternationalPrefix', 'phoneAssumedCountry'],
    });
    // 00 reads the same in any row: the assumed country plays no part.
    expect(normalisePhone('0044 20 7946 0000', 'AU', assumed)).toEqual({
      ok: true,
      e164: '+442079460000',
      rules: ['phoneInternationalPrefix'],
    });
    expect(normalisePhone('0412 345 678', 'AU', assumed)).toEqual({
      ok: true,
      e164: '+61412345678',
      rules: ['phoneAssumedCountry'],
    });
    expect(normalisePhone('0412 345 678', 'AU')).toEqual({ ok: true, e164: '+61412345678', rules: [] });
  });

  it('rejects two valid readings when the row names no country of its own, naming both', () => {
    expect(normalisePhone('0055 519 646 99044', 'BR', { countryAssumed: true, extension: 'reject' })).toEqual({
      ok: false,
      reason:
        'primaryPhone "0055 519 646 99044" reads as +51964699044 (PE, after BR\'s international prefix 0055) or +5551964699044 (BR, after 00); write it as +CC… or give the row its country',
    });
  });

  it('reads 00 and a calling code in a row with no country at all', () => {
    expect(normalisePhone('0049 30 1234567', undefined)).toEqual({
      ok: true,
      e164: '+49301234567',
      rules: ['phoneInternationalPrefix'],
    });
  });

  it('rejects a national number that is possible but not valid in the row’s own country', () => {
    expect(normalisePhone('(999) 555-0199', 'US')).toEqual({
      ok: false,
      reason: 'primaryPhone "(999) 555-0199" is not a valid US number',
    });
  });

  it('rejects a number valid by no reading, naming the prefixes it tried', () => {
    expect(normalisePhone('0061 233 354', 'AU')).toEqual({
      ok: false,
      reason: 'primaryPhone "0061 233 354" is not a valid AU number, nor after the international prefix 00',
    });
  });

  it('names the evidence when the default country was not assumed', () => {
    const rules = {
      countryAssumed: false,
      extension: 'reject',
      notAssumed: { defaultCountry: 'AU', evidence: 'primaryEmail\'s domain ".fr" is France\'s (FR)' },
    } as const;
    expect(normalisePhone('04 61 80 07 28', undefined, rules)).toEqual({
      ok: false,
      reason:
        'primaryPhone "04 61 80 07 28" has no country code, and --default-country AU is not assumed for it: primaryEmail\'s domain ".fr" is France\'s (FR); add the country code or a country column',
    });
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
