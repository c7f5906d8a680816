import type { OutcomeUpdate, RunJournal } from '../checkpoint/runJournal.js';
import type { OnDuplicate } from '../options/index.js';
import { decideDuplicateGroup, differingFields } from '../plan/decideDuplicates.js';
import type { Customer, RawRow } from '../types.js';

const FLUSH_EVERY = 5_000;

/** Rows of one group read back at a time to name the fields they differ in. */
const READ_BACK = 500;

/**
 * Settles rows of one run that share a username (case-insensitively) among the rows that passed validation
 * (SPEC §3), as plan/decideDuplicateGroup decides: identical rows collapse into the first, rows that disagree follow
 * `onDuplicate`. A reason about rows that disagree names the fields they differ in; the rows are read back and
 * normalised again (`normalise`) for that, since a row settled while staging keeps no customer. Returns how many rows
 * it settled.
 */
export function resolveDuplicates(
  journal: Pick<RunJournal, 'duplicateGroups' | 'setOutcomes' | 'rawRows'>,
  runId: string,
  onDuplicate: OnDuplicate,
  normalise: (raw: RawRow) => Customer | undefined,
): number {
  let settled: OutcomeUpdate[] = [];
  let count = 0;
  const flush = () => {
    journal.setOutcomes(runId, settled);
    count += settled.length;
    settled = [];
  };
  /** The rows' customers, read back a few hundred at a time: a group may be a million rows long. */
  function* customersOf(rows: readonly { row: number }[]): Generator<Customer | undefined> {
    for (let i = 0; i < rows.length; i += READ_BACK) {
      const wanted = rows.slice(i, i + READ_BACK).map((r) => r.row);
      const raw = new Map(journal.rawRows(runId, wanted).map((r) => [r.row, r]));
      for (const row of wanted) {
        const found = raw.get(row);
        yield found && normalise(found);
      }
    }
  }
  for (const group of journal.duplicateGroups(runId)) {
    // Written in batches: a file of one customer repeated a million times must not sit in memory.
    if (settled.length >= FLUSH_EVERY) flush();
    const verdict = decideDuplicateGroup(group.rows, onDuplicate);
    if (!verdict) continue;
    if (verdict.kind === 'reject all') {
      const reason = verdict.reason(differingFields(customersOf(verdict.rows)));
      for (const r of verdict.rows) settled.push({ row: r.row, outcome: 'rejected', reason });
      continue;
    }
    const { kept, others } = verdict;
    const differing = others.filter((r) => r.hash !== kept.hash);
    const keptCustomer = differing.length > 0 ? customersOf([kept]).next().value : undefined;
    const differingCustomers = customersOf(differing);
    for (const r of others) {
      const fields =
        r.hash === kept.hash ? undefined : differingFields([keptCustomer, differingCustomers.next().value]);
      settled.push({ row: r.row, outcome: 'duplicate', reason: verdict.reason(r, fields) });
    }
  }
  flush();
  return count;
}
