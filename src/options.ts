import path from 'node:path';
import { isSupportedCountry } from 'libphonenumber-js';
import { UsageError } from './errors.js';
import { checkHookUrl } from './ops/checkHookUrl.js';
import { checkMetricsFile } from './ops/checkMetricsFile.js';
import { maskHookUrl } from './ops/maskHookUrl.js';
import { resolveEncoding } from './read/resolveEncoding.js';
import { readJsonFile } from './readJsonFile.js';
import { suggestName } from './suggestName.js';
import { WRITE_MODES, type WriteMode } from './types.js';

/**
 * Options: flags + env (`FLUENT_<NAME>`) + job file (`--config`) + defaults → one readonly ResolvedOptions.
 * Precedence: flag > env > job file > default (SPEC §2). Credentials are not options: they are read apart, from env
 * only (fluent/credentials.ts), and never enter this object.
 */

export type OnDuplicate = 'reject' | 'first' | 'last';
export type LogFormat = 'text' | 'json';
export type PhoneExtension = 'reject' | 'drop';
/** The commands that take the run options. */
/**
 * The commands that take the run options: `history` stands for runs, report and explain, which read the checkpoint
 * and need nothing else.
 */
export type Command = 'sync' | 'validate' | 'doctor' | 'undo' | 'history';

type OptionType = 'string' | 'number' | 'boolean';

interface OptionSpec {
  type: OptionType;
  describe: string;
  /** Shown in --help; the real default is applied by resolveOptions so precedence can be honoured. */
  default?: string | number | boolean;
  choices?: readonly string[];
  /** Relative paths in a job file are taken from the job file's folder. */
  isPath?: boolean;
}

/** Every option of `sync` / `validate`, by flag name. The single source for yargs, env names and job-file keys. */
export const OPTION_SPECS = {
  'api-host': { type: 'string', describe: 'Fluent API base URL, e.g. https://ACCOUNT.sandbox.api.fluentretail.com' },
  'retailer-id': { type: 'string', describe: 'Fluent retailer id the customers belong to' },
  mapping: { type: 'string', describe: 'JSON file mapping CSV headers to Fluent fields', isPath: true },
  checkpoint: {
    type: 'string',
    describe: 'SQLite checkpoint file (created owner-only)',
    default: '.customer-sync/checkpoint.sqlite',
    isPath: true,
  },
  'report-dir': { type: 'string', describe: 'folder for the report files (default reports/<run-id>/)', isPath: true },
  rate: {
    // A string for yargs, so `auto` is not read as NaN; resolveOptions checks it.
    type: 'string',
    describe: 'max GraphQL requests per second, all kinds together, or auto to find the OMS limit',
    default: 10,
  },
  batch: {
    type: 'number',
    describe: 'up to N creates/updates aliased in one GraphQL request (1 = one per request)',
    default: 1,
  },
  concurrency: { type: 'number', describe: 'max requests in flight', default: 8 },
  'on-duplicate': {
    type: 'string',
    describe: 'rows sharing a username with different values: reject all, or keep the first or last',
    default: 'reject',
    choices: ['reject', 'first', 'last'],
  },
  'username-template': {
    type: 'string',
    describe: 'username when no username column: {retailerId}, {<fluentField>}, {column:HEADER}',
    default: '{retailerId}_{primaryEmail}',
  },
  'default-country': { type: 'string', describe: 'ISO 3166 alpha-2 country for phones without a country code' },
  'phone-extension': {
    type: 'string',
    describe: 'a phone with an extension: reject the row, or drop the extension and keep the number',
    default: 'reject',
    choices: ['reject', 'drop'],
  },
  'allow-formula-values': {
    type: 'boolean',
    describe: 'keep a name or title that is a spreadsheet formula (=…, +SUM(…)) instead of rejecting its row',
  },
  sheet: { type: 'string', describe: 'which sheet of an .xlsx input to read (default: the first)' },
  shard: { type: 'string', describe: 'K/N: take only shard K of N of the usernames (1-based)' },
  'max-error-rate': {
    type: 'number',
    describe: 'abort when this share of rows failed (0-1), checked once 100 rows are done',
    default: 0.05,
  },
  'full-compare': { type: 'boolean', describe: "ignore the checkpoint's hashes and compare every row with the OMS" },
  'allow-empty': { type: 'boolean', describe: 'a file with a header and no rows is a normal, empty run' },
  encoding: { type: 'string', describe: "the file's text encoding, e.g. latin1", default: 'utf8' },
  redact: { type: 'boolean', describe: 'mask personal data in the reports so they can be shared' },
  'keep-runs': { type: 'number', describe: 'runs kept in the checkpoint history', default: 30 },
  mode: {
    type: 'string',
    describe: 'which changes to make: create and update, create only (existing customers are left), or update only',
    default: 'upsert',
    choices: WRITE_MODES,
  },
  limit: { type: 'number', describe: 'read only the first N data rows: a sample run' },
  'allow-scoped-login': {
    type: 'boolean',
    describe: 'run with a login scoped to retailers anyway: uniqueness is checked only across what it can see',
  },
  'report-missing': {
    type: 'boolean',
    describe: "also list this retailer's OMS customers that the file does not hold (missing.csv)",
  },
  'metrics-file': {
    type: 'string',
    describe: "Prometheus text file (*.prom) for node_exporter's textfile collector, written at the end of every run",
    isPath: true,
  },
  pushgateway: { type: 'string', describe: 'Prometheus Pushgateway URL the same metrics are pushed to' },
  'notify-url': {
    type: 'string',
    describe: 'webhook (Slack-compatible) POSTed a JSON summary when the run ends, aborted ones too',
  },
  sandbox: { type: 'boolean', describe: 'run against an in-process sandbox OMS instead of --api-host' },
  'sandbox-seed': { type: 'string', describe: 'JSON customers to load into the --sandbox OMS first', isPath: true },
  'dry-run': { type: 'boolean', describe: 'look up and plan, send no mutation; the report is a field-level diff' },
  verbose: { type: 'boolean', describe: "also log each request (lookups, mutations, retries) and each row's decision" },
  quiet: { type: 'boolean', describe: 'print nothing but errors: no summary, no progress, no warnings' },
  'log-format': {
    type: 'string',
    describe: 'log lines, and the summary, as text or as JSON lines',
    default: 'text',
    choices: ['text', 'json'],
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTION_SPECS;

/**
 * The options `validate` takes: reading, normalising and checking the file, and its report. The others are about the
 * OMS or the checkpoint, which validate never touches; as flags they are refused naming the command they belong to.
 */
export const VALIDATE_OPTIONS: readonly OptionName[] = [
  'retailer-id',
  'mapping',
  'report-dir',
  'on-duplicate',
  'username-template',
  'default-country',
  'phone-extension',
  'allow-formula-values',
  'sheet',
  'shard',
  'allow-empty',
  'encoding',
  'redact',
  'limit',
  'verbose',
  'quiet',
  'log-format',
];

/** Option values as they arrive from one source, keyed by flag name. */
export type RawOptions = Partial<Record<OptionName, unknown>>;

export interface Shard {
  index: number;
  count: number;
}

/** Everything a run needs to know, all defaults filled. Passed down explicitly, never mutated. */
export interface ResolvedOptions {
  readonly command: Command;
  readonly file: string;
  readonly dryRun: boolean;
  readonly apiHost: string | undefined;
  readonly retailerId: string | undefined;
  readonly mapping: string | undefined;
  readonly checkpoint: string;
  readonly reportDir: string | undefined;
  /** Max GraphQL requests/s, or `auto`: start low and find the OMS's limit. */
  readonly rate: number | 'auto';
  /** Creates and updates per GraphQL request, aliased (1: one mutation per request). */
  readonly batch: number;
  readonly concurrency: number;
  readonly onDuplicate: OnDuplicate;
  readonly usernameTemplate: string;
  readonly defaultCountry: string | undefined;
  readonly phoneExtension: PhoneExtension;
  /** `--allow-formula-values`: a name or title that is a spreadsheet formula is kept, not rejected. */
  readonly allowFormulaValues: boolean;
  readonly sheet: string | undefined;
  readonly shard: Shard | undefined;
  readonly maxErrorRate: number;
  readonly fullCompare: boolean;
  readonly allowEmpty: boolean;
  readonly encoding: string;
  readonly redact: boolean;
  readonly keepRuns: number;
  /** `--mode`: which changes the run may make. */
  readonly mode: WriteMode;
  /** `--limit`: read only this many data rows; undefined reads them all. */
  readonly limit: number | undefined;
  readonly allowScopedLogin: boolean;
  readonly reportMissing: boolean;
  readonly metricsFile: string | undefined;
  readonly pushgateway: string | undefined;
  readonly notifyUrl: string | undefined;
  readonly sandbox: boolean;
  readonly sandboxSeed: string | undefined;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly logFormat: LogFormat;
  readonly config: string | undefined;
}

/** `FLUENT_API_HOST` for `api-host`, and so on. */
export function envName(option: OptionName): string {
  return `FLUENT_${option.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Layers the sources and checks every value; a bad one is a UsageError naming the option, where it came from, what
 * was given and what is allowed, in one line. Options that contradict each other (`--sandbox` with an `--api-host`,
 * `--verbose` with `--quiet`) are refused naming both, whichever sources they came from. `flags` holds only the flags
 * the user actually gave. `warn` hears of a value that was corrected (an --api-host ending in /graphql).
 */
export function resolveOptions(input: {
  command: Command;
  file: string;
  flags: RawOptions;
  env: NodeJS.ProcessEnv;
  config?: string;
  warn?: (message: string) => void;
}): ResolvedOptions {
  const configPath = input.config ?? nonEmpty(input.env.FLUENT_CONFIG);
  const fromFile = configPath ? readJobFile(configPath) : {};
  const fromEnv = readEnvOptions(input.env);

  const pick = (name: OptionName): { value: unknown; source: string } | undefined => {
    if (input.flags[name] !== undefined) return { value: input.flags[name], source: `--${name}` };
    if (fromEnv[name] !== undefined) return { value: fromEnv[name], source: envName(name) };
    if (fromFile[name] !== undefined) return { value: fromFile[name], source: `${configPath}: ${name}` };
    return undefined;
  };
  const get = <T>(name: OptionName, check: (value: unknown, source: string) => T): T | undefined => {
    const picked = pick(name);
    if (picked) return check(picked.value, picked.source);
    const spec: OptionSpec = OPTION_SPECS[name];
    return spec.default === undefined ? undefined : check(spec.default, `--${name}`);
  };
  const str = (name: OptionName) => get(name, asString);
  const bool = (name: OptionName) => get(name, asBoolean) ?? false;

  const rate = get('rate', asRate) as number | 'auto';
  const batch = get('batch', wholeNumber(RANGES.batch)) as number;
  const concurrency = get('concurrency', wholeNumber(RANGES.concurrency)) as number;
  const maxErrorRate = get(
    'max-error-rate',
    numberWhere((n) => n >= 0 && n <= 1, 'a share between 0 and 1 (0.05 = 5%)'),
  ) as number;
  const keepRuns = get('keep-runs', wholeNumber(RANGES.keepRuns)) as number;
  const limit = get('limit', wholeNumber(RANGES.limit, 'of rows '));
  const mode = get('mode', (v, s) => asChoice(v, s, WRITE_MODES)) as WriteMode;
  const onDuplicate = get('on-duplicate', (v, s) => asChoice(v, s, ['reject', 'first', 'last'])) as OnDuplicate;
  const logFormat = get('log-format', (v, s) => asChoice(v, s, ['text', 'json'])) as LogFormat;
  const defaultCountry = get('default-country', asCountry);
  const phoneExtension = get('phone-extension', (v, s) => asChoice(v, s, ['reject', 'drop'])) as PhoneExtension;
  const encoding = get('encoding', (value, source) => {
    const name = asString(value, source);
    resolveEncoding(name);
    return name;
  }) as string;
  const apiHost = get('api-host', (value, source) => asApiHost(value, source, input.warn));
  const retailerId = get('retailer-id', asRetailerId);
  const shard = get('shard', asShard);
  const sandbox = bool('sandbox');
  const dryRun = bool('dry-run');
  const verbose = bool('verbose');
  const quiet = bool('quiet');
  if (verbose && quiet) refuseTogether(pick('verbose'), pick('quiet'), 'pick one');
  if (input.command !== 'validate' && sandbox && apiHost !== undefined) {
    refuseTogether(
      pick('sandbox'),
      pick('api-host'),
      '--sandbox runs against an in-process OMS, not a host; drop one of them',
    );
  }
  if (input.command === 'sync' || input.command === 'doctor') {
    if (apiHost === undefined && !sandbox) {
      throw new UsageError('no OMS to sync with: pass --api-host (or FLUENT_API_HOST), or --sandbox to try it locally');
    }
    if (retailerId === undefined) throw new UsageError('--retailer-id (or FLUENT_RETAILER_ID) is required for sync');
  }
  if (input.command === 'undo' && apiHost === undefined) {
    throw new UsageError('undo needs the OMS the run synced with: pass --api-host (or FLUENT_API_HOST)');
  }

  return Object.freeze({
    command: input.command,
    file: input.file,
    dryRun,
    apiHost: apiHost?.replace(/\/+$/, ''),
    retailerId,
    mapping: str('mapping'),
    checkpoint: str('checkpoint') as string,
    reportDir: str('report-dir'),
    rate,
    batch,
    concurrency,
    onDuplicate,
    usernameTemplate: str('username-template') as string,
    defaultCountry,
    phoneExtension,
    allowFormulaValues: bool('allow-formula-values'),
    sheet: str('sheet'),
    shard,
    maxErrorRate,
    fullCompare: bool('full-compare'),
    allowEmpty: bool('allow-empty'),
    encoding,
    redact: bool('redact'),
    keepRuns,
    mode,
    limit,
    allowScopedLogin: bool('allow-scoped-login'),
    reportMissing: bool('report-missing'),
    metricsFile: get('metrics-file', (value, source) => checkMetricsFile(value, source, shard)),
    pushgateway: get('pushgateway', checkHookUrl),
    notifyUrl: get('notify-url', checkHookUrl),
    sandbox,
    sandboxSeed: str('sandbox-seed'),
    verbose,
    quiet,
    logFormat,
    config: configPath,
  });
}

/**
 * The options as they go into report.json and the checkpoint: no secrets can be here (credentials are never
 * options, and the hook URLs are shown with every part that can carry one masked: maskHookUrl).
 */
export function describeOptions(options: ResolvedOptions): Record<string, unknown> {
  return {
    ...options,
    shard: options.shard ? `${options.shard.index}/${options.shard.count}` : undefined,
    pushgateway: options.pushgateway === undefined ? undefined : maskHookUrl(options.pushgateway, 'pushgateway'),
    notifyUrl: options.notifyUrl === undefined ? undefined : maskHookUrl(options.notifyUrl, 'webhook'),
  };
}

function readEnvOptions(env: NodeJS.ProcessEnv): RawOptions {
  const out: RawOptions = {};
  for (const name of Object.keys(OPTION_SPECS) as OptionName[]) {
    const value = env[envName(name)];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** Reads a job file: a JSON object whose keys are option names (kebab-case or camelCase). */
function readJobFile(file: string): RawOptions {
  const parsed = readJsonFile(file, 'job file');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`job file ${file} must hold a JSON object of options, e.g. {"retailer-id": "1"}`);
  }
  const out: RawOptions = {};
  const byName = new Map<string, OptionName>();
  for (const name of Object.keys(OPTION_SPECS) as OptionName[]) {
    byName.set(name, name);
    byName.set(
      name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
      name,
    );
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (key.startsWith('$') || key === 'description') continue;
    const name = byName.get(key);
    if (!name) {
      const near = suggestName(key, Object.keys(OPTION_SPECS));
      const hint = near === undefined ? '' : `; did you mean "${near}"?`;
      throw new UsageError(`job file ${file} has an unknown option "${key}"${hint}`);
    }
    const spec: OptionSpec = OPTION_SPECS[name];
    out[name] = spec.isPath && typeof value === 'string' ? path.resolve(path.dirname(file), value) : value;
  }
  return out;
}

function asString(value: unknown, source: string): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${source} must be a non-empty text`);
  return value.trim();
}

/**
 * The most mutations a batch holds: a batch is filled from one lookup of 50 usernames (SPEC §5), and 50 customers stay
 * far under Fluent's 2 MB request limit.
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
function numberWhere(ok: (n: number) => boolean, expected: string): (value: unknown, source: string) => number {
  return (value, source) => {
    const n = toNumber(value);
    if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`${source} must be ${expected}, got ${showGiven(value)}`);
    return n;
  };
}

/** A whole-number check within `range`, all of it safe integers: `--keep-runs must be a whole number from 1 to 100000`. */
function wholeNumber(range: { min: number; max: number }, unit = ''): (value: unknown, source: string) => number {
  return numberWhere(
    (n) => Number.isSafeInteger(n) && n >= range.min && n <= range.max,
    `a whole number ${unit}from ${range.min} to ${range.max}`,
  );
}

/** A given value as a message quotes it, as typed (the logger escapes any control character in it). */
function showGiven(value: unknown): string {
  return `"${String(value)}"`;
}

/** Two options that cannot go together, named with where each came from. */
function refuseTogether(a: { source: string } | undefined, b: { source: string } | undefined, what: string): never {
  throw new UsageError(`${a?.source} and ${b?.source} cannot be used together: ${what}`);
}

/** `--rate`: a number of requests per second within RANGES.rate, or `auto`. */
function asRate(value: unknown, source: string): number | 'auto' {
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

function asBoolean(value: unknown, source: string): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(text)) return false;
  throw new UsageError(`${source} must be true or false, got ${showGiven(value)}`);
}

function asChoice(value: unknown, source: string, choices: readonly string[]): string {
  const text = asString(value, source);
  if (!choices.includes(text)) {
    const near = suggestName(text, choices);
    const hint = near === undefined ? '' : ` (did you mean ${near}?)`;
    throw new UsageError(`${source} must be one of ${choices.join(', ')}, got ${showGiven(text)}${hint}`);
  }
  return text;
}

function asShard(value: unknown, source: string): Shard {
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
function asRetailerId(value: unknown, source: string): string {
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

function asCountry(value: unknown, source: string): string {
  const code = asString(value, source).toUpperCase();
  if (!isSupportedCountry(code)) {
    throw new UsageError(`${source} must be an ISO 3166 alpha-2 code such as GB or AU, got "${code}"`);
  }
  return code;
}

/** The endpoints the tool adds to --api-host itself; a host copied with one of them on is corrected. */
const ENDPOINT_SUFFIX = /\/(graphql|oauth\/token)\/*$/i;

/**
 * The base URL of a Fluent account. A URL copied with Fluent's endpoint on it (`…/graphql`, `…/oauth/token`) is
 * corrected with a warning, since the tool adds those paths itself and would otherwise ask `…/graphql/graphql`; a
 * query or fragment is refused, naming the URL to use instead. Any other path is kept as a prefix (a proxy's).
 */
function asApiHost(value: unknown, source: string, warn?: (message: string) => void): string {
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

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
