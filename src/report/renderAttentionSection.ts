import { escapeHtml } from './escapeHtml.js';
import { formatCount } from './formatCount.js';
import type { HtmlReport } from './htmlReportTypes.js';
import { KIND_COLORS } from './pageWording.js';
import { renderFilterBar } from './renderFilterBar.js';
import { splitRowIdentity } from './rowIdentity.js';
import { NEEDS_ATTENTION } from './topReasons.js';

/**
 * The rows needing attention (rejected, conflict, failed): their most common problems, the values that rejected most
 * rows, and the first `rowLimit` rows, each shown by its username or, without one, by the values that identify it.
 */
export function* renderAttentionSection({
  attention,
  reasons,
  rejectedValues,
  rowLimit,
}: HtmlReport): Generator<string> {
  yield '<section id="attention">\n<h2>Rows needing attention</h2>\n';
  if (attention.total === 0) {
    yield '<p class="empty">None. No row was rejected, in conflict or failed.</p>\n</section>\n';
    return;
  }
  yield `<h3>Most common problems</h3>
<p class="sub">Similar problems are grouped: <code>"…"</code> stands for a value from the file and <code>#</code> for a row number, a run or a length.</p>
<table class="reasons"><thead><tr><th>Problem</th><th class="num">Rows</th><th class="num">For example, row</th></tr></thead><tbody>
`;
  for (const reason of reasons) {
    yield `<tr><td>${escapeHtml(reason.reason)}</td><td class="num">${formatCount(reason.count)}</td><td class="num">${reason.example}</td></tr>\n`;
  }
  yield '</tbody></table>\n';
  if (rejectedValues.length > 0) {
    yield `<h3>Values that rejected rows</h3>
<p class="sub">The same value in many rows is usually one fix: a mapping file's <code>values</code> entry, or one correction in the export.</p>
<table class="values" id="rejected-values"><thead><tr><th>Value</th><th class="num">Rows</th><th class="num">For example, row</th></tr></thead><tbody>
`;
    for (const value of rejectedValues) {
      yield `<tr><td><code>${escapeHtml(value.field)}</code> “${escapeHtml(value.value)}” <span class="times">×${formatCount(value.rows)}</span></td><td class="num">${formatCount(value.rows)}</td><td class="num">${value.example}</td></tr>\n`;
    }
    yield '</tbody></table>\n';
  }
  const outcomes = [...NEEDS_ATTENTION].filter((kind) => attention.rows.some((row) => row.outcome === kind));
  yield `<h3>The rows</h3>
<p class="sub">Row numbers count the file's data rows from 1; line numbers are lines of the file as a text editor shows them (the header is line 1). A row with no username is shown by its email, names and keys.</p>
${renderFilterBar('attention-rows', 'rows', [{ attribute: 'data-outcome', label: 'Outcome', every: 'every outcome', options: outcomes.map((kind) => [kind, kind]) }])}
<div class="scroll"><table class="rows" id="attention-rows"><thead><tr><th class="num">Row</th><th class="num">Line</th><th>Username</th><th>Outcome</th><th>Reason</th></tr></thead><tbody>
`;
  for (const outcome of attention.rows.slice(0, rowLimit)) {
    const { reason, identity } = splitRowIdentity(outcome.reason);
    const who =
      outcome.username !== ''
        ? escapeHtml(outcome.username)
        : identity !== undefined
          ? `<span class="who">${escapeHtml(identity)}</span>`
          : '<span class="none">no username</span>';
    yield `<tr data-outcome="${outcome.outcome}"><td class="num">${outcome.row}</td><td class="num">${outcome.line}</td><td>${who}</td><td><span class="tag" style="--c:${KIND_COLORS[outcome.outcome]}">${escapeHtml(outcome.outcome)}</span></td><td>${escapeHtml(outcome.username === '' ? reason : outcome.reason)}</td></tr>\n`;
  }
  yield '</tbody></table></div>\n';
  if (attention.total > rowLimit) {
    yield `<p class="note">Showing the first ${formatCount(rowLimit)} of ${formatCount(attention.total)} rows needing attention. The full list is in <a href="outcomes.csv">outcomes.csv</a> (every row) and <a href="rejects.csv">rejects.csv</a> (these rows, with their original columns).</p>\n`;
  }
  yield '</section>\n';
}
