import { type CountryCode, getCountryCallingCode, isSupportedCountry, Metadata } from 'libphonenumber-js/core';
// The `max` metadata: `min` holds each country's overall number pattern only, so its isValid() passes numbers in
// ranges no operator uses (about half of the possible random numbers it calls valid, `max` calls invalid).
import metadata from 'libphonenumber-js/max/metadata';

/**
 * Whether libphonenumber-js, with its `max` metadata, calls `e164` valid when it was read from a national number of
 * `country` (`parsePhoneNumberFromString(input, {defaultCountry: country}, max).isValid()`); undefined when `e164`
 * does not carry that country's calling code, which only the library can judge. A property test checks that this
 * answers exactly as the library does.
 *
 * Why not ask the library: it compiles every pattern it tests anew, about 14 µs a number, several times the cost of
 * the rest of a row, and a file whose rows carry no country has a phone like this on every row. The steps are the
 * library's own (parse.js, getCountryByNationalNumber.js, isValid.js, getNumberType.js) on patterns compiled once.
 */
export function answerValidity(e164: string, country: string): boolean | undefined {
  if (!isSupportedCountry(country as CountryCode, metadata)) return undefined;
  const callingCode = getCountryCallingCode(country as CountryCode, metadata);
  if (!e164.startsWith(`+${callingCode}`)) return undefined;
  const national = e164.slice(callingCode.length + 1);
  // The number belongs to the first country sharing the calling code whose leading digits or number types match,
  // else to the country it was read with; it is valid if it is of a known type there.
  const exact = exactCountry(callingCode, national) ?? country;
  const plan = countryPatterns(exact);
  return plan.hasTypes ? hasType(plan, national) : plan.national.test(national);
}

interface CountryPatterns {
  /** The overall national number pattern. */
  national: RegExp;
  /** Leading digits that alone place a number in this country, for a few countries sharing a calling code. */
  leadingDigits: RegExp | undefined;
  hasTypes: boolean;
  /** Fixed line, mobile, toll free…: a number of none of them is not valid. */
  types: { pattern: RegExp; lengths: readonly number[] | undefined }[];
}

/** The number types getNumberType() tries, fixed line first; any match makes the number valid. */
const TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

/** The runtime Metadata methods read here; the library's typings declare only a few of them. */
interface MetadataInternals {
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  selectNumberingPlan(country: string): void;
  numberingPlan?: {
    nationalNumberPattern(): string;
    leadingDigits(): string | undefined;
    hasTypes(): boolean;
    type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
  };
}

const meta = new Metadata(metadata) as unknown as MetadataInternals;
/** Filled lazily: a run meets a handful of countries. */
const patternsOf = new Map<string, CountryPatterns>();
const countriesOf = new Map<string, readonly string[]>();

function exactCountry(callingCode: string, national: string): string | undefined {
  let countries = countriesOf.get(callingCode);
  if (countries === undefined) {
    countries = meta.getCountryCodesForCallingCode(callingCode) ?? [];
    countriesOf.set(callingCode, countries);
  }
  // One country: the library takes it without looking at the digits.
  if (countries.length === 1) return countries[0];
  for (const country of countries) {
    const plan = countryPatterns(country);
    if (plan.leadingDigits ? plan.leadingDigits.test(national) : hasType(plan, national)) return country;
  }
  return undefined;
}

function hasType(plan: CountryPatterns, national: string): boolean {
  if (!plan.national.test(national)) return false;
  for (const type of plan.types) {
    if ((type.lengths === undefined || type.lengths.includes(national.length)) && type.pattern.test(national)) {
      return true;
    }
  }
  return false;
}

function countryPatterns(country: string): CountryPatterns {
  let plan = patternsOf.get(country);
  if (plan === undefined) {
    meta.selectNumberingPlan(country);
    const numbering = meta.numberingPlan;
    const leading = numbering?.leadingDigits();
    const hasTypes = numbering?.hasTypes() ?? false;
    const types: CountryPatterns['types'] = [];
    for (const name of TYPES) {
      const type = hasTypes ? numbering?.type(name) : undefined;
      const pattern = type?.pattern();
      // An empty pattern stands for a type removed as a duplicate of another: it matches nothing.
      if (type && pattern) types.push({ pattern: entire(pattern), lengths: type.possibleLengths() });
    }
    plan = {
      national: entire(numbering?.nationalNumberPattern() ?? '(?!)'),
      // The library tests `national.search(leadingDigits) === 0`: a match at the start.
      leadingDigits: leading ? new RegExp(`^(?:${leading})`) : undefined,
      hasTypes,
      types,
    };
    patternsOf.set(country, plan);
  }
  return plan;
}

/** matchesEntirely() of the library, compiled once. */
function entire(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}
