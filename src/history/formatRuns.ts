import type { RunRecord } from '../checkpoint/runHistory.js';
import type { ReportSummary } from '../report/reportTypes.js';
import { escapeControl } from '../shared/escapeControl.js';
import { OUTCOME_KINDS } from '../types.js';

const COLUMNS = OUTCOME_KINDS;

/** One line per run, newest first, with the totals its report.json holds (`runs`, SPEC §2). Plain text for people. */
export function formatRuns(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'no runs in this checkpoint yet\n';
  const header = ['run', 'started', 'mode', 'status', 'retailer', 'read', ...COLUMNS, 'input'];
  const rows = runs.map((run) => {
    const totals = (run.summary as Partial<ReportSummary> | null)?.totals;
    return [
      run.runId,
      run.startedAt.replace(/\.\d+Z$/, 'Z'),
      run.mode,
      run.status,
      run.retailerId ?? '',
      totals ? String(totals.read) : '',
      ...COLUMNS.map((kind) => (totals ? String(totals[kind] ?? 0) : '')),
      escapeControl(run.inputPath),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
