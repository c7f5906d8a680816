import type { NormalisationRule, OutcomeKind, RunMode } from '../types.js';
import { NORMALISATION_RULES, OUTCOME_KINDS } from '../types.js';
import { describeOutcome } from './describeOutcome.js';
import { escapeHtml } from './escapeHtml.js';
import { formatCount } from './formatCount.js';
import { formatDuration } from './formatDuration.js';
import type { HtmlReport } from './htmlReportTypes.js';
import { formatTimestamp, KIND_COLORS, MODE_TITLES, plural, RULE_WORDS } from './pageWording.js';
import { renderAttentionSection } from './renderAttentionSection.js';
import { renderChangesSection } from './renderChangesSection.js';
import { renderDetailsSection } from './renderDetailsSection.js';
import { renderOutcomeChart } from './renderOutcomeChart.js';
import { renderReviewSection } from './renderReviewSection.js';
import { renderThroughputChart } from './renderThroughputChart.js';
import { REPORT_PAGE_SCRIPT, REPORT_PAGE_SCRIPT_HASH } from './reportPageScript.js';
import { REPORT_PAGE_STYLE } from './reportPageStyle.js';
import type { ReportSummary } from './reportTypes.js';

/** Outcomes each mode can produce, in the order the page lists them. */
const KINDS_BY_MODE: Readonly<Record<RunMode, readonly OutcomeKind[]>> = {
  apply: ['created', 'updated', 'unchanged', 'duplicate', 'rejected', 'conflict', 'failed', 'skipped'],
  'dry-run': ['created', 'updated', 'unchanged', 'duplicate', 'rejected', 'conflict', 'failed', 'skipped'],
  validate: ['valid', 'duplicate', 'rejected', 'skipped'],
};

/**
 * The report page, one self-contained HTML document (inline CSS and SVG, no remote asset; one small inline script,
 * for the search boxes and filters, allowed by its hash in a CSP meta tag that makes the browser refuse any other),
 * yielded in pieces so its tables of up to 10,000 rows each stream to disk. Without the script every row is shown
 * and the filters stay hidden. Every value from the input is escaped. Written for a data owner: plain words, the
 * numbers first, what needs doing next.
 */
export function* renderReportHtml(report: HtmlReport): Generator<string> {
  const { summary } = report;
  const title = `${MODE_TITLES[summary.mode]} report · ${summary.runId}`;
  yield `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '${REPORT_PAGE_SCRIPT_HASH}'">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${REPORT_PAGE_STYLE}</style>
</head>
<body>
<main>
`;
  yield renderHeading(report);
  yield renderCards(summary);
  yield renderOutcomesSection(summary);
  yield* renderAttentionSection(report);
  if (report.review !== null) yield* renderReviewSection(summary.mode, report.review, report.rowLimit);
  if (report.changes !== null) yield* renderChangesSection(summary.mode, report.changes, report.rowLimit);
  if (summary.normalised) yield renderNormalisedSection(summary.normalised);
  yield renderSpeedSection(report);
  yield renderFilesSection(summary, report.review !== null);
  yield renderDetailsSection(summary);
  yield `<footer>Made by customer-sync. The same totals are in report.json, for scripts.</footer>
</main>
<script>${REPORT_PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function renderHeading({ summary, attention }: HtmlReport): string {
  const { mode, totals } = summary;
  const aborted = summary.status === 'aborted';
  const lead = {
    apply: aborted
      ? 'The customers in this file were being synced with the OMS when the run stopped.'
      : 'The customers in this file were synced with the OMS.',
    'dry-run':
      'This was a rehearsal: nothing was changed in the OMS. The numbers show what a real sync of this file would do.',
    validate: 'The file was checked on its own. The OMS was not contacted, so nothing was created or changed.',
  }[mode];
  const banners: string[] = [];
  if (aborted) {
    const reason = summary.abortReason ? `: ${escapeHtml(summary.abortReason)}` : '.';
    banners.push(
      `<div class="banner bad"><strong>This run stopped early${reason}</strong><br>The numbers cover only the rows handled before it stopped. Running the same command again resumes where it stopped.</div>`,
    );
  }
  if (attention.total > 0) {
    banners.push(
      `<div class="banner warn"><strong>${formatCount(attention.total)} ${plural(attention.total, 'row needs', 'rows need')} attention.</strong> ${plural(attention.total, 'It is', 'They are')} listed below, and in <a href="rejects.csv">rejects.csv</a> with ${plural(attention.total, 'its', 'their')} original columns: fix ${plural(attention.total, 'it', 'them')} there, then run that file again.</div>`,
    );
  } else if (totals.read === 0) {
    banners.push('<div class="banner neutral">The file had no data rows, so there was nothing to do.</div>');
  } else if (!aborted) {
    banners.push('<div class="banner good"><strong>Every row was handled.</strong> Nothing needs attention.</div>');
  }
  return `<header class="top">
<p class="eyebrow">Customer sync report</p>
<h1>${MODE_TITLES[mode]} <span class="run">run ${escapeHtml(summary.runId)}</span></h1>
<p class="meta"><span class="pill ${aborted ? 'bad' : 'ok'}">${aborted ? 'Stopped early' : 'Completed'}</span>
<span>${escapeHtml(baseName(summary.input.path))}</span><span>${escapeHtml(formatTimestamp(summary.startedAt))}</span><span>took ${formatDuration(summary.durationMs)}</span></p>
<p class="lead">${lead}</p>
${banners.join('\n')}
</header>
`;
}

function renderCards(summary: ReportSummary): string {
  const { mode, totals } = summary;
  const cards = [
    `<div class="card" style="--c:#343a40"><div class="big">${formatCount(totals.read)}</div><div class="what">${plural(totals.read, 'row', 'rows')} read</div><div class="hint">Data rows in the file; the header is not counted.</div></div>`,
  ];
  for (const kind of shownKinds(mode, summary)) {
    const count = totals[kind];
    const words = describeOutcome(kind, mode, count, summary);
    cards.push(
      `<div class="card${count === 0 ? ' zero' : ''}" style="--c:${KIND_COLORS[kind]}"><div class="big">${formatCount(count)}</div><div class="what">${escapeHtml(words.phrase)}</div><div class="hint">${escapeHtml(words.hint)}</div></div>`,
    );
  }
  return `<div class="cards" aria-label="Totals">\n${cards.join('\n')}\n</div>\n`;
}

function renderOutcomesSection(summary: ReportSummary): string {
  const { mode, totals } = summary;
  const heading = mode === 'dry-run' ? 'What would happen to each row' : 'What happened to each row';
  const bars = shownKinds(mode, summary).map((kind) => ({
    label: describeOutcome(kind, mode, totals[kind]).label,
    count: totals[kind],
    color: KIND_COLORS[kind],
  }));
  const body =
    totals.read === 0 ? '<p class="empty">No rows were read.</p>' : renderOutcomeChart(bars, `${heading} (row counts)`);
  return `<section id="outcomes">\n<h2>${heading}</h2>\n${body}\n</section>\n`;
}

function renderNormalisedSection(normalised: Partial<Record<NormalisationRule, number>>): string {
  const rows = NORMALISATION_RULES.filter((rule) => (normalised[rule] ?? 0) > 0).map(
    (rule) =>
      `<tr><td>${escapeHtml(RULE_WORDS[rule])}</td><td class="num">${formatCount(normalised[rule] ?? 0)}</td></tr>`,
  );
  const body =
    rows.length === 0
      ? '<p class="empty">Nothing: every value was already in the form the OMS takes.</p>'
      : `<table class="normalised"><thead><tr><th>What was done</th><th class="num">Values</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
  return `<section id="normalised">
<h2>Read on the way in</h2>
<p class="sub">How the tool read values of the file into the form the OMS takes, counted over the rows it accepted. The changes above show each value as the file had it.</p>
${body}
</section>
`;
}

function renderSpeedSection({ summary, throughput }: HtmlReport): string {
  const chart = renderThroughputChart(throughput, 'Rows finished per second over the run');
  const seconds = summary.durationMs / 1000;
  const average =
    seconds > 0 && summary.totals.read > 0
      ? `${formatCount(summary.totals.read / seconds)} rows per second on average`
      : '';
  const body =
    chart === null
      ? '<p class="empty">The run was too short to draw its speed over time.</p>'
      : `${chart}\n<p class="sub">Rows finished per second, over the time the run took.</p>`;
  const { requests } = summary;
  const requestLine =
    summary.mode === 'validate'
      ? 'No requests: validation does not contact the OMS.'
      : `${formatCount(requests.graphql)} ${plural(requests.graphql, 'request', 'requests')} to the OMS (${formatCount(requests.effectiveRate)} per second), ${formatCount(requests.retries)} ${plural(requests.retries, 'retry', 'retries')}, ${formatCount(requests.rateLimited)} slowed down by the OMS's rate limit.`;
  return `<section id="speed">
<h2>Speed</h2>
<p>${formatCount(summary.totals.read)} ${plural(summary.totals.read, 'row', 'rows')} in ${formatDuration(summary.durationMs)}${average ? `: ${average}` : ''}. ${requestLine}</p>
${body}
</section>
`;
}

function renderFilesSection({ mode, missing }: ReportSummary, review: boolean): string {
  const files = [
    ['outcomes.csv', 'every row of the file, what happened to it and the customer id in the OMS'],
    ['rejects.csv', 'the rows needing attention, with their original columns plus _row and _reason: fix and run again'],
    ...(mode === 'validate'
      ? []
      : [['diff.csv', 'every changed field: username, field, before, after, and the cell as the file had it']]),
    ...(review
      ? [['review.csv', 'the values to check: row, username, field, the cell in the file, what was written, why']]
      : []),
    ...(missing === undefined
      ? []
      : [
          [
            'missing.csv',
            `the ${formatCount(missing.count)} ${plural(missing.count, 'customer', 'customers')} of this retailer in the OMS that the file does not hold${missing.complete ? '' : ' (the listing ended early, so there may be more)'}: username, id, primaryEmail`,
          ],
        ]),
    ['report.json', 'the totals, for scripts'],
  ];
  const items = files.map(([name, what]) => `<li><a href="${name}">${name}</a>: ${what}</li>`);
  return `<section id="files">
<h2>Files of this report</h2>
<p class="sub">They are in the same folder as this page. Open the CSV files in a spreadsheet.</p>
<ul class="files">
${items.join('\n')}
</ul>
</section>
`;
}

/** The mode's outcomes, plus any other outcome that occurred, so a total is never hidden. */
function shownKinds(mode: RunMode, summary: ReportSummary): OutcomeKind[] {
  const expected = KINDS_BY_MODE[mode];
  return OUTCOME_KINDS.filter((kind) => expected.includes(kind) || summary.totals[kind] !== 0).sort(
    (a, b) => rank(expected, a) - rank(expected, b),
  );
}

function rank(order: readonly OutcomeKind[], kind: OutcomeKind): number {
  const index = order.indexOf(kind);
  return index === -1 ? order.length : index;
}

function baseName(filePath: string): string {
  return filePath.split(/[\\/]/).at(-1) || filePath;
}
