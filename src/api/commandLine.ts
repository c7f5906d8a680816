import type { Logger } from '../log.js';
import type { RawOptions, ResolvedOptions } from '../options/index.js';
import type { Scrubber } from '../shared/createScrubber.js';

/**
 * How the command line runs on the package API's own functions (cli/commands/sync.ts, validate.ts): what it hands
 * them in place of a program's options and settings. The options are the flags typed, named `--flag` in messages; the
 * summary and progress go to the terminal; the logger follows the options once they are resolved; the signal is the
 * one SIGINT/SIGTERM abort.
 */
export interface CommandLine {
  /** The flags typed, by flag name (only those given). */
  flags: RawOptions;
  env: NodeJS.ProcessEnv;
  /** `--config`. */
  config: string | undefined;
  /** The process's one scrubber: it masks the env's secrets already, and learns the run's tokens. */
  scrubber: Scrubber;
  /** The logger for the run, once its options say how to log. */
  logger(options: ResolvedOptions): Logger;
  /** Where the end-of-run summary goes (stdout). */
  out: NodeJS.WritableStream;
  /** Where the progress line goes (stderr). */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  signal: AbortSignal;
}
