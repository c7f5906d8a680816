import { type CountryCode, isSupportedCountry, Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';
import metadata from 'libphonenumber-js/min/metadata';
import type { NormalisationRule } from '../types.js';
import { answerValidity } from './answerValidity.js';
import { quoteValue } from './quoteValue.js';

/**
 * A phone in E.164, with how it was read beyond reformatting (`rules`: an assumed country, an international prefix, a
 * dropped extension…) and a note when reading it changed what the cell said (a dropped extension).
 */
export type PhoneResult =
  | { ok: true; e164: string; rules: readonly NormalisationRule[]; note?: string }
  | { ok: false; reason: string };

const AS_WRITTEN: readonly NormalisationRule[] = Object.freeze([]);
const ASSUMED: readonly NormalisationRule[] = Object.freeze(['phoneAssumedCountry']);

/** How strictly a phone cell is read. */
export interface PhoneRules {
  /**
   * The country is `--default-country`, assumed because the row names none: a national number must then be valid
   * there, not merely possible, or a foreign local number would be stored as a wrong number of that country.
   */
  countryAssumed: boolean;
  /** An extension (which E.164 cannot hold) rejects the number, or is dropped with a note. */
  extension: 'reject' | 'drop';
}

const ROW_COUNTRY: PhoneRules = { countryAssumed: false, extension: 'reject' };

/**
 * Turns a normalised phone cell into E.164 (SPEC §3) with libphonenumber-js. `country` (ISO alpha-2) is used for
 * numbers written without a country code. Rejected: text the library cannot parse, a number `isPossible()` refuses
 * (wrong length), an extension unless `rules.extension` is `drop`, a national number with no country to go by, and a
 * number whose E.164 form would change again when read back. A possible number is kept even where `isValid()` says
 * no — the library's metadata lags new number ranges — except a national number read with an assumed country
 * (`rules.countryAssumed`), which must be valid there (with the library's `max` metadata).
 *
 * Plain numbers (digits and separators) take a fast path that answers exactly as the library does — property tests
 * check this — and falls back to the library whenever it cannot be sure.
 */
export function normalisePhone(value: string, country: string | undefined, rules = ROW_COUNTRY): PhoneResult {
  const international = value.charCodeAt(0) === PLUS;
  const plan = country !== undefined && isSupportedCountry(country as CountryCode, metadata) ? country : undefined;
  if (!international) {
    if (country === undefined) {
      return {
        ok: false,
        reason: `primaryPhone ${quoteValue(value)} has no country code and the row has no country; pass --default-country`,
      };
    }
    if (plan === undefined) {
      return {
        ok: false,
        reason: `primaryPhone ${quoteValue(value)} has no country code, and country ${country} has no phone numbering plan`,
      };
    }
  }
  // Set only for national input read with an assumed country: the country the number must be valid in.
  const validIn = rules.countryAssumed && !international ? plan : undefined;
  const fast = answerFast(value, plan);
  if (fast === false) return notPossible(value, international ? undefined : plan, validIn);
  if (fast !== undefined) {
    if (validIn !== undefined && !(answerValidity(fast, validIn) ?? libraryValid(value, validIn, fast))) {
      return notValid(value, validIn);
    }
    return settle(value, fast, validIn === undefined ? AS_WRITTEN : ASSUMED);
  }
  // extract: false — the whole cell must be the number; a number buried in other text is not taken on trust.
  const parsed = parsePhoneNumberFromString(
    value,
    { defaultCountry: plan as CountryCode | undefined, extract: false },
    metadata,
  );
  if (parsed === undefined) return { ok: false, reason: `primaryPhone ${quoteValue(value)} is not a phone number` };
  if (!parsed.isPossible()) return notPossible(value, parsed.country ?? `+${parsed.countryCallingCode}`, validIn);
  if (parsed.ext && rules.extension === 'reject') {
    return {
      ok: false,
      reason: `primaryPhone ${quoteValue(value)} has an extension, which E.164 cannot hold; pass --phone-extension drop to store the number without it`,
    };
  }
  if (validIn !== undefined && !libraryValid(value, validIn, parsed.number)) return notValid(value, validIn);
  const settled = settle(value, parsed.number, validIn === undefined ? AS_WRITTEN : ASSUMED);
  if (!settled.ok || !parsed.ext) return settled;
  return {
    ...settled,
    rules: [...settled.rules, 'phoneExtensionDropped'],
    note: `primaryPhone extension ${parsed.ext} was dropped`,
  };
}

/** What the library itself, with its `max` metadata, says of a national number read with `country`. */
function libraryValid(value: string, country: string, e164: string): boolean {
  const parsed = parsePhoneNumberFromString(
    value,
    { defaultCountry: country as CountryCode, extract: false },
    maxMetadata,
  );
  return parsed?.number === e164 && parsed.isValid();
}

/** Why an assumed country is named: the user did not write it, and may not know the run supplied it. */
function assumedCountry(country: string): string {
  return `(${country} was assumed from --default-country because the row has no country); add the country code or a country column`;
}

function notValid(value: string, country: string): PhoneResult {
  return {
    ok: false,
    reason: `primaryPhone ${quoteValue(value)} is not a valid ${country} number ${assumedCountry(country)}`,
  };
}

/**
 * The library may strip a "national prefix" from digits that follow the calling code (+44 0 20… → +44 20…), and
 * for a few odd inputs it would strip again from its own output (+82 0 000… → +82 000… → +82 00…). Such a number has
 * no stable E.164 form: re-reading what we send would change it, so it is rejected rather than stored.
 */
function settle(value: string, e164: string, rules = AS_WRITTEN): PhoneResult {
  const again = answerFast(e164, undefined) ?? libraryE164(e164);
  if (again === e164) return { ok: true, e164, rules };
  return {
    ok: false,
    reason: `primaryPhone ${quoteValue(value)} has no stable E.164 form: it reads as ${e164}, and that as ${again || 'nothing'}`,
  };
}

function libraryE164(value: string): string | false {
  const parsed = parsePhoneNumberFromString(value, { extract: false }, metadata);
  return parsed?.isPossible() && !parsed.ext ? parsed.number : false;
}

function notPossible(value: string, where: string | undefined, assumed: string | undefined): PhoneResult {
  const suffix = where === undefined ? '' : ` for ${where}`;
  const why = assumed === undefined ? '' : ` ${assumedCountry(assumed)}`;
  return { ok: false, reason: `primaryPhone ${quoteValue(value)} has the wrong number of digits${suffix}${why}` };
}

const PLUS = 0x2b;
/** Digits with spaces, dashes, dots or brackets, maybe after a `+`: text the library reads as just its digits. */
const PLAIN_NUMBER = /^\+?[\d ().-]+$/;
const NOT_DIGIT = /\D/g;
/** The library's bounds (constants.js): longest calling code, shortest and longest national number, viable input. */
const MAX_CALLING_CODE = 3;
const MIN_NATIONAL = 2;
const MAX_NATIONAL = 17;
const MIN_DIGITS = 3;
const MAX_INPUT = 250;

/**
 * The fast path, exported for its property test: the E.164 number the library would produce for `value` (read with
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

const ZERO = 0x30;

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
