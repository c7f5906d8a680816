import crypto from 'node:crypto';
import type { ReportContent } from './reportTypes.js';

/** Long enough that a per-run random key cannot be guessed; FLUENT_REDACT_KEY is used as given. */
const RANDOM_KEY_BYTES = 32;
const TAG_HEX_CHARS = 6;
/**
 * Quoted values in a reason (`primaryEmail "jane@" is not valid`), and words outside quotes that look like an email
 * address or a username built from one.
 */
const REASON_VALUE = /"[^"]*"|[^\s"'<>()[\]{},;:]+@[^\s"'<>()[\]{},;:]+/g;
/** Shorter known values are not searched for in reasons: they would match inside ordinary words. */
const MIN_KNOWN_LENGTH = 3;

/**
 * Masks customers' personal data in a report's row-level parts (`--redact`), so a report can be shared with people
 * who may not see PII: usernames, original cells, diff and review values (the file's and the written), rejected
 * values, and in reasons the quoted values, email addresses
 * and the row's own values (an OMS error message may echo a username unquoted). Each masked value keeps its first
 * character, an email its domain, and gets a short tag, so rows stay tellable apart within one report.
 *
 * The tag is an HMAC-SHA256 keyed with a secret that appears in no output: `key` (FLUENT_REDACT_KEY, for masks that
 * stay the same across runs, so two shared reports can be compared) or else 32 random bytes held only in memory for
 * this call. Anyone holding the report and a list of candidate emails therefore cannot recompute a tag to find out
 * who is in it. Totals, outcomes, field names, row and line numbers stay as they are.
 */
export function redactContent(content: ReportContent, key?: string): ReportContent {
  const mask = createMask(key ?? crypto.randomBytes(RANDOM_KEY_BYTES));
  return {
    ...content,
    phoneColumns: new Set(),
    outcomes: function* () {
      for (const o of content.outcomes()) {
        yield { ...o, username: mask(o.username), reason: maskReason(o.reason, [o.username], mask) };
      }
    },
    rejects: function* () {
      for (const r of content.rejects())
        yield { ...r, cells: r.cells.map(mask), reason: maskReason(r.reason, r.cells, mask) };
    },
    diffs: function* () {
      for (const d of content.diffs()) {
        yield {
          ...d,
          username: mask(d.username),
          before: typeof d.before === 'string' ? mask(d.before) : d.before,
          after: typeof d.after === 'string' ? mask(d.after) : d.after,
          input: mask(d.input),
        };
      }
    },
    review: redactReview(content.review, mask),
    rejectedValues:
      content.rejectedValues && (() => (content.rejectedValues?.() ?? []).map((v) => ({ ...v, value: mask(v.value) }))),
    missing: redactMissing(content.missing, mask),
  };
}

/** A review line's username and both its values are the customer's; its row, field and rule are not. */
function redactReview(review: ReportContent['review'], mask: (value: string) => string): ReportContent['review'] {
  if (!review) return undefined;
  return function* () {
    for (const r of review())
      yield { ...r, username: mask(r.username), input: mask(r.input), written: mask(r.written) };
  };
}

/** A missing customer's username and email are PII; the OMS id is not, and lets the owner find the customer. */
function redactMissing(missing: ReportContent['missing'], mask: (value: string) => string): ReportContent['missing'] {
  if (!missing) return undefined;
  return function* () {
    for (const m of missing()) {
      yield { ...m, username: mask(m.username), primaryEmail: m.primaryEmail && mask(m.primaryEmail) };
    }
  };
}

function createMask(key: string | Buffer): (value: string) => string {
  return (value) => {
    if (value === '') return '';
    const tag = crypto.createHmac('sha256', key).update(value).digest('hex').slice(0, TAG_HEX_CHARS);
    const at = value.lastIndexOf('@');
    const domain = at > 0 ? value.slice(at) : '';
    return `${value.slice(0, 1)}***${domain}#${tag}`;
  };
}

/**
 * Masks the quoted values and email-like words of `reason`, and every occurrence of the `known` values (the row's
 * username or cells) in the text between them.
 */
function maskReason(reason: string, known: readonly string[], mask: (value: string) => string): string {
  const searched = known.filter((k) => k.length >= MIN_KNOWN_LENGTH).sort((a, b) => b.length - a.length);
  let out = '';
  let last = 0;
  for (const found of reason.matchAll(REASON_VALUE)) {
    const [text] = found;
    out += maskKnown(reason.slice(last, found.index), searched, mask);
    out += text.startsWith('"') ? `"${mask(text.slice(1, -1))}"` : mask(text);
    last = found.index + text.length;
  }
  return out + maskKnown(reason.slice(last), searched, mask);
}

/** Splitting on a known value (longest first) and joining with its mask keeps a mask from being masked again. */
function maskKnown(text: string, known: readonly string[], mask: (value: string) => string): string {
  const value = known.find((k) => text.includes(k));
  if (value === undefined) return text;
  return text
    .split(value)
    .map((part) => maskKnown(part, known, mask))
    .join(mask(value));
}
