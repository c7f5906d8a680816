import fs from 'node:fs';
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { createScrubber } from './createScrubber.js';
import { AbortError, UsageError } from './errors.js';
import { escapeControl } from './escapeControl.js';
import { explainParseFailure } from './explainParseFailure.js';
import { type Credentials, readCredentials } from './fluent/credentials.js';
import { PASSWORD_CREDENTIAL_VARIABLES, TOKEN_CREDENTIAL_VARIABLE } from './fluent/errors.js';
import { explainUsername, formatExplanation } from './history/explainUsername.js';
import { formatRuns } from './history/formatRuns.js';
import { renderPastReport } from './history/renderPastReport.js';
import { createLogger, type Logger } from './log.js';
import {
  type Command,
  envName,
  OPTION_SPECS,
  type OptionName,
  type RawOptions,
  resolveOptions,
  VALIDATE_OPTIONS,
} from './options.js';
import { type RunDependencies, runSync } from './run-sync.js';
import { loadSeed } from './sandbox/loadSeed.js';
import { parseFaults } from './sandbox/parseFaults.js';
import { parseSandboxFlags } from './sandbox/parseSandboxFlags.js';
import { parseVariantFlags, SANDBOX_VARIANT_FLAGS } from './sandbox/parseVariantFlags.js';
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
  'batch',
  'concurrency',
  'allow-scoped-login',
  'sandbox',
  'sandbox-seed',
  'verbose',
  'quiet',
  'log-format',
];

/** What the history commands read: the checkpoint, and how to log. */
const HISTORY_OPTIONS: readonly OptionName[] = ['checkpoint', 'verbose', 'quiet', 'log-format'];

/** What an undo needs: where, the checkpoint, the report, and the pace. */
const UNDO_OPTIONS: readonly OptionName[] = [
  'api-host',
  'retailer-id',
  'checkpoint',
  'report-dir',
  'rate',
  'concurrency',
  'redact',
  'keep-runs',
  'verbose',
  'quiet',
  'log-format',
];

/** The flags of `customer-sync sandbox` besides its fault flags. */
const SANDBOX_FLAGS = [
  'port',
  'seed',
  'retailers',
  'login-scope',
  'missing-permission',
  'lookup-match',
  'unique-ci',
  'rate-limit-as-error',
];

/** Every command with the flags it takes, for messages about a flag that is unknown or belongs elsewhere. */
const COMMAND_FLAGS: ReadonlyMap<string, readonly string[]> = new Map([
  ['sync', [...Object.keys(OPTION_SPECS), 'config']],
  ['validate', [...VALIDATE_OPTIONS, 'config']],
  ['doctor', [...DOCTOR_OPTIONS, 'dry-run', 'config']],
  ['runs', [...HISTORY_OPTIONS, 'json']],
  ['report', [...HISTORY_OPTIONS, 'report-dir', 'redact', 'run', 'merge']],
  ['explain', [...HISTORY_OPTIONS, 'json']],
  ['undo', [...UNDO_OPTIONS, 'dry-run', 'config']],
  ['sandbox', [...SANDBOX_FLAGS, ...Object.keys(FAULT_FLAGS), ...Object.keys(SANDBOX_VARIANT_FLAGS)]],
]);

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
  scrubStray = scrubber.scrub;
  // Until the options are resolved, a problem with them is still logged in the format asked for.
  let log: Logger = createLogger({ stream: process.stderr, format: earlyLogFormat(argv, env), scrubber });
  /** The command yargs is parsing, for messages about its flags. */
  let parsing: string | undefined;

  let exitCode = 0;
  /** Options from flags, env and job file; the logger follows them. */
  const prepare = (command: Command, args: Record<string, unknown>) => {
    const warnings: string[] = [];
    const options = resolveOptions({
      command,
      // yargs reads a lone `-` as an empty string; `-` is standard input (SPEC §2).
      file:
        command !== 'sync' && command !== 'validate'
          ? ''
          : args.file === '' && argv.includes('-')
            ? '-'
            : String(args.file),
      flags: pickFlags(args),
      env,
      config: args.config as string | undefined,
      warn: (message) => warnings.push(message),
    });
    log = createLogger({
      stream: process.stderr,
      format: options.logFormat,
      verbose: options.verbose,
      quiet: options.quiet,
      scrubber,
    });
    for (const warning of warnings) log.warn(warning);
    // Fluent credentials are read apart from the options so a strict parser never sees them (SPEC §2);
    // validate needs none, so an incomplete set only matters to the commands that talk to Fluent.
    const credentials = command === 'validate' ? undefined : readCredentials(env);
    return { options, credentials, accountId: env.FLUENT_ACCOUNT_ID || undefined };
  };

  /**
   * What a run that writes (sync, validate, undo) is given; from here on the first signal stops it gracefully and a
   * second one leaves at once (the checkpoint stays consistent).
   */
  const runDependencies = (credentials: Credentials | undefined, accountId: string | undefined): RunDependencies => {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return {
      log,
      out: process.stdout,
      progressStream: process.stderr,
      credentials,
      accountId,
      redactKey: env.FLUENT_REDACT_KEY || undefined,
      scrubber,
      signal: signals.signal,
      exitCodeOf,
    };
  };

  const runCommand = async (command: 'sync' | 'validate', args: Record<string, unknown>) => {
    const { options, credentials, accountId } = prepare(command, args);
    exitCode = (await runSync(options, runDependencies(credentials, accountId))).exitCode;
  };

  const runDoctorCommand = async (args: Record<string, unknown>) => {
    const { options, credentials, accountId } = prepare('doctor', args);
    // Loaded on demand: sync and validate never need it.
    const { runDoctor } = await import('./doctor/runDoctor.js');
    exitCode = await runDoctor(options, { log, out: process.stdout, credentials, accountId, scrubber });
  };

  /** `runs`, `explain` and `report --run`: read the checkpoint's history, write nothing to it. */
  const runHistoryCommand = async (kind: 'runs' | 'explain' | 'report', args: Record<string, unknown>) => {
    const flags = typeof args.checkpoint === 'string' ? args : { ...args, checkpoint: undefined };
    const { options } = prepare('history', flags);
    const { openCheckpointForReading } = await import('./checkpoint/openCheckpoint.js');
    const store = openCheckpointForReading(options.checkpoint);
    try {
      if (kind === 'runs') {
        const runs = store.history.listRuns();
        process.stdout.write(args.json ? `${JSON.stringify(scrubber.scrubValue(runs), null, 2)}\n` : formatRuns(runs));
      } else if (kind === 'explain') {
        const explanation = explainUsername(store.history, String(args.username));
        process.stdout.write(
          args.json ? `${JSON.stringify(scrubber.scrubValue(explanation), null, 2)}\n` : formatExplanation(explanation),
        );
      } else {
        if (typeof args.run !== 'string') {
          throw new UsageError(
            "report needs --run ID (a past run of the checkpoint) or --merge DIR... (the reports of a job's shards)",
          );
        }
        const runId = args.run;
        const reportDir = options.reportDir ?? path.join('reports', runId);
        renderPastReport(store, runId, reportDir, {
          scrubber,
          redact: options.redact,
          redactKey: env.FLUENT_REDACT_KEY || undefined,
        });
        log.info(`the report of run ${runId} is in ${reportDir}`);
      }
    } finally {
      store.close();
    }
  };

  /** `report --merge DIR... --report-dir OUT`: the shards' reports of one file as one. */
  const runMergeCommand = async (args: Record<string, unknown>) => {
    if (args.run !== undefined) throw new UsageError('report takes --run or --merge, not both');
    if (typeof args['report-dir'] !== 'string') {
      throw new UsageError('report --merge needs --report-dir OUT, the folder for the merged report');
    }
    // Loaded on demand: only a merge needs it. Exit codes as a whole run's: 0, 1 rows need attention, 3 partial.
    const { mergeReports } = await import('./report/mergeReports.js');
    const { formatSummary } = await import('./report/formatSummary.js');
    const merged = mergeReports(args.merge as string[], args['report-dir'], { scrubber });
    const shards = merged.summary.mergedFrom?.length ?? 0;
    const text = `merged the reports of ${shards} shards\n${formatSummary(merged.summary, merged.reportDir)}`;
    process.stdout.write(escapeControl(scrubber.scrub(text), '\n'));
    exitCode = merged.exitCode;
  };

  const runUndoCommand = async (args: Record<string, unknown>) => {
    const { options, credentials, accountId } = prepare('undo', args);
    const { runUndo } = await import('./undo/runUndo.js');
    exitCode = (await runUndo(String(args['run-id']), options, runDependencies(credentials, accountId))).exitCode;
  };

  const parser = yargs([...argv])
    .scriptName('customer-sync')
    .usage('$0 <command> [options]\n\nKeeps Fluent Commerce OMS customers in step with a CSV export.')
    .command(
      'sync <file>',
      'read, normalise, check, plan and apply a CSV to Fluent, then write the report',
      (y) => {
        parsing = 'sync';
        return withRunOptions(y).option('dry-run', { type: 'boolean', describe: OPTION_SPECS['dry-run'].describe });
      },
      (args) => runCommand('sync', args),
    )
    .command(
      'validate <file>',
      'read, normalise and check a CSV without any network; writes the report',
      (y) => {
        parsing = 'validate';
        return withRunOptions(y, VALIDATE_OPTIONS);
      },
      (args) => runCommand('validate', args),
    )
    .command(
      'doctor',
      'check, without writing anything, that a sync can run: host, token, login, permissions, retailer, a lookup',
      (y) => {
        parsing = 'doctor';
        return withRunOptions(y, DOCTOR_OPTIONS, false).option('dry-run', {
          type: 'boolean',
          describe: 'check only what a dry run needs (CUSTOMER_VIEW)',
        });
      },
      (args) => runDoctorCommand(args),
    )
    .command(
      'runs',
      'list the runs the checkpoint keeps, newest first, with their totals',
      (y) => {
        parsing = 'runs';
        return withRunOptions(y, HISTORY_OPTIONS).option('json', {
          type: 'boolean',
          describe: 'print JSON for scripts',
        });
      },
      (args) => runHistoryCommand('runs', args),
    )
    .command(
      'explain <username>',
      'what every run kept in the checkpoint did with one customer, and why',
      (y) => {
        parsing = 'explain';
        return withRunOptions(y, HISTORY_OPTIONS)
          .positional('username', { type: 'string', describe: 'the username (compared without regard to case)' })
          .option('json', { type: 'boolean', describe: 'print JSON for scripts' });
      },
      (args) => runHistoryCommand('explain', args),
    )
    .command(
      'report [checkpoint]',
      "write a past run's report again from the checkpoint (--run ID), or merge the shards' reports of one file (--merge DIR...)",
      (y) => {
        parsing = 'report';
        return withRunOptions(y, [...HISTORY_OPTIONS, 'report-dir', 'redact'])
          .positional('checkpoint', { type: 'string', describe: 'the checkpoint (or --checkpoint)' })
          .option('run', { type: 'string', describe: 'the run id (see customer-sync runs)', requiresArg: true })
          .option('merge', {
            type: 'string',
            array: true,
            requiresArg: true,
            describe: "the report folders (--report-dir) of all N shards of one file's --shard K/N runs",
          });
      },
      (args) => (args.merge ? runMergeCommand(args) : runHistoryCommand('report', args)),
    )
    .command(
      'undo <run-id>',
      'put back what a run changed, where the OMS still holds what it set; lists the customers it created',
      (y) => {
        parsing = 'undo';
        return withRunOptions(y, UNDO_OPTIONS)
          .positional('run-id', { type: 'string', describe: 'the run to undo (see customer-sync runs)' })
          .option('dry-run', { type: 'boolean', describe: 'look up and plan, send nothing; the report is the diff' });
      },
      (args) => runUndoCommand(args),
    )
    .command(
      'sandbox',
      'serve a local Fluent-compatible OMS for trying the tool and for tests',
      (y) => {
        parsing = 'sandbox';
        return withSandboxOptions(y);
      },
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
          ...parseVariantFlags(args, argv),
          out: process.stdout,
        });
      },
    )
    .demandCommand(1, `name a command: ${[...COMMAND_FLAGS.keys()].join(', ')}`)
    .strict()
    .help()
    .alias('help', 'h')
    .version('version', 'show the version', `customer-sync ${readVersion()}`)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // Errors of our own (a command's UsageError, an AbortError) pass as they are; yargs' are explained in one line.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(
        explainParseFailure(message ?? error?.message ?? '', {
          argv,
          command: parsing,
          commands: COMMAND_FLAGS,
          describe: (flag) => (OPTION_SPECS as Record<string, { describe: string }>)[flag]?.describe,
        }),
      );
    });

  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    return reportError(error, log);
  }
}

/**
 * Options of OPTION_SPECS as yargs flags (all of them, or `only` those), without defaults so flag > env > job file >
 * default holds. Values are left to resolveOptions to check: yargs would turn `--rate fast` into NaN and refuse a bad
 * choice in several lines, where resolveOptions says in one what was given and what is allowed.
 */
function withRunOptions<T>(y: Argv<T>, only?: readonly OptionName[], withFile = true): Argv<T> {
  let out = (withFile
    ? y.positional('file', { type: 'string', describe: 'the CSV, .csv.gz or .xlsx file, or - for stdin' })
    : y) as unknown as Argv<T>;
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [OptionName, (typeof OPTION_SPECS)[OptionName]][]) {
    if (name === 'dry-run' || (only && !only.includes(name))) continue;
    out = out.option(name, {
      // Numbers stay as typed (yargs still reads digits as a number), so a bad one is quoted back as given.
      ...(spec.type === 'number' ? {} : { type: spec.type }),
      describe: `${spec.describe}${'choices' in spec ? ` (one of: ${spec.choices.join(', ')})` : ''} [${envName(name)}]`,
      ...('default' in spec ? { defaultDescription: String(spec.default) } : {}),
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
  // The variants Fluent's docs leave open (SPEC §6).
  for (const [flag, spec] of Object.entries(SANDBOX_VARIANT_FLAGS)) out = out.option(flag, spec) as typeof out;
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

/** The package's version, for --version; read at run time so a build never states another. */
function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** --log-format from the flags or env, looked at before yargs runs, so even a usage error comes as a JSON line. */
function earlyLogFormat(argv: readonly string[], env: NodeJS.ProcessEnv): 'text' | 'json' {
  const at = argv.indexOf('--log-format');
  const flag = at === -1 ? argv.find((a) => a.startsWith('--log-format='))?.slice(13) : argv[at + 1];
  return (flag ?? env[envName('log-format')]) === 'json' ? 'json' : 'text';
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

/** The run's scrubber, once main has made it, for errors that reach no code of ours. */
let scrubStray = (text: string) => text;

// A run that stalls with nothing left to wait for would let Node end the process quietly with exit 0: a broken
// invariant must never look like success to a cron job.
const onStall = () => {
  process.stderr.write('error: the run stopped making progress (please report this with the command you ran)\n');
  process.exit(3);
};
process.once('beforeExit', onStall);
// An error a library throws outside any call of ours (an event with no listener) would print a stack and exit 1,
// which reads as "rows need attention": one line and exit 3 instead; the checkpoint is consistent at every commit.
const onStray = (error: unknown) => {
  const message = escapeControl(scrubStray(error instanceof Error ? error.message : String(error)));
  process.stderr.write(`error: unexpected error: ${message} (please report this with the command you ran)\n`);
  process.exit(3);
};
process.on('uncaughtException', onStray);
process.on('unhandledRejection', onStray);
const code = await main(process.argv.slice(2), process.env);
process.off('beforeExit', onStall);
process.exitCode = code;
// Flush stdout/stderr, then leave even if a library left a handle open.
process.stdout.write('', () => process.exit(code));
