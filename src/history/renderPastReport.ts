import type { RunHistory } from '../checkpoint/runHistory.js';
import type { InputContext, RunJournal } from '../checkpoint/runJournal.js';
import { UsageError } from '../errors.js';
import { listReviewLines } from '../report/listReviewLines.js';
import { prepareReportDir } from '../report/prepareReportDir.js';
import { redactContent } from '../report/redactContent.js';
import type { ReportContent, ReportSummary } from '../report/reportTypes.js';
import { writeReport } from '../report/writeReport.js';
import type { Scrubber } from '../shared/createScrubber.js';

/** The values that rejected most rows, as many as a run's page lists. */
const REJECTED_VALUES_SHOWN = 20;

/**
 * `report CHECKPOINT --run ID` (SPEC §2): writes a past run's report files again, from the checkpoint alone, into
 * `reportDir` — the same files as the run wrote (the throughput chart excepted: it was never stored). A run that
 * normalised a file (not an undo) has its review.csv again; one recorded before review notes were kept has an empty
 * one.
 */
export function renderPastReport(
  input: {
    history: RunHistory;
    journal: Pick<RunJournal, 'outcomes' | 'rejects' | 'diffs' | 'reviewRows' | 'rejectedValues'>;
  },
  runId: string,
  reportDir: string,
  options: { scrubber: Scrubber; redact: boolean; redactKey: string | undefined },
): { files: string[] } {
  const run = input.history.getRun(runId);
  if (!run) {
    const kept = input.history
      .listRuns()
      .slice(0, 3)
      .map((r) => r.runId);
    throw new UsageError(
      `run ${runId} is not in this checkpoint${kept.length > 0 ? ` (the newest: ${kept.join(', ')})` : ''}; \`customer-sync runs\` lists them`,
    );
  }
  const summary = run.summary as ReportSummary | null;
  if (!summary) {
    throw new UsageError(
      `run ${runId} never finished (${run.status}), so it has no report; the run that took over its checkpoint finished its rows`,
    );
  }
  prepareReportDir(reportDir);
  const context = (run.context ?? {}) as InputContext;
  const content: ReportContent = {
    summary,
    header: context.header ?? [],
    phoneColumns: new Set(context.phoneColumns ?? []),
    outcomes: () => input.journal.outcomes(runId),
    rejects: () => input.journal.rejects(runId),
    diffs: () => input.journal.diffs(runId),
    // An undo normalises no file: it wrote no review.csv.
    review: context.undoOf === undefined ? () => listReviewLines(input.journal.reviewRows(runId)) : undefined,
    rejectedValues: () => input.journal.rejectedValues(runId, REJECTED_VALUES_SHOWN),
    throughput: [],
  };
  return writeReport(reportDir, options.redact ? redactContent(content, options.redactKey) : content, {
    scrubber: options.scrubber,
  });
}
