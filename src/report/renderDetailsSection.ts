import { escapeHtml } from './escapeHtml.js';
import { formatCount } from './formatCount.js';
import { formatDuration } from './formatDuration.js';
import { formatTimestamp, MODE_TITLES, plural } from './pageWording.js';
import type { ReportSummary } from './reportTypes.js';

const DELIMITER_NAMES: Readonly<Record<string, string>> = {
  ',': 'comma',
  ';': 'semicolon',
  '\t': 'tab',
  '|': 'vertical bar',
};

/** The run's particulars for whoever checks it later: the file, its fingerprint, times, requests, the settings used. */
export function renderDetailsSection(summary: ReportSummary): string {
  const { input } = summary;
  const details: [string, string][] = [
    ['Run', escapeHtml(summary.runId)],
    ['Kind of run', `${MODE_TITLES[summary.mode]} (<code>${escapeHtml(summary.mode)}</code>)`],
    [
      'Status',
      summary.status === 'aborted'
        ? `Stopped early${summary.abortReason ? `: ${escapeHtml(summary.abortReason)}` : ''}`
        : 'Completed',
    ],
    ['Input file', `<code>${escapeHtml(input.path)}</code>`],
    ['File size', formatBytes(input.bytes)],
    ['File fingerprint (SHA-256)', `<code>${escapeHtml(input.sha256)}</code>`],
    ['Column separator', escapeHtml(DELIMITER_NAMES[summary.delimiter] ?? `“${summary.delimiter}”`)],
    [
      'Columns not used',
      summary.unmappedColumns.length === 0
        ? 'none: every column was used'
        : summary.unmappedColumns.map((column) => `<code>${escapeHtml(column)}</code>`).join(', '),
    ],
    ['Started', escapeHtml(formatTimestamp(summary.startedAt))],
    ['Finished', escapeHtml(formatTimestamp(summary.finishedAt))],
    ['Duration', formatDuration(summary.durationMs)],
  ];
  if (summary.mode !== 'validate') {
    const { requests } = summary;
    details.push(
      ['Requests to the OMS', formatCount(requests.graphql)],
      ['Requests per second', formatCount(requests.effectiveRate)],
      ['Retries', formatCount(requests.retries)],
      ['Slowed down by rate limit', formatCount(requests.rateLimited)],
    );
  }
  const rows = details.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('\n');
  const settings = Object.entries(summary.options)
    .map(
      ([name, value]) =>
        `<tr><td><code>${escapeHtml(name)}</code></td><td>${escapeHtml(formatSetting(value))}</td></tr>`,
    )
    .join('\n');
  return `<section id="details">
<h2>Run details</h2>
<dl class="details">
${rows}
</dl>
<details><summary>Settings used</summary>
<table class="settings"><tbody>
${settings || '<tr><td class="empty">none recorded</td></tr>'}
</tbody></table>
</details>
</section>
`;
}

function formatSetting(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

function formatBytes(bytes: number): string {
  const exact = `${formatCount(bytes)} ${plural(bytes, 'byte', 'bytes')}`;
  if (bytes < 1024) return exact;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]} (${exact})`;
}
