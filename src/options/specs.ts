import { WRITE_MODES } from '../types.js';

/**
 * The option specs: the one source for the flags yargs takes, their --help lines, the env names (`FLUENT_<NAME>`), the
 * job-file keys, the job file's JSON Schema and docs/options.md. Values are checked in values.ts, layered in
 * layering.ts; credentials are not options (fluent/credentials.ts reads them apart, from env only).
 */

/** The commands that take options, as a user types them. */
export const OPTION_COMMANDS = ['sync', 'validate', 'doctor', 'undo', 'runs', 'explain', 'report'] as const;
export type OptionCommand = (typeof OPTION_COMMANDS)[number];

type OptionType = 'string' | 'number' | 'boolean';

export interface OptionSpec {
  type: OptionType;
  describe: string;
  /** The commands that take it as a flag; env and job files are read the same way for all of them. */
  commands: readonly OptionCommand[];
  /** Shown in --help; the real default is applied by resolveOptions so precedence can be honoured. */
  default?: string | number | boolean;
  choices?: readonly string[];
  /** Relative paths in a job file are taken from the job file's folder. */
  isPath?: boolean;
  /** A job file may give this text option as a JSON number too (`"retailer-id": 12`, `"rate": 5`). */
  takesNumber?: boolean;
  /** What it does for a command where `describe` would say too much or the wrong thing. */
  describeFor?: Partial<Record<OptionCommand, string>>;
}

const EVERY = OPTION_COMMANDS;
/** sync and validate: reading, normalising and checking the file, and its report. */
const READING = ['sync', 'validate'] as const;
/** What a run that talks to the OMS needs to know: where, how fast. */
const OMS = ['sync', 'doctor', 'undo'] as const;
/** The ops hooks: an undo's end is announced like a sync's. */
const ANNOUNCED = ['sync', 'undo'] as const;

/** Every option by flag name, in the order --help and docs/options.md list them. */
export const OPTION_SPECS = {
  'api-host': {
    type: 'string',
    describe: 'Fluent API base URL, e.g. https://ACCOUNT.sandbox.api.fluentretail.com',
    commands: OMS,
  },
  'retailer-id': {
    type: 'string',
    describe: 'Fluent retailer id the customers belong to',
    commands: ['sync', 'validate', 'doctor', 'undo'],
    takesNumber: true,
  },
  mapping: {
    type: 'string',
    describe: 'JSON file mapping CSV headers to Fluent fields',
    commands: READING,
    isPath: true,
  },
  checkpoint: {
    type: 'string',
    describe: 'SQLite checkpoint file (created owner-only)',
    commands: ['sync', 'undo', 'runs', 'explain', 'report'],
    default: '.customer-sync/checkpoint.sqlite',
    isPath: true,
  },
  'report-dir': {
    type: 'string',
    describe: 'folder for the report files (default reports/<run-id>/)',
    commands: ['sync', 'validate', 'undo', 'report'],
    isPath: true,
  },
  rate: {
    // A string for yargs, so `auto` is not read as NaN; resolveOptions checks it.
    type: 'string',
    describe: 'max GraphQL requests per second, all kinds together, or auto to find the OMS limit',
    commands: OMS,
    default: 10,
    takesNumber: true,
  },
  batch: {
    type: 'number',
    describe: 'up to N creates/updates aliased in one GraphQL request (1 = one per request)',
    commands: ['sync', 'doctor'],
    default: 1,
  },
  concurrency: { type: 'number', describe: 'max requests in flight', commands: OMS, default: 8 },
  'probe-rate': {
    type: 'boolean',
    describe:
      "also find the account's rate limit with lookups only (at most 60 s and 3,000 requests) and print the --rate and --batch to use",
    commands: ['doctor'],
  },
  'on-duplicate': {
    type: 'string',
    describe: 'rows sharing a username with different values: reject all, or keep the first or last',
    commands: READING,
    default: 'reject',
    choices: ['reject', 'first', 'last'],
  },
  'username-template': {
    type: 'string',
    describe: 'username when no username column: {retailerId}, {<fluentField>}, {column:HEADER}',
    commands: READING,
    default: '{retailerId}_{primaryEmail}',
  },
  'default-country': {
    type: 'string',
    describe: 'ISO 3166 alpha-2 country for phones without a country code',
    commands: READING,
  },
  'phone-extension': {
    type: 'string',
    describe: 'a phone with an extension: reject the row, or drop the extension and keep the number',
    commands: READING,
    default: 'reject',
    choices: ['reject', 'drop'],
  },
  'allow-formula-values': {
    type: 'boolean',
    describe: 'keep a name or title that is a spreadsheet formula (=…, +SUM(…)) instead of rejecting its row',
    commands: READING,
  },
  sheet: {
    type: 'string',
    describe: 'which sheet of an .xlsx input to read (default: the first)',
    commands: READING,
    takesNumber: true,
  },
  shard: { type: 'string', describe: 'K/N: take only shard K of N of the usernames (1-based)', commands: READING },
  'max-error-rate': {
    type: 'number',
    describe: 'abort when this share of rows failed (0-1), checked once 100 rows are done',
    commands: ['sync'],
    default: 0.05,
  },
  'full-compare': {
    type: 'boolean',
    describe: "ignore the checkpoint's hashes and compare every row with the OMS",
    commands: ['sync'],
  },
  'allow-empty': {
    type: 'boolean',
    describe: 'a file with a header and no rows is a normal, empty run',
    commands: READING,
  },
  encoding: { type: 'string', describe: "the file's text encoding, e.g. latin1", commands: READING, default: 'utf8' },
  redact: {
    type: 'boolean',
    describe: 'mask personal data in the reports so they can be shared',
    commands: ['sync', 'validate', 'undo', 'report'],
  },
  'keep-runs': {
    type: 'number',
    describe: 'runs kept in the checkpoint history',
    commands: ['sync', 'undo'],
    default: 30,
  },
  mode: {
    type: 'string',
    describe: 'which changes to make: create and update, create only (existing customers are left), or update only',
    commands: ['sync'],
    default: 'upsert',
    choices: WRITE_MODES,
  },
  limit: { type: 'number', describe: 'read only the first N data rows: a sample run', commands: READING },
  'allow-scoped-login': {
    type: 'boolean',
    describe: 'run with a login scoped to retailers anyway: uniqueness is checked only across what it can see',
    commands: ['sync', 'doctor'],
  },
  'report-missing': {
    type: 'boolean',
    describe: "also list this retailer's OMS customers that the file does not hold (missing.csv)",
    commands: ['sync'],
  },
  'metrics-file': {
    type: 'string',
    describe: "Prometheus text file (*.prom) for node_exporter's textfile collector, written at the end of every run",
    commands: ANNOUNCED,
    isPath: true,
  },
  pushgateway: {
    type: 'string',
    describe: 'Prometheus Pushgateway URL the same metrics are pushed to',
    commands: ANNOUNCED,
  },
  'notify-url': {
    type: 'string',
    describe: 'webhook (Slack-compatible) POSTed a JSON summary when the run ends, aborted ones too',
    commands: ANNOUNCED,
  },
  sandbox: {
    type: 'boolean',
    describe: 'run against an in-process sandbox OMS instead of --api-host',
    commands: ['sync', 'doctor'],
  },
  'sandbox-seed': {
    type: 'string',
    describe: 'JSON customers to load into the --sandbox OMS first',
    commands: ['sync', 'doctor'],
    isPath: true,
  },
  'dry-run': {
    type: 'boolean',
    describe: 'look up and plan, send no mutation; the report is a field-level diff',
    commands: OMS,
    describeFor: {
      doctor: 'check only what a dry run needs (CUSTOMER_VIEW)',
      undo: 'look up and plan, send nothing; the report is the diff',
    },
  },
  verbose: {
    type: 'boolean',
    describe: "also log each request (lookups, mutations, retries) and each row's decision",
    commands: EVERY,
  },
  quiet: {
    type: 'boolean',
    describe: 'print nothing but errors: no summary, no progress, no warnings',
    commands: EVERY,
  },
  'log-format': {
    type: 'string',
    describe: 'log lines, and the summary, as text or as JSON lines',
    commands: EVERY,
    default: 'text',
    choices: ['text', 'json'],
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTION_SPECS;

/** What `name` does for `command`: its own line where it has one. */
export function describeFor(name: OptionName, command: OptionCommand): string {
  const spec = specOf(name);
  return spec.describeFor?.[command] ?? spec.describe;
}

/** Every option name, in spec order. */
export const OPTION_NAMES = Object.keys(OPTION_SPECS) as OptionName[];

/** The spec of one option, typed as the general shape. */
export function specOf(name: OptionName): OptionSpec {
  return OPTION_SPECS[name];
}

/** The options `command` takes as flags, in spec order. */
export function optionsOfCommand(command: OptionCommand): OptionName[] {
  return OPTION_NAMES.filter((name) => (specOf(name).commands as readonly string[]).includes(command));
}

/**
 * The options `validate` takes: reading, normalising and checking the file, and its report. The others are about the
 * OMS or the checkpoint, which validate never touches; as flags they are refused naming the command they belong to.
 */
export const VALIDATE_OPTIONS: readonly OptionName[] = optionsOfCommand('validate');

/** `FLUENT_API_HOST` for `api-host`, and so on. */
export function envName(option: OptionName): string {
  return `FLUENT_${option.toUpperCase().replace(/-/g, '_')}`;
}

/** `maxErrorRate` for `max-error-rate`: the job file's other spelling, and the field of the resolved options. */
export function camelName<N extends string>(option: N): CamelCase<N> {
  return option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as CamelCase<N>;
}

/** `max-error-rate` → `maxErrorRate`, as a type. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
