import type { Argv } from 'yargs';
import type { CommandLine } from '../api/commandLine.js';
import { exitCodeOfError } from '../errors.js';
import { type Credentials, readCredentials } from '../fluent/credentials.js';
import { createLogger, type Logger } from '../log.js';
import { type Command, type ResolvedOptions, resolveOptions } from '../options/index.js';
import type { RunDependencies } from '../run/runSync.js';
import type { Scrubber } from '../shared/createScrubber.js';
import { pickFlags } from './runOptions.js';

/** A command's arguments as yargs parsed them, by flag name (camelCase twins too). */
export type CliArgs = Record<string, unknown>;

/** One command of the command line: its yargs set-up and what it runs. */
export interface CliCommand {
  /** yargs' command string: the name and its positionals, `sync <file>`. */
  readonly usage: string;
  readonly describe: string;
  /** Every flag it takes, without dashes, for messages about a flag that is unknown or belongs to another command. */
  readonly flags: readonly string[];
  build<T>(y: Argv<T>): Argv<T>;
  /** Runs the command; resolves to the exit code. Usage problems are thrown as UsageError. */
  run(args: CliArgs, cli: CliContext): Promise<number>;
}

/** What a command that talks to Fluent is given besides its options. */
export interface Prepared<C extends Command> {
  options: ResolvedOptions & { readonly command: C };
  credentials: Credentials | undefined;
  accountId: string | undefined;
}

/** What every command is given: the process's arguments, env and outputs, and the run's one scrubber and logger. */
export interface CliContext {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly out: NodeJS.WritableStream;
  /** Masks credentials and granted tokens in every output. */
  readonly scrubber: Scrubber;
  /** The logger: in the format asked for, and once a command has resolved its options, as they say. */
  readonly log: Logger;
  /** FLUENT_REDACT_KEY: keys --redact's masks so they stay the same across runs. */
  readonly redactKey: string | undefined;
  /** Resolves `command`'s options from its flags, env and job file, and makes the logger follow them. */
  prepare<C extends Command>(command: C, args: CliArgs): Prepared<C>;
  /**
   * What a run that writes (sync, validate, undo) is given; from here on the first signal stops it gracefully and a
   * second one leaves at once (the checkpoint stays consistent).
   */
  runDependencies(prepared: Prepared<Command>): RunDependencies;
  /**
   * What the package API's syncFile and validateFile are given by `sync` and `validate`: the flags, env and job file,
   * the outputs, the logger once the options are resolved, and the signal (as runDependencies, from here on).
   */
  commandLine(args: CliArgs): CommandLine;
}

export { exitCodeOfError } from '../errors.js';

/**
 * The context of one command line. `log` starts in the format the flags or env ask for, so even a usage error comes as
 * a JSON line; `signals` is aborted by the first SIGINT/SIGTERM once a run has started.
 */
export function createCliContext(input: {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  scrubber: Scrubber;
  log: Logger;
  signals: AbortController;
  onSignal: (signal: NodeJS.Signals) => void;
}): CliContext {
  const { argv, env, scrubber } = input;
  let log = input.log;
  const redactKey = env.FLUENT_REDACT_KEY || undefined;
  /** From here on the logger logs as the resolved options say. */
  const followOptions = (options: ResolvedOptions): Logger => {
    log = createLogger({
      stream: process.stderr,
      format: options.logFormat,
      verbose: options.verbose,
      quiet: options.quiet,
      scrubber,
    });
    return log;
  };
  return {
    argv,
    env,
    out: process.stdout,
    scrubber,
    get log() {
      return log;
    },
    redactKey,
    prepare(command, args) {
      const warnings: string[] = [];
      const options = resolveOptions({
        command,
        // sync and validate, which read a file, run on the package API (commandLine).
        file: '',
        flags: pickFlags(args),
        env,
        config: args.config as string | undefined,
        warn: (message) => warnings.push(message),
      });
      followOptions(options);
      for (const warning of warnings) log.warn(warning);
      // Fluent credentials are read apart from the options so a strict parser never sees them (SPEC §2);
      // validate needs none, so an incomplete set only matters to the commands that talk to Fluent.
      const credentials = command === 'validate' ? undefined : readCredentials(env);
      return { options, credentials, accountId: env.FLUENT_ACCOUNT_ID || undefined };
    },
    commandLine(args) {
      process.on('SIGINT', input.onSignal);
      process.on('SIGTERM', input.onSignal);
      return {
        flags: pickFlags(args),
        env,
        config: args.config as string | undefined,
        scrubber,
        logger: followOptions,
        out: process.stdout,
        progress: process.stderr,
        signal: input.signals.signal,
      };
    },
    runDependencies(prepared) {
      process.on('SIGINT', input.onSignal);
      process.on('SIGTERM', input.onSignal);
      return {
        log,
        out: process.stdout,
        progressStream: process.stderr,
        credentials: prepared.credentials,
        accountId: prepared.accountId,
        redactKey,
        scrubber,
        signal: input.signals.signal,
        exitCodeOf: exitCodeOfError,
      };
    },
  };
}
