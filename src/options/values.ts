import { isSupportedCountry } from 'libphonenumber-js';
import { UsageError } from '../errors.js';
import { checkHookUrl } from '../ops/checkHookUrl.js';
import { checkMetricsFile } from '../ops/checkMetricsFile.js';
import { resolveEncoding } from '../read/resolveEncoding.js';
import { suggestName } from '../shared/suggestName.js';
import { OPTION_SPECS, type OptionName } from './specs.js';

/**
 * The value checks, one per kind of option. Each takes the value as a source gave it (a flag, an env variable, a job
 * file's entry) and where it came from, and returns it checked or throws a one-line UsageError naming the source,
 * what was given and what is allowed. The same check serves every source.
 */

export type OnDuplicate = 'reject' | 'first' | 'last';
export type LogFormat = 'text' | 'json';
export type PhoneExtension = 'reject' | 'drop';

export interface Shard {
  index: number;
  count: number;
}

/** A check of one value from `source` (`--rate`, `FLUENT_RATE`, `jobs/nightly.json: rate`). */
export type ValueCheck<T> = (value: unknown, source: string) => T;

/**
 * The most mutations a batch holds: a batch is filled from the rows of one lookup (up to 100 usernames, LOOKUP_BATCH),
 * and 50 customers stay far under Fluent's 2 MB request limit.
 */
export const MAX_BATCH = 50;

/**
 * What each number option can take: what the code that uses it can hold and store, and no more. A value outside is
 * refused before any request, never carried into a run that fails at its end (a --keep-runs of 1e300 is no SQLite
 * integer). `--concurrency` is bounded by the connections one process should open to one host; `--rate` by what a
 * timer can space (below 0.01/s the wait between requests would pass what setTimeout holds once split by the
 * shards) and what any OMS takes; `--keep-runs` by a lifetime of nightly runs; `--shard` N by a hash of 32 bits spread
 * over at most that many machines.
 */
export const RANGES = {
  batch: { min: 1, max: MAX_BATCH },
  concurrency: { min: 1, max: 1_000 },
  keepRuns: { min: 1, max: 100_000 },
  limit: { min: 1, max: Number.MAX_SAFE_INTEGER },
  rate: { min: 0.01, max: 10_000 },
  shards: { min: 1, max: 10_000 },
} as const;

export function asString(value: unknown, source: string): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${source} must be a non-empty text`);
  return value.trim();
}

/** A decimal number as people write one; `0x10`, `Infinity` or `1_000` are not read as numbers. */
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A given value as a number: a JSON or yargs number as it is, a decimal text read, anything else NaN. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || !DECIMAL_TEXT.test(value.trim())) return Number.NaN;
  return Number(value.trim());
}

/**
 * A number check whose message names where the value came from (a flag, an env variable, a job file), what was given
 * and what is allowed: `--max-error-rate must be a share between 0 and 1 (0.05 = 5%), got "2"`.
 */
export function numberWhere(ok: (n: number) => boolean, expected: string): ValueCheck<number> {
  return (value, source) => {
    const n = toNumber(value);
    if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`${source} must be ${expected}, got ${showGiven(value)}`);
    return n;
  };
}

/** A whole-number check within `range`, all of it safe integers: `--keep-runs must be a whole number from 1 to 100000`. */
export function wholeNumber(range: { min: number; max: number }, unit = ''): ValueCheck<number> {
  return numberWhere(
    (n) => Number.isSafeInteger(n) && n >= range.min && n <= range.max,
    `a whole number ${unit}from ${range.min} to ${range.max}`,
  );
}

/** `--max-error-rate`: a share of rows. */
export const asShare = numberWhere((n) => n >= 0 && n <= 1, 'a share between 0 and 1 (0.05 = 5%)');

/** A given value as a message quotes it, as typed (the logger escapes any control character in it). */
function showGiven(value: unknown): string {
  return `"${String(value)}"`;
}

/** `--rate`: a number of requests per second within RANGES.rate, or `auto`. */
export function asRate(value: unknown, source: string): number | 'auto' {
  if (typeof value === 'string' && value.trim().toLowerCase() === 'auto') return 'auto';
  const n = toNumber(value);
  const { min, max } = RANGES.rate;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(
      `${source} must be a number of requests per second from ${min} to ${max} (or auto), got "${String(value).trim()}"`,
    );
  }
  return n;
}

export function asBoolean(value: unknown, source: string): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(text)) return false;
  throw new UsageError(`${source} must be true or false, got ${showGiven(value)}`);
}

/** One of `choices`, with the choice a typo most likely meant. */
export function asChoice<T extends string>(choices: readonly T[]): ValueCheck<T> {
  return (value, source) => {
    const text = asString(value, source);
    if (!(choices as readonly string[]).includes(text)) {
      const near = suggestName(text, choices);
      const hint = near === undefined ? '' : ` (did you mean ${near}?)`;
      throw new UsageError(`${source} must be one of ${choices.join(', ')}, got ${showGiven(text)}${hint}`);
    }
    return text as T;
  };
}

export function asShard(value: unknown, source: string): Shard {
  const text = asString(value, source);
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || index > count || count > RANGES.shards.max) {
    throw new UsageError(`${source} must be K/N with 1 <= K <= N <= ${RANGES.shards.max} (e.g. 2/4), got "${text}"`);
  }
  return { index, count };
}

/**
 * Fluent's retailer ids are whole numbers; anything else is a typo found before any request. One given as a number
 * (a job file's `"retailer-id": 12`) must be one a number holds exactly: past 2^53 it is no longer the id written.
 */
export function asRetailerId(value: unknown, source: string): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new UsageError(
      `${source} must be a Fluent retailer id, a whole number such as 1, written in quotes when it is long; got ${showGiven(value)}`,
    );
  }
  const id = asString(value, source);
  if (!/^[1-9]\d{0,18}$/.test(id)) {
    throw new UsageError(`${source} must be a Fluent retailer id, a whole number such as 1, got "${id}"`);
  }
  return id;
}

export function asCountry(value: unknown, source: string): string {
  const code = asString(value, source).toUpperCase();
  if (!isSupportedCountry(code)) {
    throw new UsageError(`${source} must be an ISO 3166 alpha-2 code such as GB or AU, got "${code}"`);
  }
  return code;
}

/** `--encoding`: a name iconv-lite and Node know (resolveEncoding says which ones when it is not). */
export function asEncoding(value: unknown, source: string): string {
  const name = asString(value, source);
  resolveEncoding(name);
  return name;
}

/** The endpoints the tool adds to --api-host itself; a host copied with one of them on is corrected. */
const ENDPOINT_SUFFIX = /\/(graphql|oauth\/token)\/*$/i;

/**
 * The base URL of a Fluent account. A URL copied with Fluent's endpoint on it (`…/graphql`, `…/oauth/token`) is
 * corrected with a warning, since the tool adds those paths itself and would otherwise ask `…/graphql/graphql`; a
 * query or fragment is refused, naming the URL to use instead. Any other path is kept as a prefix (a proxy's).
 */
export function asApiHost(value: unknown, source: string, warn?: (message: string) => void): string {
  const apiHost = asString(value, source);
  let url: URL;
  try {
    url = new URL(apiHost);
  } catch {
    throw new UsageError(
      `${source} "${apiHost}" is not a URL; expected e.g. https://ACCOUNT.sandbox.api.fluentretail.com`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${source} must be an http(s) URL, got "${apiHost}"`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${source} must not carry credentials; they come from FLUENT_CLIENT_ID and friends`);
  }
  const base = `${url.origin}${url.pathname.replace(ENDPOINT_SUFFIX, '').replace(/\/+$/, '')}`;
  if (url.search || url.hash) {
    throw new UsageError(`${source} must be the account's base URL without ?query or #fragment; use ${base}`);
  }
  if (ENDPOINT_SUFFIX.test(url.pathname)) {
    warn?.(`${source} ends in an endpoint the tool adds itself; using ${base}`);
    return base;
  }
  return apiHost;
}

/** What some checks need beside the value: where a warning goes (`--api-host`), the shard (`--metrics-file`). */
export interface CheckContext {
  warn?: (message: string) => void;
  shard?: Shard;
}

/** The check of every option, by flag name: the one place that says what each option's value must be. */
export const VALUE_CHECKS = {
  'api-host': (value: unknown, source: string, context?: CheckContext) => asApiHost(value, source, context?.warn),
  'retailer-id': asRetailerId,
  mapping: asString,
  checkpoint: asString,
  'report-dir': asString,
  rate: asRate,
  batch: wholeNumber(RANGES.batch),
  concurrency: wholeNumber(RANGES.concurrency),
  'on-duplicate': asChoice(OPTION_SPECS['on-duplicate'].choices),
  'username-template': asString,
  'default-country': asCountry,
  'phone-extension': asChoice(OPTION_SPECS['phone-extension'].choices),
  'allow-formula-values': asBoolean,
  sheet: asString,
  shard: asShard,
  'max-error-rate': asShare,
  'full-compare': asBoolean,
  'allow-empty': asBoolean,
  encoding: asEncoding,
  redact: asBoolean,
  'keep-runs': wholeNumber(RANGES.keepRuns),
  mode: asChoice(OPTION_SPECS.mode.choices),
  limit: wholeNumber(RANGES.limit, 'of rows '),
  'allow-scoped-login': asBoolean,
  'probe-rate': asBoolean,
  'report-missing': asBoolean,
  'metrics-file': (value: unknown, source: string, context?: CheckContext) =>
    checkMetricsFile(value, source, context?.shard),
  pushgateway: checkHookUrl,
  'notify-url': checkHookUrl,
  sandbox: asBoolean,
  'sandbox-seed': asString,
  'dry-run': asBoolean,
  verbose: asBoolean,
  quiet: asBoolean,
  'log-format': asChoice(OPTION_SPECS['log-format'].choices),
} satisfies Record<OptionName, (value: unknown, source: string, context?: CheckContext) => unknown>;

/** The type of an option's checked value: `number | 'auto'` for rate, `Shard` for shard, and so on. */
export type OptionValue<N extends OptionName> = ReturnType<(typeof VALUE_CHECKS)[N]>;

/** Checks one value of option `name` from `source`, as VALUE_CHECKS says. */
export function checkValue<N extends OptionName>(
  name: N,
  value: unknown,
  source: string,
  context: CheckContext = {},
): OptionValue<N> {
  const check = VALUE_CHECKS[name] as (value: unknown, source: string, context: CheckContext) => OptionValue<N>;
  return check(value, source, context);
}
