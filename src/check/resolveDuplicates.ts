import type { OutcomeUpdate, RunJournal } from '../checkpoint/runJournal.js';
import type { OnDuplicate } from '../options.js';

const FLUSH_EVERY = 5_000;

/**
 * Settles rows of one run that share a username (case-insensitively) among the rows that passed validation
 * (SPEC §3). Rows with identical normalised values collapse into the first of them, the rest `duplicate`; rows that
 * disagree follow `onDuplicate`: `reject` rejects them all, `first` / `last` keep one and mark the others `duplicate`.
 * Returns how many rows it settled.
 */
export function resolveDuplicates(
  journal: Pick<RunJournal, 'duplicateGroups' | 'setOutcomes'>,
  runId: string,
  onDuplicate: OnDuplicate,
): number {
  let settled: OutcomeUpdate[] = [];
  let count = 0;
  const flush = () => {
    journal.setOutcomes(runId, settled);
    count += settled.length;
    settled = [];
  };
  for (const group of journal.duplicateGroups(runId)) {
    // Written in batches: a file of one customer repeated a million times must not sit in memory.
    if (settled.length >= FLUSH_EVERY) flush();
    const rows = group.rows;
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) continue;
    const identical = rows.every((r) => r.hash === first.hash);
    if (!identical && onDuplicate === 'reject') {
      const list = rows.map((r) => r.row).join(', ');
      for (const r of rows) {
        settled.push({
          row: r.row,
          outcome: 'rejected',
          reason: `username appears in rows ${list} with different values (pass --on-duplicate first or last to keep one)`,
        });
      }
      continue;
    }
    const kept = identical || onDuplicate === 'first' ? first : last;
    for (const r of rows) {
      if (r === kept) continue;
      const same = r.hash === kept.hash;
      settled.push({
        row: r.row,
        outcome: 'duplicate',
        reason: same ? `same values as row ${kept.row}` : `row ${kept.row} is kept (--on-duplicate ${onDuplicate})`,
      });
    }
  }
  flush();
  return count;
}
