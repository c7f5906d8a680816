import { Metadata } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';

const PLUS = 0x2b;
const ZERO = 0x30;
/** Digits with spaces, dashes, dots or brackets, maybe after a `+`: text the library reads as just its digits. */
const PLAIN_NUMBER = /^\+?[\d ().-]+$/;
const NOT_DIGIT = /\D/g;
/** The library's bounds (constants.js): longest calling code, shortest and longest national number, viable input. */
export const MAX_CALLING_CODE = 3;
const MIN_NATIONAL = 2;
const MAX_NATIONAL = 17;
const MIN_DIGITS = 3;
const MAX_INPUT = 250;

/**
 * The fast path of normalisePhone, property-tested against the library: the E.164 number the library would produce for `value` (read with
 * `country` when it has no `+`) and call possible, false when the library would call it not possible, undefined when
 * only the library can tell.
 *
 * The slow part of the library is picking the exact country among those sharing a calling code (GB, GG, IM and JE
 * share +44) by matching big regular expressions; that choice only matters through the country's possible number
 * lengths. So where every country sharing the calling code agrees about this number's length, the choice cannot change
 * the answer and is skipped. Every other step is the library's own, on its own metadata; anything unusual (an
 * international dialling prefix, a carrier code, digits that already start with the calling code) is left to it.
 */
export function answerFast(value: string, country: string | undefined): string | false | undefined {
  if (value.length > MAX_INPUT || !PLAIN_NUMBER.test(value)) return undefined;
  const digits = value.replace(NOT_DIGIT, '');
  if (digits.length < MIN_DIGITS) return undefined;
  return value.charCodeAt(0) === PLUS ? answerInternational(digits) : answerNational(digits, country);
}

function answerInternational(digits: string): string | false | undefined {
  if (digits.charCodeAt(0) === ZERO) return undefined;
  for (let end = 1; end <= MAX_CALLING_CODE && end <= digits.length; end++) {
    const plan = callingCodePlan(digits.slice(0, end));
    if (plan === NOT_A_CALLING_CODE) continue;
    if (plan === ASK_LIBRARY) return undefined;
    const national = digits.slice(end);
    // With a `+`, the national prefix is stripped by the calling code's main country's rules.
    const stripped = stripNationalPrefix(national, plan.main, plan);
    if (stripped === undefined) return undefined;
    return answerLength(plan, stripped);
  }
  return undefined;
}

function answerNational(digits: string, country: string | undefined): string | false | undefined {
  if (country === undefined) return undefined;
  const known = countryPlan(country);
  if (known === ASK_LIBRARY) return undefined;
  const { rules, plan } = known;
  // An international dialling prefix (00 44…), or the calling code typed without its `+`: the library has special rules.
  if (digits.search(rules.idd) === 0 || digits.startsWith(plan.callingCode)) return undefined;
  const stripped = stripNationalPrefix(digits, rules, plan);
  if (stripped === undefined) return undefined;
  return answerLength(plan, stripped);
}

/** The national (significant) number, as extractNationalNumber() finds it; undefined when only the library can tell. */
function stripNationalPrefix(number: string, rules: CountryRules, plan: CallingCodePlan): string | undefined {
  if (rules.nationalPrefix === undefined) return number;
  const match = rules.nationalPrefix.exec(number);
  if (match === null) return number;
  const groups = match.length - 1;
  // Captured groups mean a carrier code or a transform rule: left to the library.
  if (groups > 0 && match[groups]) return undefined;
  const national = number.slice(match[0].length);
  if (national === number) return number;
  // Kept whole when stripping would turn a number that fits the national pattern into one that does not.
  if (rules.nationalPattern.test(number) && !rules.nationalPattern.test(national)) return number;
  // Stripped only if the result could still be a (possibly incomplete) number of the exact country.
  const fits = agreement(
    plan,
    (lengths) => lengths.includes(national.length) || national.length > (lengths.at(-1) ?? 0),
  );
  if (fits === undefined) return undefined;
  return fits ? national : number;
}

function answerLength(plan: CallingCodePlan, national: string): string | false | undefined {
  if (national.length < MIN_NATIONAL || national.length > MAX_NATIONAL) return undefined;
  const possible = agreement(plan, (lengths) => lengths.includes(national.length));
  if (possible === undefined) return undefined;
  return possible ? `+${plan.callingCode}${national}` : false;
}

/** The answer every country sharing the calling code gives, or undefined when they disagree. */
function agreement(plan: CallingCodePlan, test: (lengths: readonly number[]) => boolean): boolean | undefined {
  let yes = 0;
  for (const lengths of plan.lengths) if (test(lengths)) yes++;
  if (yes === plan.lengths.length) return true;
  return yes === 0 ? false : undefined;
}

/** The runtime Metadata methods the fast path reads; the library's typings declare only a few of them. */
interface MetadataInternals {
  hasCallingCode(callingCode: string): boolean;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  selectNumberingPlan(countryOrCallingCode: string): void;
  numberingPlan?: {
    callingCode(): string;
    IDDPrefix(): string;
    possibleLengths(): number[] | undefined;
    nationalPrefixForParsing(): string | undefined;
    nationalNumberPattern(): string;
  };
}

interface CountryRules {
  idd: RegExp;
  nationalPrefix: RegExp | undefined;
  nationalPattern: RegExp;
}

interface CallingCodePlan {
  callingCode: string;
  /** The rules of the calling code's main country, which the library applies to international input. */
  main: CountryRules;
  /** Possible national number lengths of each country sharing the calling code. */
  lengths: (readonly number[])[];
}

const NOT_A_CALLING_CODE = 0;
const ASK_LIBRARY = 1;
/** Filled lazily from the library's metadata: a few hundred calling codes and countries. */
const callingCodePlans = new Map<string, CallingCodePlan | typeof NOT_A_CALLING_CODE | typeof ASK_LIBRARY>();
const countryPlans = new Map<string, { rules: CountryRules; plan: CallingCodePlan } | typeof ASK_LIBRARY>();

function callingCodePlan(callingCode: string): CallingCodePlan | typeof NOT_A_CALLING_CODE | typeof ASK_LIBRARY {
  let plan = callingCodePlans.get(callingCode);
  if (plan === undefined) {
    plan = loadCallingCodePlan(callingCode);
    callingCodePlans.set(callingCode, plan);
  }
  return plan;
}

function countryPlan(country: string): { rules: CountryRules; plan: CallingCodePlan } | typeof ASK_LIBRARY {
  let known = countryPlans.get(country);
  if (known === undefined) {
    const meta = new Metadata(metadata) as unknown as MetadataInternals;
    meta.selectNumberingPlan(country);
    const callingCode = meta.numberingPlan?.callingCode();
    const plan = callingCode === undefined ? ASK_LIBRARY : callingCodePlan(callingCode);
    known = typeof plan === 'object' ? { rules: loadCountryRules(country), plan } : ASK_LIBRARY;
    countryPlans.set(country, known);
  }
  return known;
}

function loadCallingCodePlan(callingCode: string): CallingCodePlan | typeof NOT_A_CALLING_CODE | typeof ASK_LIBRARY {
  const meta = new Metadata(metadata) as unknown as MetadataInternals;
  if (!meta.hasCallingCode(callingCode)) return NOT_A_CALLING_CODE;
  // Non-geographic codes (+800, +882, …) have no countries: rare enough to leave to the library.
  const countries = meta.getCountryCodesForCallingCode(callingCode);
  if (countries === undefined || countries.length === 0) return ASK_LIBRARY;
  const lengths = countries.map((country) => {
    meta.selectNumberingPlan(country);
    return meta.numberingPlan?.possibleLengths() ?? [];
  });
  if (lengths.some((l) => l.length === 0)) return ASK_LIBRARY;
  // The library selects a calling code's plan as its first (main) country's.
  return { callingCode, main: loadCountryRules(countries[0] as string), lengths };
}

function loadCountryRules(country: string): CountryRules {
  const meta = new Metadata(metadata) as unknown as MetadataInternals;
  meta.selectNumberingPlan(country);
  const numbering = meta.numberingPlan;
  const prefix = numbering?.nationalPrefixForParsing();
  return {
    idd: new RegExp(numbering?.IDDPrefix() ?? '(?!)'),
    nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
    nationalPattern: new RegExp(`^(?:${numbering?.nationalNumberPattern() ?? ''})$`),
  };
}
