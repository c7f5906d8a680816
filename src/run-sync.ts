import type { ResolvedOptions } from './options.js';
import { syncJob } from './run/jobs/syncJob.js';
import { validateJob } from './run/jobs/validateJob.js';
import { runJob } from './run/runJob.js';
import type { RunDependencies, RunResult } from './run/runTypes.js';

export type { RunDependencies, RunResult } from './run/runTypes.js';

/**
 * `sync FILE` (with or without `--dry-run`) and `validate FILE` (SPEC §2): the job on the run skeleton (run/runJob),
 * read → normalise → check → plan → apply → report. Returns the exit code of a run that finished (0, or 1 when rows
 * need attention); throws UsageError (exit 2) or AbortError (exit 3, the partial report written).
 */
export function runSync(options: ResolvedOptions, deps: RunDependencies): Promise<RunResult> {
  const job = options.command === 'validate' ? validateJob(options) : syncJob(options, deps.credentials);
  return runJob(job, options, deps);
}
