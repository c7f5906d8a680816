import { escapeControl } from '../shared/escapeControl.js';
import { OUTCOME_KINDS } from '../types.js';
import { describeOutcome } from './describeOutcome.js';
import { formatCount } from './formatCount.js';
import { formatDuration } from './formatDuration.js';
import type { ReportSummary } from './reportTypes.js';
import { NEEDS_ATTENTION } from './topReasons.js';

const MODE_NAMES = { apply: 'sync', 'dry-run': 'dry run', validate: 'validation' } as const;

const WRITE_MODE_NOTES = {
  'create-only': 'Create only: existing customers were left as they are',
  'update-only': 'Update only: no customer was created',
} as const;

/**
 * The few lines printed at the end of a run: what kind of run, how it ended, the totals that are not zero
 * (and rows read, always), the requests, and where the report is. Plain text without colours, so it reads
 * well in a cron mail as on a terminal. Every text from outside (the input's name, the report folder, the reason a
 * run stopped) has its control characters escaped here, one value at a time: a file named with an escape sequence
 * or a line break cannot retitle the terminal or fake a line of the summary.
 */
export function formatSummary(summary: ReportSummary, reportDirGiven: string): string {
  const { mode, totals } = summary;
  const reportDir = escapeControl(reportDirGiven);
  const ending =
    summary.status === 'aborted'
      ? `STOPPED EARLY after ${formatDuration(summary.durationMs)}${summary.abortReason ? `: ${escapeControl(summary.abortReason)}` : ''}`
      : `finished in ${formatDuration(summary.durationMs)}`;
  const name = summary.undoOf ? `undo of run ${escapeControl(summary.undoOf)},` : MODE_NAMES[mode];
  const lines = [`customer-sync ${name} ${escapeControl(summary.runId)} ${ending}`];
  if (mode === 'dry-run') lines.push('  Dry run: nothing was changed in the OMS.');
  const writeMode = summary.options.mode;
  if (mode !== 'validate' && (writeMode === 'create-only' || writeMode === 'update-only')) {
    lines.push(`  ${WRITE_MODE_NOTES[writeMode]} (--mode ${writeMode}).`);
  }
  const limit = summary.options.limit;
  const sample =
    // Read up to the limit: the file may hold more (whether the reader saw its end depends on read-ahead).
    typeof limit === 'number' && totals.read === limit ? ` (a sample: the first ${formatCount(limit)}, --limit)` : '';
  lines.push(
    `  ${formatCount(totals.read)} ${totals.read === 1 ? 'row' : 'rows'} read from ${escapeControl(summary.input.path)}${sample}`,
  );
  for (const kind of OUTCOME_KINDS) {
    const count = totals[kind];
    if (count !== 0) lines.push(`  ${formatCount(count)} ${describeOutcome(kind, mode, count, summary).phrase}`);
  }
  const notTaken = Object.entries(summary.notTakenAsSent ?? {});
  if (notTaken.length > 0) {
    const fields = notTaken.map(
      ([field, rows]) => `${escapeControl(field)} (${formatCount(rows)} ${rows === 1 ? 'row' : 'rows'})`,
    );
    lines.push(`  Fluent did not take values as sent: ${fields.join(', ')}; the reasons say what it holds`);
  }
  if (mode !== 'validate') {
    const { requests } = summary;
    lines.push(
      `  Requests: ${formatCount(requests.graphql)} GraphQL (${formatCount(requests.effectiveRate)}/s), ` +
        `${formatCount(requests.retries)} retried, ${formatCount(requests.rateLimited)} rate-limited`,
    );
  }
  const attention = OUTCOME_KINDS.filter((kind) => NEEDS_ATTENTION.has(kind)).reduce(
    (sum, kind) => sum + totals[kind],
    0,
  );
  if (attention > 0) {
    const rows = attention === 1 ? 'row needs' : 'rows need';
    lines.push(`  ${formatCount(attention)} ${rows} attention: see ${joinPath(reportDir, 'rejects.csv')}`);
  }
  if (summary.missing !== undefined) {
    const { count, complete } = summary.missing;
    const customers = count === 1 ? 'customer' : 'customers';
    lines.push(
      `  ${formatCount(count)} ${customers} of the retailer in the OMS not in the file${complete ? '' : ' (or more: the listing ended early)'}: see ${joinPath(reportDir, 'missing.csv')}`,
    );
  }
  if (summary.status === 'aborted') lines.push('  Run the same command again to resume where it stopped.');
  lines.push(`  Report: ${joinPath(reportDir, 'report.html')}`);
  return `${lines.join('\n')}\n`;
}

/** Joins for display only, keeping the folder as the user wrote it (relative stays relative). */
function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir.replace(/[\\/]+$/, '')}/${name}`;
}
