import type { ReportSummary } from '../report/reportTypes.js';
import { NEEDS_ATTENTION } from '../report/topReasons.js';

/**
 * How many rows of a finished run need a person (SPEC §2): those rejected, in conflict or failed; for an undo, the
 * customers it could not wholly put back (created ones, changed since, refused), which its summary counts.
 */
export function countNeedingAttention(summary: Pick<ReportSummary, 'totals' | 'incomplete'>): number {
  if (summary.incomplete !== undefined) return summary.incomplete;
  let rows = 0;
  for (const kind of NEEDS_ATTENTION) rows += summary.totals[kind];
  return rows;
}

/**
 * The exit code of a run that got as far as its report (SPEC §2), the one rule for sync, dry run, validate, undo and a
 * merge of shards: 3 when it stopped early (its report is partial), 1 when rows need attention, else 0. A run refused
 * before its report (exit 2) never has a summary.
 */
export function exitCodeOf(summary: Pick<ReportSummary, 'status' | 'totals' | 'incomplete'>): 0 | 1 | 3 {
  if (summary.status === 'aborted') return 3;
  return countNeedingAttention(summary) > 0 ? 1 : 0;
}
