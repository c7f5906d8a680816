import yargs, { type Argv } from 'yargs';
import { createScrubber } from './createScrubber.js';
import { AbortError, UsageError } from './errors.js';
import { readCredentials } from './fluent/credentials.js';
import { PASSWORD_CREDENTIAL_VARIABLES, TOKEN_CREDENTIAL_VARIABLE } from './fluent/errors.js';
import { createLogger, type Logger } from './log.js';
import { OPTION_SPECS, type OptionName, type RawOptions, resolveOptions } from './options.js';
import { runSync } from './run-sync.js';
import { loadSeed } from './sandbox/loadSeed.js';
import { parseFaults } from './sandbox/parseFaults.js';
import { readSandboxCredentials } from './sandbox/readSandboxCredentials.js';

/** Env variables whose values are masked in every output; FLUENT_REDACT_KEY keys --redact's masks. */
const SECRET_VARIABLES = [
  ...PASSWORD_CREDENTIAL_VARIABLES,
  TOKEN_CREDENTIAL_VARIABLE,
  'FLUENT_ACCOUNT_ID',
  'FLUENT_REDACT_KEY',
];

/** Fault flags of `customer-sync sandbox`, by the SandboxFaults field they set. */
const FAULT_FLAGS = {
  latency: { key: 'latencyMs', type: 'number', describe: 'ms added before every response' },
  'rate-limit': { key: 'rateLimitPerSecond', type: 'number', describe: 'GraphQL requests/s above which 429s come' },
  'retry-after': { key: 'retryAfterSeconds', type: 'number', describe: 'Retry-After seconds on 429s (default 1)' },
  'fail-429': { key: 'random429Rate', type: 'number', describe: 'share of GraphQL requests answered 429' },
  'fail-5xx': { key: 'random5xxRate', type: 'number', describe: 'share answered 5xx before executing' },
  'fail-5xx-after-commit': {
    key: 'random5xxAfterCommitRate',
    type: 'number',
    describe: 'share of mutations applied, then answered 5xx',
  },
  'cut-after-commit': {
    key: 'cutAfterCommitRate',
    type: 'number',
    describe: 'share of mutations applied, then the connection cut',
  },
  'refuse-mutation': {
    key: 'refuseMutationRate',
    type: 'number',
    describe: 'share of mutations refused with a GraphQL error (a data rule)',
  },
  'token-lifetime': { key: 'tokenLifetimeSeconds', type: 'number', describe: 'seconds a token lives (default 3600)' },
  'refresh-tokens': { key: 'issueRefreshTokens', type: 'boolean', describe: 'issue refresh tokens with grants' },
  'fault-seed': { key: 'seed', type: 'number', describe: 'seed of the fault sequence (repeatable runs)' },
} as const;

/**
 * yargs → resolveOptions → runSync → exit code (SPEC §2). The only place that calls process.exit.
 * Usage and input problems print one line and exit 2; an aborted run exits 3; no stack trace reaches a user.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Everything this process creates holds customers' PII: the checkpoint (and SQLite's -wal/-shm files, which it
  // creates on its own), the reports and their folders. Owner-only from the start, not chmod-ed afterwards.
  process.umask(0o077);
  const signals = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (signals.signal.aborted) process.exit(3);
    signals.abort(signal);
  };
  // Every credential value is masked in any output, even when the set is incomplete and so unusable.
  // The one scrubber of the run: the client adds every token it is granted, and every output path uses it.
  const scrubber = createScrubber(SECRET_VARIABLES.map((name) => env[name] ?? ''));
  let log: Logger = createLogger({ stream: process.stderr, format: 'text', scrubber });

  let exitCode = 0;
  const runCommand = async (command: 'sync' | 'validate', args: Record<string, unknown>) => {
    const options = resolveOptions({
      command,
      // yargs reads a lone `-` as an empty string; `-` is standard input (SPEC §2).
      file: args.file === '' && argv.includes('-') ? '-' : String(args.file),
      flags: pickFlags(args),
      env,
      config: args.config as string | undefined,
    });
    log = createLogger({
      stream: process.stderr,
      format: options.logFormat,
      verbose: options.verbose,
      quiet: options.quiet,
      scrubber,
    });
    // Fluent credentials are read apart from the options so a strict parser never sees them (SPEC §2);
    // validate needs none, so an incomplete set only matters to sync.
    const credentials = command === 'sync' ? readCredentials(env) : undefined;
    // The first signal stops the run gracefully; a second one leaves at once (the checkpoint stays consistent).
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const result = await runSync(options, {
      log,
      out: process.stdout,
      progressStream: process.stderr,
      credentials,
      accountId: env.FLUENT_ACCOUNT_ID || undefined,
      redactKey: env.FLUENT_REDACT_KEY || undefined,
      scrubber,
      signal: signals.signal,
    });
    exitCode = result.exitCode;
  };

  const parser = yargs([...argv])
    .scriptName('customer-sync')
    .usage('$0 <command> [options]\n\nKeeps Fluent Commerce OMS customers in step with a CSV export.')
    .command(
      'sync <file>',
      'read, normalise, check, plan and apply a CSV to Fluent, then write the report',
      (y) => withRunOptions(y).option('dry-run', { type: 'boolean', describe: OPTION_SPECS['dry-run'].describe }),
      (args) => runCommand('sync', args),
    )
    .command(
      'validate <file>',
      'read, normalise and check a CSV without any network; writes the report',
      (y) => withRunOptions(y),
      (args) => runCommand('validate', args),
    )
    .command(
      'sandbox',
      'serve a local Fluent-compatible OMS for trying the tool and for tests',
      (y) => withSandboxOptions(y),
      async (args) => {
        const faults = parseFaults(
          Object.fromEntries(
            Object.entries(FAULT_FLAGS)
              .filter(([flag]) => args[flag] !== undefined)
              .map(([flag, spec]) => [spec.key, args[flag]]),
          ),
        );
        if (!faults.ok) {
          // parseFaults names settings by their field; a person typed the flag.
          const message = Object.entries(FAULT_FLAGS).reduce(
            (m, [flag, spec]) => m.replace(spec.key, `--${flag}`),
            faults.message,
          );
          throw new UsageError(`sandbox: ${message}`);
        }
        // Loaded on demand, like the Fluent client: sync and validate start faster without graphql-js.
        const { serveSandbox } = await import('./sandbox/serveSandbox.js');
        await serveSandbox({
          port: args.port as number,
          seed: typeof args.seed === 'string' ? loadSeed(args.seed) : undefined,
          credentials: readSandboxCredentials(env),
          faults: faults.faults,
          out: process.stdout,
        });
      },
    )
    .demandCommand(1, 'name a command: sync, validate or sandbox')
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((message, error) => {
      throw error ?? new UsageError(`${message} (see customer-sync --help)`);
    });

  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    return reportError(error, log);
  }
}

/** Every run option of OPTION_SPECS as a yargs flag, without defaults so flag > env > job file > default holds. */
function withRunOptions<T>(y: Argv<T>): Argv<T> {
  let out = y.positional('file', { type: 'string', describe: 'the CSV file' }) as unknown as Argv<T>;
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [OptionName, (typeof OPTION_SPECS)[OptionName]][]) {
    if (name === 'dry-run') continue;
    out = out.option(name, {
      type: spec.type,
      describe: spec.describe,
      ...('default' in spec ? { defaultDescription: String(spec.default) } : {}),
      ...('choices' in spec ? { choices: spec.choices } : {}),
      requiresArg: spec.type !== 'boolean',
    }) as unknown as Argv<T>;
  }
  return out.option('config', {
    type: 'string',
    describe: 'job file (JSON, the same option names); flags and env win over it',
    requiresArg: true,
  }) as unknown as Argv<T>;
}

function withSandboxOptions<T>(y: Argv<T>): Argv<T> {
  let out = y
    .option('port', { type: 'number', default: 0, describe: 'port to listen on (0 = any free port)' })
    .option('seed', { type: 'string', describe: 'JSON array of customers (Customer fields plus retailerId)' });
  for (const [flag, spec] of Object.entries(FAULT_FLAGS)) {
    out = out.option(flag, { type: spec.type, describe: `fault: ${spec.describe}` }) as typeof out;
  }
  return out as unknown as Argv<T>;
}

/** The flags the user actually typed, by option name (yargs also adds camelCase twins, which are skipped). */
function pickFlags(args: Record<string, unknown>): RawOptions {
  const flags: RawOptions = {};
  for (const name of Object.keys(OPTION_SPECS) as OptionName[]) {
    if (args[name] !== undefined) flags[name] = args[name];
  }
  return flags;
}

/** One line on stderr and the exit code; only a broken invariant shows more, and still no stack unless --verbose. */
function reportError(error: unknown, log: Logger): number {
  if (error instanceof UsageError || error instanceof AbortError) {
    log.error(error.message);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  log.error(`unexpected error: ${message} (please report this with the command you ran)`);
  if (process.env.CUSTOMER_SYNC_DEBUG) log.debug(String((error as Error).stack));
  return 3;
}

const code = await main(process.argv.slice(2), process.env);
process.exitCode = code;
// Flush stdout/stderr, then leave even if a library left a handle open.
process.stdout.write('', () => process.exit(code));
