import { UsageError } from '../errors.js';
import { maskHookUrl } from '../ops/maskHookUrl.js';
import type { WriteMode } from '../types.js';
import {
  flagName,
  layerOptions,
  type NameGiven,
  type OptionLayers,
  type PickedValue,
  type RawOptions,
} from './layering.js';
import type { OptionName } from './specs.js';
import {
  asBoolean,
  type CheckContext,
  checkValue,
  type LogFormat,
  type OnDuplicate,
  type OptionValue,
  type PhoneExtension,
  type Shard,
} from './values.js';

/**
 * The commands that take the run options: `history` stands for runs, report and explain, which read the checkpoint
 * and need nothing else.
 */
export type Command = 'sync' | 'validate' | 'doctor' | 'undo' | 'history';

/**
 * Everything a run needs to know, all defaults filled: every option, as sync takes them all. Passed down explicitly,
 * never mutated. What each other command takes is its slice (slices.ts); this object fits every slice.
 */
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
  /** `doctor --probe-rate`: also find the account's rate limit, with lookups only. */
  readonly probeRate: boolean;
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

/** What resolveOptions is given: the command, its file, the flags typed, the env, `--config`. */
export interface ResolveInput<C extends Command = Command> {
  command: C;
  file: string;
  /** Only the flags the user actually gave, by flag name. */
  flags: RawOptions;
  env: NodeJS.ProcessEnv;
  config?: string;
  /** Hears of a value that was corrected (an --api-host ending in /graphql). */
  warn?: (message: string) => void;
  /**
   * How messages name an option given in `flags` (`--rate` by default; the package API's `options.rate`), and
   * whether the caller takes it at all: undefined for one it does not, so no message suggests it.
   */
  nameGiven?: (option: OptionName) => string | undefined;
  /** Options the caller does not take (the package API's ensureCustomers): read from no source, defaults hold. */
  ignore?: readonly OptionName[];
}

/**
 * Layers the sources (flag > env > job file > default) and checks every value; a bad one is a UsageError naming the
 * option, where it came from, what was given and what is allowed, in one line. Options that contradict each other
 * (`--sandbox` with an `--api-host`, `--verbose` with `--quiet`) are refused naming both, whichever sources they came
 * from; what the command needs (an OMS and a retailer to sync) is refused when missing. Credentials are not options:
 * they are read apart, from env only (fluent/credentials.ts), and never enter this object.
 */
export function resolveOptions<C extends Command>(input: ResolveInput<C>): ResolvedOptions & { readonly command: C } {
  const named = input.nameGiven;
  const nameGiven: NameGiven = named ? (option) => named(option) ?? flagName(option) : flagName;
  const layers = layerOptions({ ...input, nameGiven });
  const value = <N extends OptionName>(name: N, context?: CheckContext): OptionValue<N> | undefined =>
    layers.get(name, (given, source) => checkValue(name, given, source, context));
  const flag = (name: OptionName): boolean => layers.get(name, asBoolean) ?? false;

  // Checked in this order, so a command line with several problems hears of the same one first as it always did.
  const rate = value('rate') as number | 'auto';
  const batch = value('batch') as number;
  const concurrency = value('concurrency') as number;
  const maxErrorRate = value('max-error-rate') as number;
  const keepRuns = value('keep-runs') as number;
  const limit = value('limit');
  const mode = value('mode') as WriteMode;
  const onDuplicate = value('on-duplicate') as OnDuplicate;
  const logFormat = value('log-format') as LogFormat;
  const defaultCountry = value('default-country');
  const phoneExtension = value('phone-extension') as PhoneExtension;
  const encoding = value('encoding') as string;
  const apiHost = value('api-host', { warn: input.warn });
  const retailerId = value('retailer-id');
  const shard = value('shard');
  const sandbox = flag('sandbox');
  const dryRun = flag('dry-run');
  const verbose = flag('verbose');
  const quiet = flag('quiet');
  checkCommand(input.command, layers, { apiHost, retailerId, sandbox, verbose, quiet }, named ?? flagName);

  return Object.freeze({
    command: input.command,
    file: input.file,
    dryRun,
    apiHost: apiHost?.replace(/\/+$/, ''),
    retailerId,
    mapping: value('mapping'),
    checkpoint: value('checkpoint') as string,
    reportDir: value('report-dir'),
    rate,
    batch,
    concurrency,
    onDuplicate,
    usernameTemplate: value('username-template') as string,
    defaultCountry,
    phoneExtension,
    allowFormulaValues: flag('allow-formula-values'),
    sheet: value('sheet'),
    shard,
    maxErrorRate,
    fullCompare: flag('full-compare'),
    allowEmpty: flag('allow-empty'),
    encoding,
    redact: flag('redact'),
    keepRuns,
    mode,
    limit,
    allowScopedLogin: flag('allow-scoped-login'),
    probeRate: flag('probe-rate'),
    reportMissing: flag('report-missing'),
    metricsFile: value('metrics-file', { shard }),
    pushgateway: value('pushgateway'),
    notifyUrl: value('notify-url'),
    sandbox,
    sandboxSeed: value('sandbox-seed'),
    verbose,
    quiet,
    logFormat,
    config: layers.configPath,
  });
}

/** What a command needs and what cannot go together, whichever sources the options came from. */
function checkCommand(
  command: Command,
  layers: OptionLayers,
  options: Pick<ResolvedOptions, 'apiHost' | 'retailerId' | 'sandbox' | 'verbose' | 'quiet'>,
  name: (option: OptionName) => string | undefined,
): void {
  const { apiHost, retailerId, sandbox } = options;
  const say = (option: OptionName) => name(option) ?? flagName(option);
  if (options.verbose && options.quiet) refuseTogether(layers.pick('verbose'), layers.pick('quiet'), 'pick one');
  // validate sends nothing, so a shared job file naming a host does not stop it.
  if (command !== 'validate' && sandbox && apiHost !== undefined) {
    refuseTogether(
      layers.pick('sandbox'),
      layers.pick('api-host'),
      '--sandbox runs against an in-process OMS, not a host; drop one of them',
    );
  }
  if (command === 'sync' || command === 'doctor') {
    if (apiHost === undefined && !sandbox) {
      const trySandbox = name('sandbox') === undefined ? '' : `, or ${name('sandbox')} to try it locally`;
      throw new UsageError(`no OMS to sync with: pass ${say('api-host')} (or FLUENT_API_HOST)${trySandbox}`);
    }
    if (retailerId === undefined) {
      throw new UsageError(`${say('retailer-id')} (or FLUENT_RETAILER_ID) is required for sync`);
    }
  }
  if (command === 'undo' && apiHost === undefined) {
    throw new UsageError(`undo needs the OMS the run synced with: pass ${say('api-host')} (or FLUENT_API_HOST)`);
  }
}

/** Two options that cannot go together, named with where each came from. */
function refuseTogether(a: PickedValue | undefined, b: PickedValue | undefined, what: string): never {
  throw new UsageError(`${a?.source} and ${b?.source} cannot be used together: ${what}`);
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
