import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';
import metadata from 'libphonenumber-js/min/metadata';
import type { NormalisationRule } from '../types.js';
import { answerFast } from './answerFast.js';
import { quoteValue } from './quoteValue.js';
import {
  iddPattern,
  inCountry,
  type NumberRead,
  type PhoneRead,
  readAfterPrefix,
  readableDigits,
  readPhoneNumber,
} from './readPhoneNumber.js';

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
 * valid readings decide: one is written; of two, the one in the row's own country (never an assumed one) wins, unless
 * they are its national reading and the reading after its own prefix; else the row is rejected naming both. Rejected too: text the library cannot parse, a wrong number of digits, an extension
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

  const national = readPhoneNumber(value, plan);
  const digits = value.replace(NOT_DIGIT, '');
  const ownPrefix = iddPattern(plan).exec(digits)?.[0];
  const afterOwn = ownPrefix === undefined ? undefined : readAfterPrefix(value, ownPrefix);
  const afterZeros = ownPrefix === '00' ? undefined : readAfterPrefix(value, '00');
  const validNational = national.kind === 'number' && national.valid ? national : undefined;
  const validAfterOwn = afterOwn?.kind === 'number' && afterOwn.valid ? afterOwn : undefined;
  const candidates: Candidate[] = [];
  if (validNational) {
    candidates.push({ read: validNational, how: rules.countryAssumed ? ASSUMED : AS_WRITTEN, via: 'national' });
  }
  if (validAfterOwn) {
    const how = ownPrefix === '00' ? ANY_PREFIX : rules.countryAssumed ? OWN_PREFIX_ASSUMED : OWN_PREFIX;
    addCandidate(candidates, { read: validAfterOwn, how, via: `after ${plan}'s international prefix ${ownPrefix}` });
  }
  if (afterZeros?.kind === 'number' && afterZeros.valid) {
    addCandidate(candidates, { read: afterZeros, how: ANY_PREFIX, via: 'after 00' });
  }

  // Of two valid readings, the row's own country settles it; an assumed one is no evidence. Not when the digits read
  // both as a national number and after the country's own prefix (`8 10 855 91 234 567` in RU): both are the row's own
  // ways of writing, so nothing says which was meant.
  const ownTwice =
    validNational !== undefined &&
    validAfterOwn !== undefined &&
    ownPrefix !== '00' &&
    validAfterOwn.e164 !== validNational.e164;
  const chosen =
    candidates.length > 1 && !rules.countryAssumed && !ownTwice
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

function addCandidate(candidates: Candidate[], candidate: Candidate): void {
  const same = candidates.findIndex((c) => c.read.e164 === candidate.read.e164);
  // The same number by two readings is one candidate; `00` is the reading that needs no assumption.
  if (same === -1) candidates.push(candidate);
  else if (candidate.how === ANY_PREFIX && (candidates[same] as Candidate).via !== 'national')
    candidates[same] = candidate;
}

/** A number written as `+CC…`: valid, or possible (rule phonePossibleNotValid), whatever the row's country. */
function readWritten(cell: string, value: string, rules: PhoneRules): PhoneResult {
  const read = readPhoneNumber(value, undefined);
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
  national: PhoneRead,
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

const PLUS = 0x2b;
const NOT_DIGIT = /\D/g;
