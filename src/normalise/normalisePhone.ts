import { type CountryCode, isSupportedCountry, Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import { quoteValue } from './quoteValue.js';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * Turns a normalised phone cell into E.164 (SPEC §3) with libphonenumber-js. `country` (ISO alpha-2) is used for
 * numbers written without a country code. Rejected: text the library cannot parse, a number `isPossible()` refuses
 * (wrong length), an extension (E.164 cannot hold one), and a national number with no country to go by. A possible
 * number is kept even where `isValid()` says no: the library's metadata lags new number ranges.
 *
 * Input already in E.164 form takes a fast path that answers exactly as the library does (a property test checks
 * this) and falls back to the library whenever it cannot be sure.
 */
export function normalisePhone(value: string, country: string | undefined): PhoneResult {
  const fast = answerE164(value);
  if (fast !== undefined) return fast ? { ok: true, e164: value } : notPossible(value, undefined);
  if (value.charCodeAt(0) !== PLUS) {
    if (country === undefined) {
      return {
        ok: false,
        reason: `primaryPhone ${quoteValue(value)} has no country code and the row has no country; pass --default-country`,
      };
    }
    if (!isSupportedCountry(country as CountryCode, metadata)) {
      return {
        ok: false,
        reason: `primaryPhone ${quoteValue(value)} has no country code, and country ${country} has no phone numbering plan`,
      };
    }
  }
  // extract: false — the whole cell must be the number; a number buried in other text is not taken on trust.
  const parsed = parsePhoneNumberFromString(
    value,
    { defaultCountry: country as CountryCode | undefined, extract: false },
    metadata,
  );
  if (parsed === undefined) return { ok: false, reason: `primaryPhone ${quoteValue(value)} is not a phone number` };
  if (!parsed.isPossible()) return notPossible(value, parsed.country ?? `+${parsed.countryCallingCode}`);
  if (parsed.ext) {
    return {
      ok: false,
      reason: `primaryPhone ${quoteValue(value)} has an extension (${parsed.ext}), which E.164 cannot hold`,
    };
  }
  return settle(value, parsed.number);
}

/**
 * The library may strip a "national prefix" from digits that follow the calling code (+44 0 20… → +44 20…), and
 * for a few odd inputs it would strip again from its own output (+82 0 000… → +82 000… → +82 00…). Such a number has
 * no stable E.164 form: re-reading what we send would change it, so it is rejected rather than stored.
 */
function settle(value: string, e164: string): PhoneResult {
  if (answerE164(e164) === true) return { ok: true, e164 };
  const again = parsePhoneNumberFromString(e164, { extract: false }, metadata);
  if (again?.number === e164 && again.isPossible()) return { ok: true, e164 };
  const then = again?.number ?? 'nothing';
  return {
    ok: false,
    reason: `primaryPhone ${quoteValue(value)} has no stable E.164 form: it reads as ${e164}, and that as ${then}`,
  };
}

function notPossible(value: string, where: string | undefined): PhoneResult {
  const suffix = where === undefined ? '' : ` for ${where}`;
  return { ok: false, reason: `primaryPhone ${quoteValue(value)} has the wrong number of digits${suffix}` };
}

const PLUS = 0x2b;
/** `+`, a calling code not starting with 0, and digits only: the form the fast path may answer for. */
const E164_FORM = /^\+[1-9]\d{2,18}$/;
/** The library's bounds (constants.js): longest calling code, shortest and longest national number. */
const MAX_CALLING_CODE = 3;
const MIN_NATIONAL = 2;
const MAX_NATIONAL = 17;

/** The runtime Metadata methods the fast path reads; the library's typings declare only a few of them. */
interface MetadataInternals {
  hasCallingCode(callingCode: string): boolean;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  selectNumberingPlan(countryOrCallingCode: string): void;
  numberingPlan?: { possibleLengths(): number[] | undefined; nationalPrefixForParsing(): string | undefined };
}

interface CallingCodePlan {
  /** The main country's national prefix pattern: when it matches, the library may strip digits, so ask it. */
  nationalPrefix: RegExp | undefined;
  /** Possible national number lengths of each country sharing the calling code. */
  lengths: (readonly number[])[];
}

/** Per digit prefix: its plan, NOT_A_CALLING_CODE, or ASK_LIBRARY. Filled lazily; there are a few hundred codes. */
const NOT_A_CALLING_CODE = 0;
const ASK_LIBRARY = 1;
const plans = new Map<string, CallingCodePlan | typeof NOT_A_CALLING_CODE | typeof ASK_LIBRARY>();

/**
 * The fast path, exported for its property test. For a number in E.164 form: true when the library would keep it
 * unchanged as possible, false when it would call it not possible, undefined when only the library can tell. The library picks the exact country among those sharing a
 * calling code by matching big regular expressions (the slow part); the answer only depends on that country when
 * the countries' possible lengths disagree about this number's length, and then we defer to the library.
 */
export function answerE164(value: string): boolean | undefined {
  if (!E164_FORM.test(value)) return undefined;
  for (let end = 2; end <= MAX_CALLING_CODE + 1; end++) {
    const callingCode = value.slice(1, end);
    const plan = planFor(callingCode);
    if (plan === NOT_A_CALLING_CODE) continue;
    if (plan === ASK_LIBRARY) return undefined;
    const national = value.slice(end);
    if (national.length < MIN_NATIONAL || national.length > MAX_NATIONAL) return undefined;
    if (plan.nationalPrefix?.test(national)) return undefined;
    let possibleIn = 0;
    for (const lengths of plan.lengths) if (lengths.includes(national.length)) possibleIn++;
    if (possibleIn === plan.lengths.length) return true;
    return possibleIn === 0 ? false : undefined;
  }
  return undefined;
}

function planFor(callingCode: string): CallingCodePlan | typeof NOT_A_CALLING_CODE | typeof ASK_LIBRARY {
  let plan = plans.get(callingCode);
  if (plan === undefined) {
    plan = loadPlan(callingCode);
    plans.set(callingCode, plan);
  }
  return plan;
}

function loadPlan(callingCode: string): CallingCodePlan | typeof NOT_A_CALLING_CODE | typeof ASK_LIBRARY {
  const meta = new Metadata(metadata) as unknown as MetadataInternals;
  if (!meta.hasCallingCode(callingCode)) return NOT_A_CALLING_CODE;
  // Non-geographic codes (+800, +882, …) have no countries: rare enough to leave to the library.
  const countries = meta.getCountryCodesForCallingCode(callingCode);
  if (countries === undefined || countries.length === 0) return ASK_LIBRARY;
  meta.selectNumberingPlan(callingCode);
  const prefix = meta.numberingPlan?.nationalPrefixForParsing();
  const lengths = countries.map((country) => {
    meta.selectNumberingPlan(country);
    return meta.numberingPlan?.possibleLengths() ?? [];
  });
  if (lengths.some((l) => l.length === 0)) return ASK_LIBRARY;
  return { nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined, lengths };
}
