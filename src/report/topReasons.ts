import type { OutcomeKind, RowOutcome } from '../types.js';
import { withoutRowIdentity } from './rowIdentity.js';

/** The outcomes a person has to act on: the rows of rejects.csv and of the page's attention table. */
export const NEEDS_ATTENTION: ReadonlySet<OutcomeKind> = new Set<OutcomeKind>(['rejected', 'conflict', 'failed']);

export interface ReasonCount {
  /** The reason with its row-specific parts replaced: `"…"` for quoted values, `#` for row and run numbers. */
  reason: string;
  count: number;
  /** The first row that gave this reason. */
  example: number;
}

/**
 * The most common reasons rows were rejected, in conflict or failed, most frequent first (ties: the reason
 * seen first). Reasons quote the offending value (`primaryEmail "a@" is not valid`), name rows and
 * lengths, and a row without a username ends with the values that identify it, so those parts are replaced by
 * placeholders (or left out) before grouping; otherwise every row would be its own group. One pass, memory bounded by the number of distinct patterns.
 */
export function topReasons(outcomes: Iterable<RowOutcome>, limit: number): ReasonCount[] {
  const groups = new Map<string, ReasonCount>();
  for (const outcome of outcomes) {
    if (!NEEDS_ATTENTION.has(outcome.outcome)) continue;
    const reason = generaliseReason(outcome.reason);
    const group = groups.get(reason);
    if (group) group.count += 1;
    else groups.set(reason, { reason, count: 1, example: outcome.row });
  }
  // Map keeps insertion order and sort is stable, so equal counts stay in order of first appearance.
  return [...groups.values()].sort((a, b) => b.count - a.count).slice(0, Math.max(0, limit));
}

/**
 * The numbers of a reason that change from row to row: the rows and lines it names (`rows 3, 9 and 12`), a run id
 * (`run 20261125T201955Z-3f9a`) and a value's own length or width (`is 62 characters`, `has 5 columns`). Every other
 * number is part of the reason's fixed text (`ISO 3166`, `E.164`, `UTF-8`, `at most 50`, `retailer 7`, `HTTP 502`,
 * `column 4`) and says what the problem is, so it stays.
 */
const ROW_NUMBERS = /\b(rows?|lines?) \d+((?:(?:, ?| and | or |-)\d+)*)/g;
const RUN_ID = /\b(runs?) \d{8}T\d{6}Z-[0-9a-f]+/g;
const OWN_LENGTH = /\b(is|has|of) \d+ (characters|columns|column)\b/g;

function generaliseReason(reason: string): string {
  const trimmed = withoutRowIdentity(reason).trim();
  if (trimmed === '') return '(no reason given)';
  return (
    trimmed
      .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
      // "rows 3, 17 and 20" and "rows 3 and 9" are the same problem, whatever the number of rows.
      .replace(ROW_NUMBERS, (_, word: string, more: string) => `${word} ${more ? '#…' : '#'}`)
      .replace(RUN_ID, '$1 #')
      .replace(OWN_LENGTH, '$1 # $2')
  );
}
