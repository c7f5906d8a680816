import { findCountryEvidence } from './findCountryEvidence.js';
import type { NormaliseContext } from './normaliseContext.js';
import { normalisePhone, type PhoneResult } from './normalisePhone.js';

/**
 * The row's own country decides how a phone without `+` is read. `--default-country` applies only to rows with no
 * country and nothing else pointing to another country (an email's country-code domain, a column naming a country):
 * it is then an assumption, and every number read with it is listed for review.
 */
export function normalisePhoneOfRow(
  phone: string,
  country: string | undefined,
  context: NormaliseContext,
  cells: readonly string[],
  email: string,
): PhoneResult {
  const extension = context.phoneExtension ?? 'reject';
  if (country !== undefined) return normalisePhone(phone, country, { countryAssumed: false, extension });
  const { defaultCountry } = context;
  if (defaultCountry === undefined || isInternational(phone)) {
    return normalisePhone(phone, undefined, { countryAssumed: false, extension });
  }
  const evidence = findCountryEvidence(cells, context.layout, email, defaultCountry);
  if (evidence !== undefined) {
    return normalisePhone(phone, undefined, {
      countryAssumed: false,
      extension,
      notAssumed: { defaultCountry, evidence },
    });
  }
  return normalisePhone(phone, defaultCountry, { countryAssumed: true, extension });
}

/** `+` or the full-width `＋` the phone cell is read with after NFKC. */
export function isInternational(phone: string): boolean {
  const first = phone.charCodeAt(0);
  return first === PLUS || first === FULL_WIDTH_PLUS;
}

const PLUS = 0x2b;
const FULL_WIDTH_PLUS = 0xff0b;
