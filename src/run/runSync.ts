import type { ResolvedOptions } from '../options/index.js';
import { syncJob } from './jobs/syncJob.js';
import { validateJob } from './jobs/validateJob.js';
import { runJob } from './runJob.js';
import type { RunDependencies, RunResult } from './runTypes.js';

export type { RunDependencies, RunResult } from './runTypes.js';

/**
 * `sync FILE` (with or without `--dry-run`) and `validate FILE` (SPEC §2): the job on the run skeleton (run/runJob),
 * read → normalise → check → plan → apply → report. Returns the exit code of a run that finished (0, or 1 when rows
 * need attention); throws UsageError (exit 2) or AbortError (exit 3, the partial report written).
 */
export function runSync(options: ResolvedOptions, deps: RunDependencies): Promise<RunResult> {
  const job = options.command === 'validate' ? validateJob(options) : syncJob(options, deps.credentials);
  return runJob(job, options, deps);
}
