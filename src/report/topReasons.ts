import type { OutcomeKind, RowOutcome } from '../types.js';

/** The outcomes a person has to act on: the rows of rejects.csv and of the page's attention table. */
export const NEEDS_ATTENTION: ReadonlySet<OutcomeKind> = new Set<OutcomeKind>(['rejected', 'conflict', 'failed']);

export interface ReasonCount {
  /** The reason with its row-specific parts replaced: `"…"` for quoted values, `#` for numbers standing alone. */
  reason: string;
  count: number;
  /** The first row that gave this reason. */
  example: number;
}

/**
 * The most common reasons rows were rejected, in conflict or failed, most frequent first (ties: the reason
 * seen first). Reasons quote the offending value (`primaryEmail "a@" is not valid`) and name rows and
 * lengths, so those parts are replaced by placeholders before grouping; otherwise every row would be its own
 * group. One pass, memory bounded by the number of distinct patterns.
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
 * A number that stands as a word of its own (`retailer 7`, `rows 3, 9`, `at most 50.`, `3-7`), not one that is part
 * of a name: `E.164`, `UTF-8`, `C0020E`, `y/n/1/0` and a run id stay as they are, since they are the same in every
 * row and say what the problem is.
 */
const STANDALONE_NUMBER = /(?<![\p{L}\p{N}_./]|\p{L}-)\d+(?:\.\d+)?(?![\p{L}\p{N}_/]|[.-]\p{L}|\.\p{N})/gu;

function generaliseReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed === '') return '(no reason given)';
  return (
    trimmed
      .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
      .replace(STANDALONE_NUMBER, '#')
      // "rows 3, 17 and 20" and "rows 3 and 9" are the same problem, whatever the number of rows.
      .replace(/#(?:(?:, ?| and | or |-)#)+/g, '#…')
  );
}
