import crypto from 'node:crypto';
import type { ReportContent } from './writeReport.js';

/**
 * Masks customers' personal data in a report's row-level parts (`--redact`), so a report can be shared with people
 * who may not see PII: usernames, original cells, diff values and the values quoted in reasons. Each masked value
 * keeps its first character, an email its domain, and gets a short tag (a hash salted with the run id), so rows
 * stay tellable apart within one report without being reversible by a dictionary of known emails.
 * Totals, outcomes, field names, row and line numbers stay as they are.
 */
export function redactContent(content: ReportContent): ReportContent {
  const mask = createMask(content.summary.runId);
  const maskReason = (reason: string) => reason.replace(/"[^"]*"/g, (quoted) => `"${mask(quoted.slice(1, -1))}"`);
  return {
    ...content,
    phoneColumns: new Set(),
    outcomes: function* () {
      for (const o of content.outcomes()) yield { ...o, username: mask(o.username), reason: maskReason(o.reason) };
    },
    rejects: function* () {
      for (const r of content.rejects()) yield { ...r, cells: r.cells.map(mask), reason: maskReason(r.reason) };
    },
    diffs: function* () {
      for (const d of content.diffs()) {
        yield {
          ...d,
          username: mask(d.username),
          before: typeof d.before === 'string' ? mask(d.before) : d.before,
          after: typeof d.after === 'string' ? mask(d.after) : d.after,
        };
      }
    },
  };
}

function createMask(salt: string): (value: string) => string {
  return (value) => {
    if (value === '') return '';
    const tag = crypto.createHash('sha256').update(salt).update('\0').update(value).digest('hex').slice(0, 6);
    const at = value.lastIndexOf('@');
    const domain = at > 0 ? value.slice(at) : '';
    return `${value.slice(0, 1)}***${domain}#${tag}`;
  };
}
