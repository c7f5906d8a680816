/**
 * The package API's types (SPEC §7): what syncFile, validateFile, ensureCustomers and createSandbox take and give.
 * The options are the command line's, by the same specs (options/specs.ts): each long option name in camelCase, its
 * value of the type the option takes, so a new option of a command is an option of its function too.
 */
import type { NamesOf } from '../options/slices.js';
import type { CamelCase, OPTION_SPECS, OptionName } from '../options/specs.js';
import type { ReportSummary } from '../report/reportTypes.js';
import type { Sandbox } from '../sandbox/sandboxTypes.js';
import type { CustomerField, OutcomeKind } from '../types.js';

type SpecOf<N extends OptionName> = (typeof OPTION_SPECS)[N];

/**
 * The value a program gives option N: one of its choices, true/false, a number, or text (`retailerId` and `sheet` a
 * number too; `rate` a number or `auto`). Checked as the command line checks it: a bad one is a UsageError naming it.
 */
export type OptionInput<N extends OptionName> = N extends 'rate'
  ? number | 'auto'
  : SpecOf<N> extends { readonly choices: readonly (infer C)[] }
    ? C
    : SpecOf<N>['type'] extends 'boolean'
      ? boolean
      : SpecOf<N>['type'] extends 'number'
        ? number
        : SpecOf<N> extends { readonly takesNumber: true }
          ? string | number
          : string;

/** Options named N, in camelCase, each optional: what is not given comes from env, the job file, or its default. */
export type OptionsNamed<N extends OptionName> = { readonly [K in N as CamelCase<K>]?: OptionInput<K> };

/**
 * Fluent credentials given by the program instead of the environment (FLUENT_CLIENT_ID, FLUENT_CLIENT_SECRET,
 * FLUENT_USERNAME, FLUENT_PASSWORD, or FLUENT_ACCESS_TOKEN; FLUENT_ACCOUNT_ID). Masked in every output, never written.
 */
export type Credentials =
  | { clientId: string; clientSecret: string; username: string; password: string; accountId?: string }
  | { accessToken: string; accountId?: string };

/** Where the API's log lines go: any of the four levels (`console` will do); a level left out is dropped. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** What every function of the API takes besides the options. */
export interface RunSettings {
  /**
   * Where `FLUENT_<OPTION>` values (flag > env > job file > default, as on the command line), the credentials and
   * FLUENT_CONFIG are read from; `process.env` when not given. Options passed directly win over it.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** A job file (the command line's `--config`): JSON with the option names; options given and env win over it. */
  config?: string;
  /**
   * Where log lines go (warnings, progress every 10 s; with `verbose` each request and row). Silent by default.
   * Every line is scrubbed of secrets before it is handed over.
   */
  logger?: Logger;
  /**
   * Stops the run as SIGINT does on the command line: requests in flight finish, the partial report is written, the
   * checkpoint stays consistent and the call rejects with an AbortError. No signal handler is ever installed.
   */
  signal?: AbortSignal;
}

/** What talks to Fluent takes besides: the credentials, when not from the environment. */
export interface OmsSettings extends RunSettings {
  credentials?: Credentials;
}

/** syncFile's options: `sync FILE`'s (dryRun for `--dry-run`), and the file: a CSV, .csv.gz or .xlsx path, or `-`. */
export type SyncFileOptions = { readonly file: string } & OptionsNamed<NamesOf<'sync'>> & OmsSettings;

/** validateFile's options: `validate FILE`'s; no network, so no credentials. */
export type ValidateFileOptions = { readonly file: string } & OptionsNamed<NamesOf<'validate'>> & RunSettings;

/**
 * The sync options ensureCustomers does not take: it reads no file (encoding, sheet, limit, allowEmpty), always
 * creates only (mode), takes every customer it is given (shard), lists no missing customers (reportMissing), and needs
 * an OMS that outlives the call (sandbox, sandboxSeed: use createSandbox). They are read from no source.
 */
export const NOT_FOR_ENSURE = [
  'encoding',
  'sheet',
  'limit',
  'allow-empty',
  'mode',
  'shard',
  'report-missing',
  'sandbox',
  'sandbox-seed',
] as const satisfies readonly OptionName[];

export type NotForEnsure = (typeof NOT_FOR_ENSURE)[number];

/**
 * ensureCustomers' options: sync's but those of NotForEnsure. `reportDir`: write the run's report there (none
 * otherwise); `dryRun`: look up, create nothing (a missing customer comes back `created` with a null id).
 */
export type EnsureCustomersOptions = OptionsNamed<Exclude<NamesOf<'sync'>, NotForEnsure>> & OmsSettings;

/**
 * A customer given to ensureCustomers: Fluent field names (`primaryEmail`, `firstName`, …, `username` to give it
 * one), or with the `mapping` option, a raw row keyed by its column names (and attributes mapped from them). A value
 * is text, a number or true/false; null or undefined is "no value". Keys the run does not read may hold anything.
 */
export type CustomerRecord = { readonly [F in CustomerField]?: string | number | boolean | null } & {
  readonly [column: string]: unknown;
};

/** How one customer given to ensureCustomers came out (SPEC §7). */
export interface EnsureResult {
  /** The OMS id of the customer: null unless it exists (for this retailer) or was created. */
  customerId: string | null;
  /** The username it has or would have; null when none could be formed (a rejected record). */
  username: string | null;
  outcome: EnsureOutcome;
  reason: string;
}

/**
 * What ensureCustomers makes of a customer: `created`, `unchanged` (it exists; the reason says how far it differs),
 * `duplicate` (given again in the same call: the id is the first one's), `conflict` (the username is held by another
 * retailer, or in another case), `rejected` (the record fails a check) or `failed` (Fluent refused the create).
 */
export type EnsureOutcome = Exclude<OutcomeKind, 'valid' | 'updated'>;

/** One line of outcomes.csv: what happened to one row of the file. */
export interface OutcomeRow {
  /** The data row, counted from 1. */
  row: number;
  /** '' when the row was rejected before a username could be formed (its reason says who it is). */
  username: string;
  outcome: OutcomeKind;
  reason: string;
  /** The fields sent (or that would be), `attributes.NAME` for an attribute. */
  changedFields: string[];
  /** The customer's OMS id where one is known (created, updated, unchanged), else null. */
  customerId: string | null;
}

/**
 * A run of syncFile or validateFile that got to its report: exit code 0 (every row created, updated, unchanged,
 * duplicate, skipped or valid) or 1 (some rejected, in conflict or failed; the report lists them). A run that cannot
 * start throws a UsageError (2), one that stops early an AbortError (3), each with its `exitCode`.
 */
export interface FileRunResult {
  exitCode: 0 | 1;
  /** The report folder (`reportDir`, or reports/<run-id>/). */
  reportDir: string;
  /** report.json's content. */
  summary: ReportSummary;
  /** Every row's outcome, in row order, read from the report's outcomes.csv as it is iterated (each time anew). */
  outcomes: AsyncIterable<OutcomeRow>;
}

/** createSandbox's sandbox: where it listens, and how to stop it; what it holds and counts, for a test's checks. */
export interface SandboxHandle {
  /** `http://127.0.0.1:PORT`: the `apiHost` to give. */
  url: string;
  port: number;
  /** Closes it; resolves once it no longer listens. */
  stop(): Promise<void>;
  customers: Sandbox['customers'];
  stats: Sandbox['stats'];
  setFaults: Sandbox['setFaults'];
}
