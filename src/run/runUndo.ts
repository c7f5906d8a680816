import type { ResolvedOptions } from '../options/index.js';
import { undoJob } from './jobs/undoJob.js';
import { runJob } from './runJob.js';
import type { RunDependencies, RunResult } from './runTypes.js';

/**
 * `undo RUN [--dry-run]` (SPEC §2): puts back what a sync run changed, as a job on the run skeleton (run/jobs/undoJob).
 * Exit 0 when all was put back, 1 when some could not be; throws UsageError (exit 2) or AbortError (exit 3).
 */
export function runUndo(targetRunId: string, options: ResolvedOptions, deps: RunDependencies): Promise<RunResult> {
  return runJob(undoJob(targetRunId, options, deps.credentials), options, deps);
}
