import fs from 'node:fs';
import yargs from 'yargs';
import { SECRET_VARIABLES } from '../api/prepareRun.js';
import { AbortError, UsageError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { OPTION_SPECS } from '../options/index.js';
import { createScrubber } from '../shared/createScrubber.js';
import { escapeControl } from '../shared/escapeControl.js';
import { doctor } from './commands/doctor.js';
import { explain } from './commands/explain.js';
import { report } from './commands/report.js';
import { runs } from './commands/runs.js';
import { sandbox } from './commands/sandbox.js';
import { sync } from './commands/sync.js';
import { undo } from './commands/undo.js';
import { validate } from './commands/validate.js';
import { type CliCommand, createCliContext, exitCodeOfError } from './context.js';
import { explainParseFailure } from './explainParseFailure.js';
import { earlyLogFormat } from './runOptions.js';

/** The commands, in the order messages list them. */
const COMMANDS: readonly CliCommand[] = [sync, validate, doctor, runs, report, explain, undo, sandbox];

/** Every command with the flags it takes, for messages about a flag that is unknown or belongs elsewhere. */
const COMMAND_FLAGS: ReadonlyMap<string, readonly string[]> = new Map(COMMANDS.map((c) => [nameOf(c), c.flags]));

/**
 * yargs → options → a command → exit code (SPEC §2). The only place that calls process.exit.
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
  const log = createLogger({ stream: process.stderr, format: earlyLogFormat(argv, env), scrubber });
  const cli = createCliContext({ argv, env, scrubber, log, signals, onSignal });
  /** The command yargs is parsing, for messages about its flags. */
  let parsing: string | undefined;
  let exitCode = 0;

  let parser = yargs([...argv])
    .scriptName('customer-sync')
    .usage('$0 <command> [options]\n\nKeeps Fluent Commerce OMS customers in step with a CSV export.');
  for (const command of COMMANDS) {
    parser = parser.command(
      command.usage,
      command.describe,
      (y) => {
        parsing = nameOf(command);
        return command.build(y);
      },
      async (args) => {
        exitCode = await command.run(args, cli);
      },
    );
  }
  parser = parser
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
    return reportError(error, cli.log, env);
  }
}

function nameOf(command: CliCommand): string {
  return command.usage.split(' ')[0] as string;
}

/** The package's version, for --version; read at run time so a build never states another. */
function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * One line on stderr and the exit code; only a broken invariant shows more, and its stack only with
 * CUSTOMER_SYNC_DEBUG set (at debug level, so with --verbose).
 */
function reportError(error: unknown, log: Logger, env: NodeJS.ProcessEnv): number {
  if (error instanceof UsageError || error instanceof AbortError) {
    log.error(error.message);
    return exitCodeOfError(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  log.error(`unexpected error: ${message} (please report this with the command you ran)`);
  if (env.CUSTOMER_SYNC_DEBUG) log.debug(String((error as Error).stack));
  return exitCodeOfError(error);
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
