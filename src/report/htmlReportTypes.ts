/** What the report page is made of (renderReportHtml and its sections), apart from them so each section imports it. */
import type { ChangedField, DiffLine, RejectedValueCount, ReviewLine, RowOutcome } from '../types.js';
import type { ReportSummary, ThroughputPoint } from './reportTypes.js';
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

/** What the report page is made of: the summary, the first rows of each long list, and how many there are. */
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
