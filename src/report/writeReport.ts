import type { Scrubber } from '../shared/createScrubber.js';
import { ensurePrivateDir } from '../shared/privateFs.js';
import type { ChangedField, DiffLine, MissingCustomer, OutcomeKind, ReviewLine, RowOutcome } from '../types.js';
import { OUTCOME_KINDS } from '../types.js';
import { checkTotals } from './countOutcomes.js';
import { formatCsvLine } from './formatCsvLine.js';
import type { ChangedCustomer, ChangeExcerpt, Excerpt } from './htmlReportTypes.js';
import type { TextSink } from './openTextSink.js';
import { ReportWriteError } from './ReportWriteError.js';
import { renderReportHtml } from './renderReportHtml.js';
import type { RejectLine, ReportContent, ReportSummary } from './reportTypes.js';
import { scrubContent } from './scrubContent.js';
import { type ReportFiles, stageReportFiles } from './stageReportFiles.js';
import { NEEDS_ATTENTION, topReasons } from './topReasons.js';

/** Per-row tables of report.html stop here and point to the CSV files for the rest (SPEC §4). */
export const HTML_ROW_LIMIT = 10_000;
const TOP_REASON_LIMIT = 10;

/** Every file a report may put in its folder, report.json (the one that says the rest is complete) last. */
export const REPORT_FILE_NAMES = [
  'outcomes.csv',
  'rejects.csv',
  'diff.csv',
  'review.csv',
  'missing.csv',
  'report.html',
  'report.json',
] as const;

export const OUTCOMES_HEADER = ['row', 'line', 'username', 'outcome', 'reason', 'changedFields', 'customerId'] as const;
export const DIFF_HEADER = ['username', 'field', 'before', 'after', 'input'] as const;
export const REVIEW_HEADER = ['row', 'username', 'field', 'input', 'written', 'rule'] as const;
export const MISSING_HEADER = ['username', 'id', 'primaryEmail'] as const;
/**
 * In diff.csv, `before` and `after` of a primaryPhone change hold E.164 phones; so may `input` (only a strict E.164
 * value is exempt from neutralising, so a cell like `+61 4…` still gets its `'`).
 */
const DIFF_PHONE_COLUMNS: ReadonlySet<number> = new Set([2, 3, 4]);
/** In review.csv, `input` and `written` of a primaryPhone line, on the same terms. */
const REVIEW_PHONE_COLUMNS: ReadonlySet<number> = new Set([3, 4]);
const TOTALS_ORDER: readonly OutcomeKind[] = OUTCOME_KINDS.filter((kind) => kind !== 'valid');
/**
 * Excel reads a CSV without a byte order mark in the machine's legacy code page, garbling Müller or 手塚, so the
 * files people open in a spreadsheet start with one. Not outcomes.csv: scripts and contract checks read its header
 * raw, and `row,line,username,...` must be its first bytes.
 */
const BOM = '\uFEFF';

/**
 * Writes the reconciliation report into `dir` (created owner-only if missing): outcomes.csv, rejects.csv,
 * diff.csv (not in validate mode), review.csv (when the content has one), missing.csv (with `--report-missing`),
 * report.html and report.json. Every text passes through `scrubber` before it is
 * encoded. Each file is written to a new private temporary file and renamed over its final name once all are
 * complete, report.json last, so a script that sees report.json knows the rest is complete, and no existing file
 * is ever opened or followed (see stageReportFiles). Each row-level iterable is read once. Returns the paths
 * written. A file system failure (a full disk, an I/O error, the folder removed) is a ReportWriteError, with every
 * temporary file removed and nothing half-written under a final name. Throws if the totals do not account for
 * every row: that is a bug, and a report must not hide it.
 */
export function writeReport(
  dir: string,
  report: ReportContent,
  { scrubber }: { scrubber: Scrubber },
): { files: string[] } {
  checkTotals(report.summary.totals);
  const content = scrubContent(report, scrubber);
  const { summary } = content;
  let files: ReportFiles | undefined;
  try {
    ensurePrivateDir(dir);
    files = stageReportFiles(dir);
    const { attention, reasons } = writeOutcomesCsv(files.open('outcomes.csv'), content.outcomes());
    writeLines(
      files.open('rejects.csv'),
      [BOM],
      formatRejectLines(content.header, content.phoneColumns, content.rejects()),
    );
    // A validate report has no diff.csv; one an earlier run left beside it would read as this run's.
    if (summary.mode === 'validate') files.drop('diff.csv');
    const changes = summary.mode === 'validate' ? null : writeDiffCsv(files.open('diff.csv'), content.diffs());
    // Likewise a review.csv of an earlier run, when this content has none (an undo normalises nothing).
    const review = content.review ? writeReviewCsv(files.open('review.csv'), content.review()) : null;
    if (!content.review) files.drop('review.csv');
    // Likewise a missing.csv of an earlier run with --report-missing, when this one has none.
    if (content.missing) writeLines(files.open('missing.csv'), [BOM], formatMissingLines(content.missing()));
    else files.drop('missing.csv');
    writeLines(
      files.open('report.html'),
      renderReportHtml({
        summary,
        reasons,
        attention,
        changes,
        review,
        rejectedValues: content.rejectedValues?.() ?? [],
        throughput: content.throughput,
        rowLimit: HTML_ROW_LIMIT,
      }),
    );
    writeLines(files.open('report.json'), [`${JSON.stringify(toReportJson(summary), null, 2)}\n`]);
    return { files: files.commit() };
  } catch (error) {
    files?.discard();
    if (ReportWriteError.isFsError(error)) throw new ReportWriteError(dir, summary.runId, error);
    throw error;
  }
}

/** Writes every piece of each of `texts` to `sink`, then closes it. */
function writeLines(sink: TextSink, ...texts: Iterable<string>[]): void {
  try {
    for (const pieces of texts) for (const text of pieces) sink.write(text);
  } finally {
    sink.close();
  }
}

/**
 * Writes outcomes.csv and, in the same pass, gathers what the HTML page needs from the outcomes: the top
 * reasons and the first rows needing attention. One pass, because the outcomes may be millions of rows
 * streamed from the checkpoint.
 */
function writeOutcomesCsv(
  sink: TextSink,
  outcomes: Iterable<RowOutcome>,
): { attention: Excerpt<RowOutcome>; reasons: ReturnType<typeof topReasons> } {
  const attention: Excerpt<RowOutcome> = { rows: [], total: 0 };
  function* writtenOutcomes(): Generator<RowOutcome> {
    for (const outcome of outcomes) {
      sink.write(
        formatCsvLine([
          outcome.row,
          outcome.line,
          outcome.username,
          outcome.outcome,
          outcome.reason,
          outcome.changedFields.join(';'),
          outcome.customerId,
        ]),
      );
      if (NEEDS_ATTENTION.has(outcome.outcome)) {
        attention.total += 1;
        if (attention.rows.length < HTML_ROW_LIMIT) attention.rows.push(outcome);
      }
      yield outcome;
    }
  }
  try {
    sink.write(formatCsvLine(OUTCOMES_HEADER));
    const reasons = topReasons(writtenOutcomes(), TOP_REASON_LIMIT);
    return { attention, reasons };
  } finally {
    sink.close();
  }
}

/**
 * Lines of rejects.csv: the input's own columns, then `_row` and `_reason`, so the file can be fixed and fed
 * back in (the reader ignores the two extra columns as unmapped). Short rows are padded with empty cells;
 * the extra cells of a long row follow `_reason`, so nothing is lost and the row stays visibly wrong until
 * fixed. When the input already has `_row`/`_reason` (it is a fed-back rejects.csv), those columns are
 * reused rather than added again.
 */
function* formatRejectLines(
  header: readonly string[],
  phoneColumns: ReadonlySet<number>,
  rejects: Iterable<RejectLine>,
): Generator<string> {
  const columns = [...header];
  const rowIndex = indexOrAppend(columns, '_row');
  const reasonIndex = indexOrAppend(columns, '_reason');
  yield formatCsvLine(columns);
  for (const reject of rejects) {
    const cells: (string | number)[] = columns.map(
      (_, index) => (index < header.length ? reject.cells[index] : '') ?? '',
    );
    cells[rowIndex] = reject.row;
    cells[reasonIndex] = reject.reason;
    for (let index = header.length; index < reject.cells.length; index++) cells.push(reject.cells[index] ?? '');
    yield formatCsvLine(cells, phoneColumns);
  }
}

function indexOrAppend(columns: string[], name: string): number {
  const existing = columns.indexOf(name);
  if (existing !== -1) return existing;
  columns.push(name);
  return columns.length - 1;
}

/**
 * Writes diff.csv (booleans as true/false, no value as an empty cell) and gathers, in the same pass, what the page
 * shows of it: how many customers changed in each field, and the first customers with all their changed fields (a
 * customer's lines follow one another).
 */
function writeDiffCsv(sink: TextSink, diffs: Iterable<DiffLine>): ChangeExcerpt {
  const byField = new Map<ChangedField, number>();
  const changes: ChangeExcerpt = { rows: [], total: 0, lines: 0, byField };
  let current: ChangedCustomer | undefined;
  try {
    sink.write(BOM + formatCsvLine(DIFF_HEADER));
    for (const change of diffs) {
      sink.write(
        formatCsvLine(
          [change.username, change.field, change.before, change.after, change.input],
          change.field === 'primaryPhone' ? DIFF_PHONE_COLUMNS : undefined,
        ),
      );
      changes.lines += 1;
      byField.set(change.field, (byField.get(change.field) ?? 0) + 1);
      if (current?.username !== change.username || current.row !== change.row) {
        changes.total += 1;
        current = { username: change.username, row: change.row, changes: [] };
        if (changes.rows.length < HTML_ROW_LIMIT) changes.rows.push(current);
      }
      if (changes.rows.at(-1) === current) current.changes.push(change);
    }
  } finally {
    sink.close();
  }
  return changes;
}

/** Writes review.csv and keeps its first lines for the page. */
function writeReviewCsv(sink: TextSink, lines: Iterable<ReviewLine>): Excerpt<ReviewLine> {
  const review: Excerpt<ReviewLine> = { rows: [], total: 0 };
  try {
    sink.write(BOM + formatCsvLine(REVIEW_HEADER));
    for (const line of lines) {
      sink.write(
        formatCsvLine(
          [line.row, line.username, line.field, line.input, line.written, line.rule],
          line.field === 'primaryPhone' ? REVIEW_PHONE_COLUMNS : undefined,
        ),
      );
      review.total += 1;
      if (review.rows.length < HTML_ROW_LIMIT) review.rows.push(line);
    }
  } finally {
    sink.close();
  }
  return review;
}

/** Lines of missing.csv: the retailer's OMS customers the file does not hold. */
function* formatMissingLines(missing: Iterable<MissingCustomer>): Generator<string> {
  yield formatCsvLine(MISSING_HEADER);
  for (const m of missing) yield formatCsvLine([m.username, m.id, m.primaryEmail]);
}

/**
 * report.json in the SPEC's key order, extras after. `totals.valid` appears in validate mode (or whenever it
 * is not zero), so `read` equals the sum of the listed totals in every mode.
 */
function toReportJson(summary: ReportSummary): Record<string, unknown> {
  const { runId, mode, startedAt, finishedAt, input, options, totals, requests, durationMs, ...extras } = summary;
  const listedTotals: Record<string, number> = { read: totals.read };
  for (const kind of TOTALS_ORDER) listedTotals[kind] = totals[kind];
  if (mode === 'validate' || totals.valid !== 0) listedTotals.valid = totals.valid;
  return {
    runId,
    mode,
    startedAt,
    finishedAt,
    input,
    options,
    totals: listedTotals,
    requests,
    durationMs,
    ...extras,
  };
}
