import type { ResolvedOptions } from '../options/index.js';
import type { RunDependencies, RunResult } from './runTypes.js';

export type { RunDependencies, RunResult } from './runTypes.js';

/**
 * `sync FILE` (with or without `--dry-run`) and `validate FILE` (SPEC §2): the job on the run skeleton (run/runJob),
 * read → normalise → check → plan → apply → report. Returns the exit code of a run that finished (0, or 1 when rows
 * need attention); throws UsageError (exit 2) or AbortError (exit 3, the partial report written).
 */
export async function runSync(options: ResolvedOptions, deps: RunDependencies): Promise<RunResult> {
  // Only the job that runs is loaded: validate never loads the OMS client, the send loop or the sandbox.
  const [{ runJob }, job] = await Promise.all([
    import('./runJob.js'),
    options.command === 'validate'
      ? import('./jobs/validateJob.js').then(({ validateJob }) => validateJob(options))
      : import('./jobs/syncJob.js').then(({ syncJob }) => syncJob(options, deps.credentials)),
  ]);
  return runJob(job, options, deps);
}
