import crypto from 'node:crypto';
import type {
  ChangedField,
  CustomerField,
  DiffLine,
  NormalisationRule,
  OutcomeKind,
  RejectedValueCount,
  ReviewLine,
  RowOutcome,
  RunMode,
} from '../types.js';
import { CUSTOMER_FIELDS, NORMALISATION_RULES, OUTCOME_KINDS } from '../types.js';
import { describeOutcome } from './describeOutcome.js';
import { escapeHtml } from './escapeHtml.js';
import { formatCount } from './formatCount.js';
import { formatDuration } from './formatDuration.js';
import { renderOutcomeChart } from './renderOutcomeChart.js';
import { renderThroughputChart } from './renderThroughputChart.js';
import type { ReportSummary, ThroughputPoint } from './reportTypes.js';
import { splitRowIdentity } from './rowIdentity.js';
import type { ReasonCount } from './topReasons.js';

/** The first rows of a long list, and how long the whole list is. */
export interface Excerpt<T> {
  rows: T[];
  total: number;
}

/** One changed customer: its diff lines, one per changed field. */
export interface ChangedCustomer {
  username: string;
  row: number | undefined;
  changes: DiffLine[];
}

/** The first changed customers, how many there are, and how many field changes of each field in all. */
export interface ChangeExcerpt extends Excerpt<ChangedCustomer> {
  /** diff.csv's lines: field changes of every customer. */
  lines: number;
  byField: ReadonlyMap<ChangedField, number>;
}

export interface HtmlReport {
  summary: ReportSummary;
  reasons: readonly ReasonCount[];
  /** Rejected, conflict and failed rows. */
  attention: Excerpt<RowOutcome>;
  /** `null` in validate mode, which compares nothing with the OMS. */
  changes: ChangeExcerpt | null;
  /** review.csv's lines; `null` when the report has none (an undo). */
  review: Excerpt<ReviewLine> | null;
  /** The values that rejected most rows, most first. */
  rejectedValues: readonly RejectedValueCount[];
  throughput: readonly ThroughputPoint[];
  /** The most rows a table shows (`rows` may already be cut to it). */
  rowLimit: number;
}

/** Outcomes each mode can produce, in the order the page lists them. */
const KINDS_BY_MODE: Readonly<Record<RunMode, readonly OutcomeKind[]>> = {
  apply: ['created', 'updated', 'unchanged', 'duplicate', 'rejected', 'conflict', 'failed', 'skipped'],
  'dry-run': ['created', 'updated', 'unchanged', 'duplicate', 'rejected', 'conflict', 'failed', 'skipped'],
  validate: ['valid', 'duplicate', 'rejected', 'skipped'],
};

const KIND_COLORS: Readonly<Record<OutcomeKind, string>> = {
  created: '#2f9e44',
  updated: '#1c7ed6',
  unchanged: '#868e96',
  duplicate: '#ae8a5e',
  rejected: '#e03131',
  conflict: '#9c36b5',
  failed: '#e8590c',
  skipped: '#adb5bd',
  valid: '#2f9e44',
};

const MODE_TITLES: Readonly<Record<RunMode, string>> = {
  apply: 'Sync',
  'dry-run': 'Dry run',
  validate: 'Validation',
};

/** Customer fields in the words of a data owner rather than of the API. */
const FIELD_LABELS: Readonly<Record<CustomerField, string>> = {
  username: 'Username',
  title: 'Title',
  firstName: 'First name',
  lastName: 'Last name',
  primaryEmail: 'Email',
  primaryPhone: 'Phone',
  timezone: 'Time zone',
  promotionOptIn: 'Promotions opt-in',
  department: 'Department',
  country: 'Country',
};

/** What each normalisation rule did, in a data owner's words. */
const RULE_WORDS: Readonly<Record<NormalisationRule, string>> = {
  phoneReformatted: 'Phone number rewritten in international form (E.164)',
  phoneAssumedCountry: 'Phone number read as a number of the default country (--default-country)',
  phoneInternationalPrefix: 'Phone number read from an international call prefix (00, 011, 0011, …)',
  phonePossibleNotValid: 'Phone number given as +… that the phone numbering data does not know as issued',
  phoneExtensionDropped: 'Phone extension left out (--phone-extension drop)',
  countryTranslated: 'Country name or code stored as its two-letter ISO code',
  optInWord: 'Opt-in word read as yes or no',
  valueMapped: "Value replaced as the mapping file's values say",
  textRecomposed: 'Accented letters composed (Unicode NFC)',
  textTrimmed: 'Spaces trimmed or collapsed',
  emailLowerCased: 'Email lower-cased',
};

const DELIMITER_NAMES: Readonly<Record<string, string>> = {
  ',': 'comma',
  ';': 'semicolon',
  '\t': 'tab',
  '|': 'vertical bar',
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
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '${SCRIPT_HASH}'">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
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
<script>${SCRIPT}</script>
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

function* renderAttentionSection({ attention, reasons, rejectedValues, rowLimit }: HtmlReport): Generator<string> {
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
  const outcomes = NEEDING_ATTENTION.filter((kind) => attention.rows.some((row) => row.outcome === kind));
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

function* renderReviewSection(mode: RunMode, review: Excerpt<ReviewLine>, rowLimit: number): Generator<string> {
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

function* renderChangesSection(mode: RunMode, changes: ChangeExcerpt, rowLimit: number): Generator<string> {
  const heading = mode === 'dry-run' ? 'Changes that would be made' : 'Changes made';
  yield `<section id="changes">\n<h2>${heading}</h2>\n`;
  if (changes.total === 0) {
    yield `<p class="empty">${mode === 'dry-run' ? 'No customer would change.' : 'No customer was changed.'}</p>\n</section>\n`;
    return;
  }
  const fields = orderFields([...changes.byField.keys()].filter((field) => field !== 'username'));
  yield `<h3>Changes per field</h3>
<table class="fields" id="field-counts"><thead><tr><th>Field</th><th class="num">Customers</th></tr></thead><tbody>
${fields.map((field) => `<tr><td>${escapeHtml(fieldLabel(field))}</td><td class="num">${formatCount(changes.byField.get(field) ?? 0)}</td></tr>`).join('\n')}
</tbody></table>
<h3>The customers</h3>
<p class="sub">One line per ${mode === 'dry-run' ? 'customer that would change' : 'changed customer'}, each changed field in its column: the value before (struck through; a new customer has none) → the value ${mode === 'dry-run' ? 'to be written' : 'written'}, and below it the cell as the file had it, where the tool read it into another form.</p>
${renderFilterBar('change-rows', 'customers', [{ attribute: 'data-fields', label: 'Field', every: 'any field', options: fields.map((field) => [field, fieldLabel(field)]) }])}
`;
  const shown = changes.rows.slice(0, rowLimit);
  const columns = orderFields([
    ...new Set(shown.flatMap((customer) => customer.changes.map((c) => c.field)).filter((f) => f !== 'username')),
  ]);
  yield `<div class="scroll"><table class="rows changes" id="change-rows"><thead><tr><th>Username</th>${columns.map((field) => `<th>${escapeHtml(fieldLabel(field))}</th>`).join('')}</tr></thead><tbody>\n`;
  for (const customer of shown) {
    const byField = new Map(customer.changes.map((change) => [change.field, change]));
    const changed = customer.changes.map((change) => change.field);
    const cells = columns.map((field) => {
      const change = byField.get(field);
      return change ? `<td>${formatChange(change)}</td>` : '<td class="same"></td>';
    });
    yield `<tr data-fields="|${escapeHtml(changed.join('|'))}|"><td>${escapeHtml(customer.username)}</td>${cells.join('')}</tr>\n`;
  }
  yield '</tbody></table></div>\n';
  if (changes.total > rowLimit) {
    yield `<p class="note">Showing the first ${formatCount(rowLimit)} of ${formatCount(changes.total)} customers (${formatCount(changes.lines)} changed fields). The full list is in <a href="diff.csv">diff.csv</a>.</p>\n`;
  }
  yield '</section>\n';
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

/**
 * A search box and filters for one table, hidden until the page's script shows them (without it, every row shows).
 * Each filter keeps the rows whose `attribute` holds the chosen value.
 */
function renderFilterBar(
  table: string,
  noun: string,
  filters: readonly { attribute: string; label: string; every: string; options: readonly [string, string][] }[],
): string {
  const selects = filters
    .filter((filter) => filter.options.length > 1)
    .map(
      (filter) =>
        `<label>${escapeHtml(filter.label)} <select name="${filter.attribute}"><option value="">${escapeHtml(filter.every)}</option>${filter.options.map(([value, label]) => `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`).join('')}</select></label>`,
    );
  return `<div class="filters" data-for="${table}" hidden><label>Search <input type="search" placeholder="Search these ${noun}"></label>${selects.join('')}<span class="count" aria-live="polite"></span></div>`;
}

/** One changed field of a customer: before → after, and the file's cell where it reads otherwise than what is written. */
function formatChange(change: DiffLine): string {
  const before = change.before === null || change.before === '' ? '' : `<del>${formatValue(change.before)}</del> → `;
  const input = readsOtherwise(change) ? `<div class="input">file: ${escapeHtml(change.input)}</div>` : '';
  return `${before}<span class="after">${formatValue(change.after)}</span>${input}`;
}

/**
 * Whether the file's cell reads otherwise than the value written, beyond surrounding spaces: `0412 345 678` for
 * `+61412345678` or `Ja` for yes does; ` Ann ` for `Ann`, or `TRUE` and `yes` for yes, do not.
 */
function readsOtherwise(change: DiffLine): boolean {
  const input = change.input.trim();
  if (input === '' || change.after === null) return false;
  if (typeof change.after === 'boolean') {
    const same = change.after ? ['true', 'yes'] : ['false', 'no'];
    return !same.includes(input.toLowerCase());
  }
  return input !== change.after;
}

/** Fields in report order (CUSTOMER_FIELDS), attributes after them by name. */
function orderFields(fields: readonly ChangedField[]): ChangedField[] {
  const known = CUSTOMER_FIELDS.filter((field) => fields.includes(field));
  const attributes = fields.filter((field) => !(CUSTOMER_FIELDS as readonly string[]).includes(field)).sort();
  return [...known, ...attributes];
}

function fieldLabel(field: ChangedField): string {
  return FIELD_LABELS[field as CustomerField] ?? field;
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
            `the ${formatCount(missing)} ${plural(missing, 'customer', 'customers')} of this retailer in the OMS that the file does not hold: username, id, primaryEmail`,
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

function renderDetailsSection(summary: ReportSummary): string {
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

/** The outcomes the attention table holds, in the order its filter lists them. */
const NEEDING_ATTENTION: readonly OutcomeKind[] = ['rejected', 'conflict', 'failed'];

/**
 * Shows the filter bars and filters their tables: the rows holding every word of the search box (case-insensitive)
 * and, for each filter, the chosen value in the row's attribute (a `|`-separated list). Plain ES5, no libraries.
 */
const SCRIPT = `(function () {
  var bars = document.querySelectorAll('.filters');
  Array.prototype.forEach.call(bars, function (bar) {
    var table = document.getElementById(bar.getAttribute('data-for'));
    if (!table || !table.tBodies[0]) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (tr) { return tr.textContent.toLowerCase(); });
    var search = bar.querySelector('input');
    var selects = Array.prototype.slice.call(bar.querySelectorAll('select'));
    var count = bar.querySelector('.count');
    var update = function () {
      var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (tr, i) {
        var keep = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
        selects.forEach(function (select) {
          var held = '|' + (tr.getAttribute(select.name) || '') + '|';
          if (select.value && held.indexOf('|' + select.value + '|') === -1) keep = false;
        });
        tr.hidden = !keep;
        if (keep) shown++;
      });
      count.textContent = shown === rows.length ? '' : shown + ' of ' + rows.length + ' shown';
    };
    search.addEventListener('input', update);
    selects.forEach(function (select) { select.addEventListener('change', update); });
    bar.hidden = false;
  });
})();`;

/** The CSP source that allows SCRIPT and nothing else. */
const SCRIPT_HASH = `sha256-${crypto.createHash('sha256').update(SCRIPT).digest('base64')}`;

function formatValue(value: string | boolean | null): string {
  if (value === null || value === '') return '<span class="none">empty</span>';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return escapeHtml(value);
}

function formatSetting(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
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

function baseName(filePath: string): string {
  return filePath.split(/[\\/]/).at(-1) || filePath;
}

function plural(count: number, singular: string, pluralForm: string): string {
  return count === 1 ? singular : pluralForm;
}

const STYLE = `
:root { --ink: #212529; --muted: #5c6670; --line: #e3e7eb; --bg: #f4f6f8; --card: #fff; --link: #1864ab; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 24px 48px; }
a { color: var(--link); }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.eyebrow { margin: 0; font-size: 12px; font-weight: 600; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
h1 { margin: 4px 0 6px; font-size: 30px; line-height: 1.2; }
h1 .run { font-size: 16px; font-weight: 400; color: var(--muted); overflow-wrap: anywhere; }
h2 { margin: 0 0 14px; font-size: 19px; }
h3 { margin: 20px 0 4px; font-size: 15px; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin: 0; color: var(--muted); font-size: 14px; }
.lead { margin: 12px 0; font-size: 16px; max-width: 75ch; }
.pill { display: inline-block; padding: 1px 10px; border-radius: 999px; font-size: 13px; font-weight: 600; }
.pill.ok { background: #d3f9d8; color: #1b6e2d; }
.pill.bad { background: #ffe3e3; color: #a61e1e; }
.banner { margin: 12px 0; padding: 12px 16px; border-radius: 8px; border: 1px solid; max-width: 90ch; }
.banner.bad { background: #fff5f5; border-color: #ffa8a8; }
.banner.warn { background: #fff9db; border-color: #ffd43b; }
.banner.good { background: #ebfbee; border-color: #8ce99a; }
.banner.neutral { background: #f1f3f5; border-color: #dee2e6; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(175px, 1fr)); gap: 12px; margin: 24px 0 0; }
.card { background: var(--card); border: 1px solid var(--line); border-top: 4px solid var(--c); border-radius: 10px; padding: 12px 16px 14px; }
.card .big { font-size: 34px; font-weight: 700; line-height: 1.15; font-variant-numeric: tabular-nums; }
.card .what { font-size: 14px; font-weight: 600; }
.card .hint { margin-top: 4px; font-size: 12.5px; color: var(--muted); }
.card.zero .big, .card.zero .what { color: #adb5bd; }
section { margin-top: 20px; padding: 20px 24px; background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
.sub { margin: 0 0 10px; color: var(--muted); font-size: 13.5px; }
.empty { color: var(--muted); font-style: italic; margin: 0; }
.none { color: #adb5bd; font-style: italic; }
.note { margin: 10px 0 0; padding: 8px 12px; background: #e7f5ff; border-radius: 6px; font-size: 14px; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
th { position: sticky; top: 0; background: #f8f9fa; color: var(--muted); font-size: 12px; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.before { color: #a61e1e; }
td.after, .after { color: #1b6e2d; }
del { color: #a61e1e; }
.input { color: var(--muted); font-size: 12.5px; }
.who { color: var(--muted); }
.times { color: var(--muted); font-weight: 600; }
.changes td { white-space: nowrap; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 0 0 10px; font-size: 14px; }
.filters input, .filters select { font: inherit; padding: 3px 8px; border: 1px solid var(--line); border-radius: 6px; }
.filters input { min-width: 240px; }
.filters .count { color: var(--muted); }
[hidden] { display: none !important; }
.scroll { max-height: 540px; overflow: auto; border: 1px solid var(--line); border-radius: 8px; }
.scroll tr:last-child td { border-bottom: 0; }
.tag { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12.5px; font-weight: 600; color: #fff; background: var(--c); white-space: nowrap; }
.chart { display: block; max-width: 860px; height: auto; }
.chart text { font-family: inherit; }
.chart-label { font-size: 14px; fill: var(--ink); }
.chart-value { font-size: 14px; font-weight: 600; fill: var(--ink); }
.chart-tick { font-size: 12px; fill: var(--muted); }
.chart-track { fill: #f1f3f5; }
.chart-grid { stroke: #e9ecef; stroke-width: 1; }
.chart-line { fill: none; stroke: #1c7ed6; stroke-width: 2.5; stroke-linejoin: round; }
.chart-area { fill: #1c7ed6; fill-opacity: .12; }
.files { margin: 0; padding-left: 20px; }
.files li { margin: 4px 0; }
dl.details { display: grid; grid-template-columns: max-content 1fr; gap: 6px 24px; margin: 0 0 12px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
details summary { cursor: pointer; color: var(--link); margin: 8px 0; }
table.settings td:first-child { width: 30%; }
footer { margin-top: 24px; color: var(--muted); font-size: 13px; text-align: center; }
@media (max-width: 640px) { dl.details { grid-template-columns: 1fr; } main { padding: 20px 12px; } }
@media print { body { background: #fff; } .scroll { max-height: none; overflow: visible; } th { position: static; } }
`;
