import yargs, { type Argv } from 'yargs';
import { createScrubber } from './createScrubber.js';
import { AbortError, UsageError } from './errors.js';
import { escapeControl } from './escapeControl.js';
import { readCredentials } from './fluent/credentials.js';
import { PASSWORD_CREDENTIAL_VARIABLES, TOKEN_CREDENTIAL_VARIABLE } from './fluent/errors.js';
import { createLogger, type Logger } from './log.js';
import { type Command, OPTION_SPECS, type OptionName, type RawOptions, resolveOptions } from './options.js';
import { runSync } from './run-sync.js';
import { loadSeed } from './sandbox/loadSeed.js';
import { parseFaults } from './sandbox/parseFaults.js';
import { parseSandboxFlags } from './sandbox/parseSandboxFlags.js';
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

/** What `doctor` needs to know: where, who for, and what a sync would be allowed to do. */
const DOCTOR_OPTIONS: readonly OptionName[] = [
  'api-host',
  'retailer-id',
  'rate',
  'concurrency',
  'allow-scoped-login',
  'sandbox',
  'sandbox-seed',
  'verbose',
  'quiet',
  'log-format',
];

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
  /** Options from flags, env and job file; the logger follows them. */
  const prepare = (command: Command, args: Record<string, unknown>) => {
    const options = resolveOptions({
      command,
      // yargs reads a lone `-` as an empty string; `-` is standard input (SPEC §2).
      file: command === 'doctor' ? '' : args.file === '' && argv.includes('-') ? '-' : String(args.file),
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
    // validate needs none, so an incomplete set only matters to the commands that talk to Fluent.
    const credentials = command === 'validate' ? undefined : readCredentials(env);
    return { options, credentials, accountId: env.FLUENT_ACCOUNT_ID || undefined };
  };

  const runCommand = async (command: 'sync' | 'validate', args: Record<string, unknown>) => {
    const { options, credentials, accountId } = prepare(command, args);
    // The first signal stops the run gracefully; a second one leaves at once (the checkpoint stays consistent).
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const result = await runSync(options, {
      log,
      out: process.stdout,
      progressStream: process.stderr,
      credentials,
      accountId,
      redactKey: env.FLUENT_REDACT_KEY || undefined,
      scrubber,
      signal: signals.signal,
      exitCodeOf,
    });
    exitCode = result.exitCode;
  };

  const runDoctorCommand = async (args: Record<string, unknown>) => {
    const { options, credentials, accountId } = prepare('doctor', args);
    // Loaded on demand: sync and validate never need it.
    const { runDoctor } = await import('./doctor/runDoctor.js');
    exitCode = await runDoctor(options, { log, out: process.stdout, credentials, accountId, scrubber });
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
      'doctor',
      'check, without writing anything, that a sync can run: host, token, login, permissions, retailer, a lookup',
      (y) =>
        withRunOptions(y, DOCTOR_OPTIONS).option('dry-run', {
          type: 'boolean',
          describe: 'check only what a dry run needs (CUSTOMER_VIEW)',
        }),
      (args) => runDoctorCommand(args),
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
          ...parseSandboxFlags(args),
          out: process.stdout,
        });
      },
    )
    .command(
      'report',
      'report --merge DIR... --report-dir OUT: combine the reports of the shards of one file into one for the whole file',
      (y) =>
        y
          .option('merge', {
            type: 'string',
            array: true,
            requiresArg: true,
            demandOption: true,
            describe: "the report folders (--report-dir) of all N shards of one file's --shard K/N runs",
          })
          .option('report-dir', {
            type: 'string',
            requiresArg: true,
            demandOption: true,
            describe: 'folder for the merged report (created owner-only)',
          }),
      async (args) => {
        // Loaded on demand: only a merge needs it. Exit codes as a whole run's: 0, 1 rows need attention, 3 partial.
        const { mergeReports } = await import('./report/mergeReports.js');
        const { formatSummary } = await import('./report/formatSummary.js');
        const merged = mergeReports(args.merge as string[], String(args['report-dir']), { scrubber });
        const shards = merged.summary.mergedFrom?.length ?? 0;
        const text = `merged the reports of ${shards} shards\n${formatSummary(merged.summary, merged.reportDir)}`;
        process.stdout.write(escapeControl(scrubber.scrub(text), '\n'));
        exitCode = merged.exitCode;
      },
    )
    .demandCommand(1, 'name a command: sync, validate, doctor or sandbox')
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

/** Options of OPTION_SPECS as yargs flags (all of them, or `only` those), without defaults so flag > env > job file > default holds. */
function withRunOptions<T>(y: Argv<T>, only?: readonly OptionName[]): Argv<T> {
  let out = (only ? y : y.positional('file', { type: 'string', describe: 'the CSV file' })) as unknown as Argv<T>;
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [OptionName, (typeof OPTION_SPECS)[OptionName]][]) {
    if (name === 'dry-run' || (only && !only.includes(name))) continue;
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
  // How strict the account is (SPEC §6): each makes the sandbox behave as some real Fluent account may.
  return out
    .option('retailers', {
      type: 'string',
      requiresArg: true,
      describe: 'retailer ids that exist, comma-separated (default 1,2,3; the seed adds its own)',
    })
    .option('login-scope', {
      type: 'string',
      requiresArg: true,
      describe: "where the login's customer role holds: account (default) or retailer:ID",
    })
    .option('missing-permission', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'a permission the login lacks (repeatable); what needs it fails with C0020E',
    })
    .option('lookup-match', {
      type: 'string',
      choices: ['exact', 'ci', 'like'],
      describe: 'how customers(username:, ref:) match: exact (default), ci (any case), like (SQL LIKE)',
    })
    .option('unique-ci', { type: 'boolean', describe: 'refuse a case variant of a username of the same retailer' })
    .option('rate-limit-as-error', {
      type: 'boolean',
      describe: 'answer rate limiting as HTTP 200 with a C0011E error instead of 429',
    }) as unknown as Argv<T>;
}

/** The flags the user actually typed, by option name (yargs also adds camelCase twins, which are skipped). */
function pickFlags(args: Record<string, unknown>): RawOptions {
  const flags: RawOptions = {};
  for (const name of Object.keys(OPTION_SPECS) as OptionName[]) {
    if (args[name] !== undefined) flags[name] = args[name];
  }
  return flags;
}

/** The exit code an error ends the process with (SPEC §2): our errors carry theirs; anything unexpected is 3. */
function exitCodeOf(error: unknown): number {
  return error instanceof UsageError || error instanceof AbortError ? error.exitCode : 3;
}

/** One line on stderr and the exit code; only a broken invariant shows more, and still no stack unless --verbose. */
function reportError(error: unknown, log: Logger): number {
  if (error instanceof UsageError || error instanceof AbortError) {
    log.error(error.message);
    return exitCodeOf(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  log.error(`unexpected error: ${message} (please report this with the command you ran)`);
  if (process.env.CUSTOMER_SYNC_DEBUG) log.debug(String((error as Error).stack));
  return exitCodeOf(error);
}

// A run that stalls with nothing left to wait for would let Node end the process quietly with exit 0: a broken
// invariant must never look like success to a cron job.
const onStall = () => {
  process.stderr.write('error: the run stopped making progress (please report this with the command you ran)\n');
  process.exit(3);
};
process.once('beforeExit', onStall);
const code = await main(process.argv.slice(2), process.env);
process.off('beforeExit', onStall);
process.exitCode = code;
// Flush stdout/stderr, then leave even if a library left a handle open.
process.stdout.write('', () => process.exit(code));
