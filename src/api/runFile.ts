import { UsageError } from '../errors.js';
import { runSync } from '../run/runSync.js';
import type { FileRunResult } from './apiTypes.js';
import type { CommandLine } from './commandLine.js';
import { prepareRun } from './prepareRun.js';
import { queueOnCheckpoint } from './queueOnCheckpoint.js';
import { readOutcomes } from './readOutcomes.js';

/**
 * syncFile and validateFile, and the command line's `sync` and `validate` on them (SPEC §2, §7): the options prepared
 * (prepareRun), the job run on the run skeleton (runSync), a sync in turn with this process's other runs on its
 * checkpoint, and the result with the report's outcomes to iterate.
 *
 * @throws UsageError (exit 2) before any request; AbortError (exit 3) once the partial report is written
 */
export async function runFile(
  command: 'sync' | 'validate',
  given: unknown,
  commandLine: CommandLine | undefined,
): Promise<FileRunResult> {
  const name = command === 'sync' ? 'syncFile' : 'validateFile';
  if (given === null || typeof given !== 'object') {
    throw new UsageError(`${name} takes an object of options: {file, ...}`);
  }
  const { file } = given as { file?: unknown };
  if (typeof file !== 'string' || file === '') {
    throw new UsageError(`${name}: options.file must name the file to read (a CSV, .csv.gz or .xlsx path, or -)`);
  }
  const { options, deps } = prepareRun({ name, command }, given as Record<string, unknown>, file, commandLine);
  const run = () => runSync(options, deps);
  const result = command === 'sync' ? await queueOnCheckpoint(options.checkpoint, run) : await run();
  if (result.reportDir === null) throw new Error(`${name}: the run wrote no report`);
  return {
    exitCode: result.exitCode,
    reportDir: result.reportDir,
    summary: result.summary,
    outcomes: readOutcomes(result.reportDir),
  };
}
