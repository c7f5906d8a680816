import type { FileRunResult, SyncFileOptions } from './apiTypes.js';
import type { CommandLine } from './commandLine.js';
import { runFile } from './runFile.js';

/**
 * `customer-sync sync FILE` as a function (SPEC §7): reads, normalises, checks, plans and applies the file to Fluent
 * and writes the report, with the command line's options (camelCase, same defaults and checks; `dryRun: true` for a
 * dry run) and the same guarantees: account-wide username uniqueness, the checkpoint (a re-run of an unchanged file
 * sends almost nothing; a stopped run resumes), the rate, verified writes. Credentials come from `credentials` or the
 * FLUENT_* environment. Nothing logs unless given a `logger`; nothing calls process.exit or installs a signal handler
 * (pass `signal` to stop it). Runs of this process on one checkpoint take it in turn.
 *
 * @returns the exit code (0, or 1 when rows need attention), the report folder, report.json's summary and the rows'
 *   outcomes
 * @throws UsageError (exitCode 2) for bad options, input or account, before any mutation; AbortError (exitCode 3)
 *   when the run stopped early (credentials refused, OMS unreachable, error rate, `signal`), its partial report written
 */
export function syncFile(options: SyncFileOptions): Promise<FileRunResult>;
/** @internal The command line's `sync`: its flags, outputs and signal stand for the options and settings. */
export function syncFile(options: { file: string }, commandLine: CommandLine): Promise<FileRunResult>;
export function syncFile(options: SyncFileOptions, commandLine?: CommandLine): Promise<FileRunResult> {
  return runFile('sync', options, commandLine);
}
