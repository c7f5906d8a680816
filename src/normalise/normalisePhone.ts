import { type CountryCode, isSupportedCountry, Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';
import metadata from 'libphonenumber-js/min/metadata';
import type { NormalisationRule } from '../types.js';
import { answerValidity } from './answerValidity.js';
import { quoteValue } from './quoteValue.js';

/**
 * A phone in E.164, with how it was read beyond reformatting (`rules`: an assumed country, an international prefix, a
 * number the metadata calls possible but not valid, a dropped extension) and a note when reading it changed what the
 * cell said (a dropped extension).
 */
export type PhoneResult =
  | { ok: true; e164: string; rules: readonly NormalisationRule[]; note?: string }
  | { ok: false; reason: string };

/** How a phone cell is read. */
export interface PhoneRules {
  /**
   * The country is `--default-country`, assumed because the row names none: every number read with it is listed for
   * review, and two valid readings cannot be told apart by it.
   */
  countryAssumed: boolean;
  /** An extension (which E.164 cannot hold) rejects the number, or is dropped with a note. */
  extension: 'reject' | 'drop';
  /**
   * Why `--default-country` was not assumed for a row that names no country: what in the row points to another
   * country (`primaryEmail's domain ".fr" is FR's`), for the reason of a number that needs a country.
   */
  notAssumed?: { defaultCountry: string; evidence: string };
}

const ROW_COUNTRY: PhoneRules = { countryAssumed: false, extension: 'reject' };

/**
 * Turns a normalised phone cell into E.164 (SPEC §3, Phones) with libphonenumber-js and its metadata. The cell is read
 * after NFKC (full-width digits and `＋`). A number is written only when it is valid for its country by the `max`
 * metadata, except one written as `+CC…` that is possible (the metadata lags new ranges: rule phonePossibleNotValid).
 *
 * Without a `+`, a cell has up to three readings: national with `country` (the row's own, or the assumed
 * `--default-country`), international after that country's own call prefix from the metadata (`0011` AU, `011`
 * NANP, `010` JP, `00` most, Brazil's carrier-select `0014`, `0055`…), and international after `00` in any row. The
 * valid readings decide: one is written; of two, the one in the row's own country (never an assumed one) wins; else
 * the row is rejected naming both. Rejected too: text the library cannot parse, a wrong number of digits, an extension
 * unless `rules.extension` is `drop`, a national number with no country to go by, and a number whose E.164 form would
 * change again when read back.
 *
 * Plain numbers (digits and separators) take a fast path that answers exactly as the library does — property tests
 * check this — and falls back to the library whenever it cannot be sure.
 */
export function normalisePhone(cell: string, country: string | undefined, rules = ROW_COUNTRY): PhoneResult {
  const value = readableDigits(cell);
  if (value.charCodeAt(0) === PLUS) return readWritten(cell, value, rules);
  const plan = country !== undefined && isSupportedCountry(country as CountryCode, metadata) ? country : undefined;
  if (plan === undefined) {
    // No country to read a national number with: only `00` and a calling code can still say what the number is.
    const afterZeros = readAfterPrefix(value, '00');
    if (afterZeros?.kind === 'number' && afterZeros.valid) return accept(cell, afterZeros, ANY_PREFIX, rules);
    return { ok: false, reason: noCountry(cell, country, rules) };
  }

  const national = readNational(value, plan);
  const digits = value.replace(NOT_DIGIT, '');
  const ownPrefix = iddPattern(plan).exec(digits)?.[0];
  const afterOwn = ownPrefix === undefined ? undefined : readAfterPrefix(value, ownPrefix);
  const afterZeros = ownPrefix === '00' ? undefined : readAfterPrefix(value, '00');
  const candidates: Candidate[] = [];
  if (national.kind === 'number' && national.valid) {
    candidates.push({ read: national, how: rules.countryAssumed ? ASSUMED : AS_WRITTEN, via: 'national' });
  }
  if (afterOwn?.kind === 'number' && afterOwn.valid) {
    const how = ownPrefix === '00' ? ANY_PREFIX : rules.countryAssumed ? OWN_PREFIX_ASSUMED : OWN_PREFIX;
    addCandidate(candidates, { read: afterOwn, how, via: `after ${plan}'s international prefix ${ownPrefix}` });
  }
  if (afterZeros?.kind === 'number' && afterZeros.valid) {
    addCandidate(candidates, { read: afterZeros, how: ANY_PREFIX, via: 'after 00' });
  }

  // Of two valid readings, the row's own country settles it; an assumed one is no evidence.
  const chosen =
    candidates.length > 1 && !rules.countryAssumed
      ? candidates.filter((c) => inCountry(c.read.e164, plan))
      : candidates;
  const [only] = chosen;
  if (chosen.length === 1 && only !== undefined) return accept(cell, only.read, only.how, rules);
  if (candidates.length > 1) return { ok: false, reason: twoReadings(cell, candidates) };
  const prefixes = [ownPrefix, afterZeros === undefined ? undefined : '00'].filter((p) => p !== undefined);
  return { ok: false, reason: noValidReading(cell, national, plan, prefixes, rules) };
}

/** One valid reading of a cell, how it was read (its rules) and, for a reason naming it, where it came from. */
interface Candidate {
  read: NumberRead;
  how: readonly NormalisationRule[];
  via: string;
}

type NumberRead = { kind: 'number'; e164: string; valid: boolean; ext: string | undefined };
type Read = NumberRead | { kind: 'notPossible'; where: string | undefined } | { kind: 'notNumber' };

const AS_WRITTEN: readonly NormalisationRule[] = Object.freeze([]);
const ASSUMED: readonly NormalisationRule[] = Object.freeze(['phoneAssumedCountry']);
const OWN_PREFIX: readonly NormalisationRule[] = Object.freeze(['phoneInternationalPrefix']);
const OWN_PREFIX_ASSUMED: readonly NormalisationRule[] = Object.freeze([
  'phoneInternationalPrefix',
  'phoneAssumedCountry',
]);
/** `00` reads the same in any row: the assumed country plays no part in it. */
const ANY_PREFIX = OWN_PREFIX;
const POSSIBLE_NOT_VALID: readonly NormalisationRule[] = Object.freeze(['phonePossibleNotValid']);
const NOT_A_NUMBER: Read = Object.freeze({ kind: 'notNumber' });
const NOT_POSSIBLE: Read = Object.freeze({ kind: 'notPossible', where: undefined });

function addCandidate(candidates: Candidate[], candidate: Candidate): void {
  const same = candidates.findIndex((c) => c.read.e164 === candidate.read.e164);
  // The same number by two readings is one candidate; `00` is the reading that needs no assumption.
  if (same === -1) candidates.push(candidate);
  else if (candidate.how === ANY_PREFIX && (candidates[same] as Candidate).via !== 'national')
    candidates[same] = candidate;
}

/** A number written as `+CC…`: valid, or possible (rule phonePossibleNotValid), whatever the row's country. */
function readWritten(cell: string, value: string, rules: PhoneRules): PhoneResult {
  const read = readInternational(value);
  if (read.kind === 'notNumber') return { ok: false, reason: `primaryPhone ${quoteValue(cell)} is not a phone number` };
  if (read.kind === 'notPossible') return notPossible(cell, read.where);
  return accept(cell, read, read.valid ? AS_WRITTEN : POSSIBLE_NOT_VALID, rules);
}

/** The chosen reading, once its extension is dealt with and its E.164 form is known to stay put. */
function accept(cell: string, read: NumberRead, how: readonly NormalisationRule[], rules: PhoneRules): PhoneResult {
  if (read.ext && rules.extension === 'reject') {
    return {
      ok: false,
      reason: `primaryPhone ${quoteValue(cell)} has an extension, which E.164 cannot hold; pass --phone-extension drop to store the number without it`,
    };
  }
  const settled = settle(cell, read.e164, how);
  if (!settled.ok || !read.ext) return settled;
  return {
    ...settled,
    rules: [...how, 'phoneExtensionDropped'],
    note: `primaryPhone extension ${read.ext} was dropped`,
  };
}

/** The cell as the library reads digits: NFKC (full-width digits and `＋`), Arabic-Indic and Persian digits as ASCII. */
function readableDigits(cell: string): string {
  if (!NOT_ASCII.test(cell)) return cell;
  return cell
    .normalize('NFKC')
    .replace(EASTERN_DIGIT, (digit) => String.fromCharCode(48 + ((digit.charCodeAt(0) - 0x0660) % 0x90)));
}

/** The national reading with `country`, never through an international prefix. */
function readNational(value: string, country: string): Read {
  const fast = answerFast(value, country);
  if (fast === false) return NOT_POSSIBLE;
  if (fast !== undefined) {
    return { kind: 'number', e164: fast, valid: validNational(value, country, fast), ext: undefined };
  }
  // The library strips the country's international prefix itself; its national-only metadata leaves that to us.
  const parsed = parsePhoneNumberFromString(
    value,
    { defaultCountry: country as CountryCode, extract: false },
    nationalOnly('min'),
  );
  if (parsed === undefined) return NOT_A_NUMBER;
  if (!parsed.isPossible()) return NOT_POSSIBLE;
  return { kind: 'number', e164: parsed.number, valid: validNational(value, country, parsed.number), ext: parsed.ext };
}

/** The reading after the first digits of `value` when they are `prefix`, as if they were a `+`. */
function readAfterPrefix(value: string, prefix: string): Read | undefined {
  let at = 0;
  let seen = 0;
  for (; at < value.length && seen < prefix.length; at++) {
    const code = value.charCodeAt(at);
    if (code < ZERO || code > NINE) continue;
    if (code !== prefix.charCodeAt(seen)) return undefined;
    seen++;
  }
  if (seen < prefix.length) return undefined;
  const rest = value.slice(at).replace(LEADING_SEPARATORS, '');
  // As the library does: a prefix followed by 0 is no prefix (no calling code starts with 0).
  if (rest === '' || rest.charCodeAt(0) === ZERO) return undefined;
  return readInternational(`+${rest}`);
}

function readInternational(value: string): Read {
  const fast = answerFast(value, undefined);
  if (fast === false) return NOT_POSSIBLE;
  if (fast !== undefined) return { kind: 'number', e164: fast, valid: validInternational(value, fast), ext: undefined };
  // extract: false — the whole cell must be the number; a number buried in other text is not taken on trust.
  const parsed = parsePhoneNumberFromString(value, { extract: false }, metadata);
  if (parsed === undefined) return NOT_A_NUMBER;
  if (!parsed.isPossible()) return { kind: 'notPossible', where: parsed.country ?? `+${parsed.countryCallingCode}` };
  return { kind: 'number', e164: parsed.number, valid: validInternational(value, parsed.number), ext: parsed.ext };
}

/** Whether the library, with its `max` metadata, calls a national number of `country` valid. */
function validNational(value: string, country: string, e164: string): boolean {
  const fast = answerValidity(e164, country);
  if (fast !== undefined) return fast;
  const parsed = parsePhoneNumberFromString(
    value,
    { defaultCountry: country as CountryCode, extract: false },
    nationalOnly('max'),
  );
  return parsed?.number === e164 && parsed.isValid();
}

/** Whether the library, with its `max` metadata, calls a number written as `+CC…` valid. */
function validInternational(value: string, e164: string): boolean {
  const main = mainCountry(e164);
  const fast = main === undefined ? undefined : answerValidity(e164, main);
  if (fast !== undefined) return fast;
  const parsed = parsePhoneNumberFromString(value, { extract: false }, maxMetadata);
  return parsed?.number === e164 && parsed.isValid();
}

/**
 * The country whose plan the library applies to a `+CC…` number it cannot place more exactly: the calling code's
 * first (main) country. Undefined for non-geographic codes (+800, +882…), left to the library.
 */
function mainCountry(e164: string): string | undefined {
  for (let end = 2; end <= MAX_CALLING_CODE + 1 && end < e164.length; end++) {
    const countries = (metadata as MetadataJson).country_calling_codes[e164.slice(1, end)];
    if (countries !== undefined) return countries[0];
  }
  return undefined;
}

function inCountry(e164: string, country: string): boolean {
  const code = (metadata as MetadataJson).countries[country]?.[0];
  return code !== undefined && e164.startsWith(`+${code}`);
}

interface MetadataJson {
  country_calling_codes: Record<string, string[] | undefined>;
  countries: Record<string, unknown[] | undefined>;
}

const iddPatterns = new Map<string, RegExp>();

/** A country's international call prefix from the metadata, anchored at the start of the digits. */
function iddPattern(country: string): RegExp {
  let pattern = iddPatterns.get(country);
  if (pattern === undefined) {
    const idd = (metadata as MetadataJson).countries[country]?.[1];
    pattern = new RegExp(typeof idd === 'string' && idd ? `^(?:${idd})` : '(?!)');
    iddPatterns.set(country, pattern);
  }
  return pattern;
}

const nationalMetadata: { min?: object; max?: object } = {};

/**
 * The metadata with every country's international prefix made to match nothing: the library then reads a number
 * nationally even when its digits start like the prefix (a Chinese mobile starting 179…00 is no call abroad), and the
 * international readings are made here, each on its own.
 */
function nationalOnly(kind: 'min' | 'max'): typeof metadata {
  let national = nationalMetadata[kind];
  if (national === undefined) {
    const source = (kind === 'min' ? metadata : maxMetadata) as unknown as MetadataJson;
    const countries: Record<string, unknown[]> = {};
    for (const [country, plan] of Object.entries(source.countries)) {
      if (plan) countries[country] = [plan[0], NEVER, ...plan.slice(2)];
    }
    national = { ...source, countries };
    nationalMetadata[kind] = national;
  }
  return national as typeof metadata;
}

/**
 * The library may strip a "national prefix" from digits that follow the calling code (+44 0 20… → +44 20…), and
 * for a few odd inputs it would strip again from its own output (+82 0 000… → +82 000… → +82 00…). Such a number has
 * no stable E.164 form: re-reading what we send would change it, so it is rejected rather than stored.
 */
function settle(cell: string, e164: string, rules: readonly NormalisationRule[]): PhoneResult {
  const again = answerFast(e164, undefined) ?? libraryE164(e164);
  if (again === e164) return { ok: true, e164, rules };
  return {
    ok: false,
    reason: `primaryPhone ${quoteValue(cell)} has no stable E.164 form: it reads as ${e164}, and that as ${again || 'nothing'}`,
  };
}

function libraryE164(value: string): string | false {
  const parsed = parsePhoneNumberFromString(value, { extract: false }, metadata);
  return parsed?.isPossible() && !parsed.ext ? parsed.number : false;
}

/** Why an assumed country is named: the user did not write it, and may not know the run supplied it. */
function assumedCountry(country: string): string {
  return `(${country} was assumed from --default-country because the row has no country); add the country code or a country column`;
}

function noCountry(cell: string, country: string | undefined, rules: PhoneRules): string {
  const shown = quoteValue(cell);
  if (country !== undefined)
    return `primaryPhone ${shown} has no country code, and country ${country} has no phone numbering plan`;
  if (rules.notAssumed !== undefined) {
    const { defaultCountry, evidence } = rules.notAssumed;
    return `primaryPhone ${shown} has no country code, and --default-country ${defaultCountry} is not assumed for it: ${evidence}; add the country code or a country column`;
  }
  return `primaryPhone ${shown} has no country code and the row has no country; pass --default-country`;
}

function noValidReading(
  cell: string,
  national: Read,
  country: string,
  prefixes: readonly string[],
  rules: PhoneRules,
): string {
  const shown = quoteValue(cell);
  const international = prefixes.length > 0 ? `, nor after the international prefix ${prefixes.join(' or ')}` : '';
  const why = rules.countryAssumed ? ` ${assumedCountry(country)}` : '';
  if (national.kind === 'notNumber' && prefixes.length === 0) return `primaryPhone ${shown} is not a phone number`;
  if (national.kind === 'notPossible' && prefixes.length === 0) {
    return `primaryPhone ${shown} has the wrong number of digits for ${country}${why}`;
  }
  return `primaryPhone ${shown} is not a valid ${country} number${international}${why}`;
}

function twoReadings(cell: string, candidates: readonly Candidate[]): string {
  const readings = candidates.map((c) => `${c.read.e164} (${countryOf(c.read.e164)}, ${c.via})`);
  return `primaryPhone ${quoteValue(cell)} reads as ${readings.join(' or ')}; write it as +CC… or give the row its country`;
}

function countryOf(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164, { extract: false }, maxMetadata);
  return parsed?.country ?? `+${parsed?.countryCallingCode ?? '?'}`;
}

function notPossible(cell: string, where: string | undefined): PhoneResult {
  const suffix = where === undefined ? '' : ` for ${where}`;
  return { ok: false, reason: `primaryPhone ${quoteValue(cell)} has the wrong number of digits${suffix}` };
}

const NEVER = '(?!)';
const NOT_ASCII = /[\u0080-\uffff]/;
/** Arabic-Indic (U+0660…) and Persian (U+06F0…) digits, which NFKC keeps but the library reads as digits. */
const EASTERN_DIGIT = /[\u0660-\u0669\u06f0-\u06f9]/g;
const LEADING_SEPARATORS = /^[\s().-]+/;
const NINE = 0x39;

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
