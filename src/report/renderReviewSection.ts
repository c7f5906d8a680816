import type { ReviewLine, RunMode } from '../types.js';
import { escapeHtml } from './escapeHtml.js';
import { formatCount } from './formatCount.js';
import type { Excerpt } from './htmlReportTypes.js';
import { fieldLabel, formatValue, RULE_WORDS } from './pageWording.js';
import { renderFilterBar } from './renderFilterBar.js';

/** The values written (or that would be) on an assumption a person should confirm: review.csv's first lines. */
export function* renderReviewSection(mode: RunMode, review: Excerpt<ReviewLine>, rowLimit: number): Generator<string> {
  const verb = mode === 'apply' ? 'were written' : 'would be written';
  yield `<section id="review">\n<h2>Values to check</h2>\n`;
  if (review.total === 0) {
    yield '<p class="empty">None. No value was read on an assumption a person should confirm.</p>\n</section>\n';
    return;
  }
  yield `<p class="sub">These values ${verb}, but only on an assumption the file cannot confirm: a phone number read as a number of the default country, or one the phone numbering data does not know as issued. Check them; <a href="review.csv">review.csv</a> lists them all.</p>
${renderFilterBar('review-rows', 'values', [])}
<div class="scroll"><table class="rows" id="review-rows"><thead><tr><th class="num">Row</th><th>Username</th><th>Field</th><th>In the file</th><th>Written</th><th>Why to check</th></tr></thead><tbody>
`;
  for (const line of review.rows.slice(0, rowLimit)) {
    yield `<tr><td class="num">${line.row}</td><td>${escapeHtml(line.username)}</td><td>${escapeHtml(fieldLabel(line.field))}</td><td class="input">${formatValue(line.input)}</td><td class="after">${formatValue(line.written)}</td><td>${escapeHtml(RULE_WORDS[line.rule] ?? line.rule)}</td></tr>\n`;
  }
  yield '</tbody></table></div>\n';
  if (review.total > rowLimit) {
    yield `<p class="note">Showing the first ${formatCount(rowLimit)} of ${formatCount(review.total)} values to check. The full list is in <a href="review.csv">review.csv</a>.</p>\n`;
  }
  yield '</section>\n';
}
