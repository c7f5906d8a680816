import type { Normalisation, OutcomeKind, ReviewLine } from '../types.js';

/** A row with review notes, as the run journal keeps it. */
export interface RowWithReviewNotes {
  row: number;
  username: string;
  outcome: OutcomeKind | null;
  changedFields: readonly string[];
  notes: readonly Normalisation[];
}

/**
 * The lines of review.csv (SPEC §4): the notes of the values this run wrote or would write — every note of a row
 * `created` (or `valid`, in validate), and of a row `updated` the notes of the fields it changed. A row that ended
 * otherwise wrote nothing this run (unchanged: an earlier run's report listed it), so it is not listed again.
 */
export function* listReviewLines(rows: Iterable<RowWithReviewNotes>): Generator<ReviewLine> {
  for (const row of rows) {
    if (row.outcome !== 'created' && row.outcome !== 'valid' && row.outcome !== 'updated') continue;
    for (const note of row.notes) {
      if (row.outcome === 'updated' && !row.changedFields.includes(note.field)) continue;
      yield {
        row: row.row,
        username: row.username,
        field: note.field,
        input: note.input,
        written: note.written,
        rule: note.rule,
      };
    }
  }
}
