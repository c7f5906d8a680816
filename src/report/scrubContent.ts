import type { Scrubber } from '../shared/createScrubber.js';
import type { ReportContent } from './reportTypes.js';

/**
 * The report's content with the run's secrets masked in every text it holds: the summary (abort reason, options),
 * the header, usernames, reasons, original cells, diff and review values, rejected values (field names and counts are
 * the tool's own). An OMS may echo a credential or a token in an
 * error message, and that message becomes a row's reason. Applied before any encoding (CSV quoting, JSON and HTML
 * escaping), so a secret holding `"`, `<` or `\` cannot slip past in its escaped form.
 */
export function scrubContent(content: ReportContent, scrubber: Scrubber): ReportContent {
  const { scrub } = scrubber;
  const scrubCell = <T>(value: T): T => (typeof value === 'string' ? (scrub(value) as T) : value);
  return {
    ...content,
    summary: scrubber.scrubValue(content.summary),
    header: content.header.map(scrub),
    outcomes: function* () {
      for (const o of content.outcomes()) yield { ...o, username: scrub(o.username), reason: scrub(o.reason) };
    },
    rejects: function* () {
      for (const r of content.rejects()) yield { ...r, cells: r.cells.map(scrub), reason: scrub(r.reason) };
    },
    diffs: function* () {
      for (const d of content.diffs()) {
        yield {
          ...d,
          username: scrub(d.username),
          before: scrubCell(d.before),
          after: scrubCell(d.after),
          input: scrub(d.input),
        };
      }
    },
    review: scrubReview(content.review, scrub),
    rejectedValues:
      content.rejectedValues &&
      (() => (content.rejectedValues?.() ?? []).map((v) => ({ ...v, field: scrub(v.field), value: scrub(v.value) }))),
    missing: scrubMissing(content.missing, scrub),
  };
}

function scrubMissing(missing: ReportContent['missing'], scrub: (text: string) => string): ReportContent['missing'] {
  if (!missing) return undefined;
  return function* () {
    for (const m of missing()) {
      yield { username: scrub(m.username), id: scrub(m.id), primaryEmail: m.primaryEmail && scrub(m.primaryEmail) };
    }
  };
}

function scrubReview(review: ReportContent['review'], scrub: (text: string) => string): ReportContent['review'] {
  if (!review) return undefined;
  return function* () {
    for (const r of review()) {
      yield { ...r, username: scrub(r.username), input: scrub(r.input), written: scrub(r.written) };
    }
  };
}
