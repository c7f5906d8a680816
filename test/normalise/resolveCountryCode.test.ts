import { describe, expect, it } from 'vitest';
import { countryName, ISO_COUNTRIES, resolveCountryCode } from '../../src/normalise/resolveCountryCode.js';

const letters = 'abcdefghijklmnopqrstuvwxyz';
const locales = Intl.DisplayNames.supportedLocalesOf(
  [...letters].flatMap((first) => [...letters].map((second) => first + second)),
);

describe('resolveCountryCode', () => {
  it('builds its index of every locale’s names once, on the first name English does not know, in well under a second', () => {
    const started = performance.now();
    expect(resolveCountryCode('Deutschland')).toEqual({ code: 'DE' });
    const first = performance.now() - started;
    const again = performance.now();
    expect(resolveCountryCode('Allemagne')).toEqual({ code: 'DE' });
    expect(performance.now() - again).toBeLessThan(50);
    // About 0.25 s on a laptop; the bound leaves room for a loaded CI machine.
    expect(first).toBeLessThan(3_000);
  });

  it('reads every country’s name in every locale ICU has as that country, or as the countries it could be', () => {
    let names = 0;
    for (const locale of locales) {
      const display = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
      for (const code of ISO_COUNTRIES) {
        const name = display.of(code);
        // Two Latin letters as a name (`VS`, `RU`, Vietnamese `Áo`) are never read as one: too like a code (AO).
        if (
          name === undefined ||
          /^[a-z]{1,2}$/.test(
            name
              .normalize('NFD')
              .replace(/[^\p{L}]/gu, '')
              .toLowerCase(),
          )
        ) {
          continue;
        }
        names++;
        const match = resolveCountryCode(name);
        const codes = match === undefined ? [] : 'code' in match ? [match.code] : match.candidates;
        expect([locale, name, codes.includes(code)]).toEqual([locale, name, true]);
      }
    }
    expect(names).toBeGreaterThan(30_000);
  });

  it('knows a name for every code of its table, so the table holds no typo', () => {
    for (const code of ISO_COUNTRIES) expect([code, countryName(code) !== code]).toEqual([code, true]);
    expect(ISO_COUNTRIES.size).toBe(249);
  });

  it('reads alpha-3 codes in any case, and never a two-letter text as a name', () => {
    expect(resolveCountryCode('DEU')).toEqual({ code: 'DE' });
    expect(resolveCountryCode('jpn')).toEqual({ code: 'JP' });
    // "RU" is the Spanish short name of the United Kingdom, "VS" the Dutch one of the United States: codes win.
    expect(resolveCountryCode('RU')).toEqual({ code: 'RU' });
    expect(resolveCountryCode('VS')).toBeUndefined();
  });
});

describe('resolveCountryCode: a code that is also a name', () => {
  it('reads three capitals as a code, and the same letters otherwise as the countries they could be', () => {
    expect(resolveCountryCode('NGA')).toEqual({ code: 'NG' });
    expect(resolveCountryCode('Nga')).toEqual({ candidates: ['NG', 'RU'] });
    expect(resolveCountryCode('Aus')).toEqual({ code: 'AU' });
  });
});
