import type { OutcomeKind, RunTotals } from '../types.js';
import { OUTCOME_KINDS } from '../types.js';

/** Totals of a run that has not read any row yet: every counter at zero. */
export function emptyTotals(): RunTotals {
  const totals = { read: 0 } as RunTotals;
  for (const kind of OUTCOME_KINDS) totals[kind] = 0;
  return totals;
}

/** Counts one finished row: it was read, and it ended as `kind`. Mutates `totals` (a hot path for 2M rows). */
export function addOutcome(totals: RunTotals, kind: OutcomeKind): void {
  totals.read += 1;
  totals[kind] += 1;
}

/**
 * Asserts the report's promise that every row is accounted for: read = the sum of all outcomes (SPEC §4).
 * A mismatch is a bug in the pipeline, not bad data, so it throws.
 */
export function checkTotals(totals: RunTotals): void {
  let sum = 0;
  for (const kind of OUTCOME_KINDS) {
    const count = totals[kind];
    if (!Number.isInteger(count) || count < 0) {
      throw new Error(`Broken invariant: totals.${kind} is ${String(count)}, not a count`);
    }
    sum += count;
  }
  if (sum !== totals.read) {
    const parts = OUTCOME_KINDS.filter((kind) => totals[kind] !== 0).map((kind) => `${kind} ${totals[kind]}`);
    throw new Error(
      `Broken invariant: ${totals.read} rows read but outcomes add up to ${sum} (${parts.join(', ') || 'none'})`,
    );
  }
}
