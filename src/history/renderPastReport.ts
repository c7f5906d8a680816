import type { RunHistory } from '../checkpoint/runHistory.js';
import type { RunJournal } from '../checkpoint/runJournal.js';
import type { Scrubber } from '../createScrubber.js';
import { UsageError } from '../errors.js';
import { prepareReportDir } from '../report/prepareReportDir.js';
import { redactContent } from '../report/redactContent.js';
import type { ReportContent, ReportSummary } from '../report/reportTypes.js';
import { writeReport } from '../report/writeReport.js';

/** What a run recorded to re-render its report with (see run-sync's startRun). */
interface RunContext {
  header?: string[];
  phoneColumns?: number[];
}

/**
 * `report CHECKPOINT --run ID` (SPEC §2): writes a past run's report files again, from the checkpoint alone, into
 * `reportDir` — the same files as the run wrote (the throughput chart excepted: it was never stored).
 */
export function renderPastReport(
  input: { history: RunHistory; journal: Pick<RunJournal, 'outcomes' | 'rejects' | 'diffs'> },
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
  const context = (run.context ?? {}) as RunContext;
  const content: ReportContent = {
    summary,
    header: context.header ?? [],
    phoneColumns: new Set(context.phoneColumns ?? []),
    outcomes: () => input.journal.outcomes(runId),
    rejects: () => input.journal.rejects(runId),
    diffs: () => input.journal.diffs(runId),
    throughput: [],
  };
  return writeReport(reportDir, options.redact ? redactContent(content, options.redactKey) : content, {
    scrubber: options.scrubber,
  });
}
