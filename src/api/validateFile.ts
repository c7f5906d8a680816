import type { FileRunResult, ValidateFileOptions } from './apiTypes.js';
import type { CommandLine } from './commandLine.js';
import { runFile } from './runFile.js';

/**
 * `customer-sync validate FILE` as a function (SPEC §7): reads, normalises and checks the file and finds in-file
 * duplicates, with no network and no checkpoint, and writes the report; every row that passes is `valid`. The
 * options are the command line's (camelCase, same defaults and checks).
 *
 * @returns the exit code (0, or 1 when rows were rejected), the report folder, the summary and the rows' outcomes
 * @throws UsageError (exitCode 2) for bad options or input; AbortError (exitCode 3) when stopped by `signal`
 */
export function validateFile(options: ValidateFileOptions): Promise<FileRunResult>;
/** @internal The command line's `validate`: its flags, outputs and signal stand for the options and settings. */
export function validateFile(options: { file: string }, commandLine: CommandLine): Promise<FileRunResult>;
export function validateFile(options: ValidateFileOptions, commandLine?: CommandLine): Promise<FileRunResult> {
  return runFile('validate', options, commandLine);
}
