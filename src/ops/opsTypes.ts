/**
 * What the end-of-run hooks (metrics file, Pushgateway, webhook) know about a run that ended, however it ended.
 * Here, apart from the hooks, so each of them reads one plain value.
 */
import type { Shard } from '../options/index.js';
import type { ReportSummary } from '../report/reportTypes.js';
import type { RunMode } from '../types.js';

/** How a run ended, from its exit code: 0 and 1 finished (1: rows need attention), 2 was refused, 3 aborted. */
export type RunStatus = 'completed' | 'refused' | 'aborted';

/** How the hooks name a run's mode: a sync's (apply, dry-run, validate), or an undo's. */
export type HookMode = RunMode | 'undo' | 'undo-dry-run';

export interface RunEnd {
  /** Undefined when the run ended before it had one (options or input refused at the start). */
  runId: string | undefined;
  mode: HookMode;
  /** `--retailer-id`; undefined in a validate run without one. */
  retailerId: string | undefined;
  /** `--shard K/N`, when the run is one shard of a job. */
  shard: Shard | undefined;
  /** The process's exit code, as the command line decides it (SPEC §2). */
  exitCode: number;
  startedAt: Date;
  finishedAt: Date;
  /** The report's summary, when the run got as far as one (finished or aborted runs). */
  summary: ReportSummary | undefined;
  /** The report's folder, when a report was written there. */
  reportDir: string | undefined;
  /** The one-line message of the error that ended the run (exit 2 or 3); already free of secrets. */
  error: string | undefined;
}

/** The status of a run by its exit code. */
export function statusOf(exitCode: number): RunStatus {
  if (exitCode === 0 || exitCode === 1) return 'completed';
  return exitCode === 2 ? 'refused' : 'aborted';
}
