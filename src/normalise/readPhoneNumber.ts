import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';
import metadata from 'libphonenumber-js/min/metadata';
import { answerFast, MAX_CALLING_CODE } from './answerFast.js';
import { answerValidity } from './answerValidity.js';

/** One reading of a phone cell's digits: a number (valid or only possible), one of the wrong length, or none. */
export type PhoneRead = NumberRead | { kind: 'notPossible'; where: string | undefined } | { kind: 'notNumber' };
export type NumberRead = { kind: 'number'; e164: string; valid: boolean; ext: string | undefined };

const NOT_A_NUMBER: PhoneRead = Object.freeze({ kind: 'notNumber' });
const NOT_POSSIBLE: PhoneRead = Object.freeze({ kind: 'notPossible', where: undefined });
const NEVER = '(?!)';
const NOT_ASCII = /[\u0080-\uffff]/;
/** Arabic-Indic (U+0660…) and Persian (U+06F0…) digits, which NFKC keeps but the library reads as digits. */
const EASTERN_DIGIT = /[\u0660-\u0669\u06f0-\u06f9]/g;
const LEADING_SEPARATORS = /^[\s().-]+/;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Reads a phone cell's digits (readableDigits) as the library does, with its `min` metadata for the number and `max`
 * for its validity: with `country`, as a national number of that country, never through an international prefix
 * (those readings are readAfterPrefix's); without, as a number written `+CC…`. The fast path (answerFast) answers
 * plain numbers, the library the rest.
 */
export function readPhoneNumber(value: string, country: string | undefined): PhoneRead {
  return country === undefined ? readInternational(value) : readNational(value, country);
}

/** The cell as the library reads digits: NFKC (full-width digits and `＋`), Arabic-Indic and Persian digits as ASCII. */
export function readableDigits(cell: string): string {
  if (!NOT_ASCII.test(cell)) return cell;
  return cell
    .normalize('NFKC')
    .replace(EASTERN_DIGIT, (digit) => String.fromCharCode(48 + ((digit.charCodeAt(0) - 0x0660) % 0x90)));
}

/** The national reading with `country`, never through an international prefix. */
function readNational(value: string, country: string): PhoneRead {
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
export function readAfterPrefix(value: string, prefix: string): PhoneRead | undefined {
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

function readInternational(value: string): PhoneRead {
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

/** Whether a number in E.164 has `country`'s calling code. */
export function inCountry(e164: string, country: string): boolean {
  const code = (metadata as MetadataJson).countries[country]?.[0];
  return code !== undefined && e164.startsWith(`+${code}`);
}

interface MetadataJson {
  country_calling_codes: Record<string, string[] | undefined>;
  countries: Record<string, unknown[] | undefined>;
}

const iddPatterns = new Map<string, RegExp>();

/** A country's international call prefix from the metadata, anchored at the start of the digits. */
export function iddPattern(country: string): RegExp {
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
