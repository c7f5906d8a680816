import type { OutcomeUpdate, RunJournal } from '../checkpoint/runJournal.js';
import { canonicalJson } from '../normalise/canonicalJson.js';
import type { OnDuplicate } from '../options.js';
import { type ChangedField, CUSTOMER_FIELDS, type Customer, type RawRow } from '../types.js';

const FLUSH_EVERY = 5_000;

/** Rows of one group read back at a time to name the fields they differ in. */
const READ_BACK = 500;

/**
 * Settles rows of one run that share a username (case-insensitively) among the rows that passed validation
 * (SPEC §3). Rows with identical normalised values collapse into the first of them, the rest `duplicate`; rows that
 * disagree follow `onDuplicate`: `reject` rejects them all, `first` / `last` keep one and mark the others `duplicate`.
 * A reason about rows that disagree names the fields they differ in; the rows are read back and normalised again
 * (`normalise`) for that, since a row settled while staging keeps no customer. Returns how many rows it settled.
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
    const rows = group.rows;
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) continue;
    const identical = rows.every((r) => r.hash === first.hash);
    if (!identical && onDuplicate === 'reject') {
      const list = rows.map((r) => r.row).join(', ');
      const fields = differingFields(customersOf(rows));
      const differ = fields ? `, which differ in ${fields.join(', ')}` : ' with different values';
      for (const r of rows) {
        settled.push({
          row: r.row,
          outcome: 'rejected',
          reason: `username appears in rows ${list}${differ} (pass --on-duplicate first or last to keep one)`,
        });
      }
      continue;
    }
    const kept = identical || onDuplicate === 'first' ? first : last;
    const others = rows.filter((r) => r !== kept);
    const differing = others.filter((r) => r.hash !== kept.hash);
    const keptCustomer = differing.length > 0 ? customersOf([kept]).next().value : undefined;
    const differingCustomers = customersOf(differing);
    for (const r of others) {
      let reason = `same values as row ${kept.row}`;
      if (r.hash !== kept.hash) {
        const fields = differingFields([keptCustomer, differingCustomers.next().value]);
        const differ = fields ? `; this row differs in ${fields.join(', ')}` : '';
        reason = `row ${kept.row} is kept (--on-duplicate ${onDuplicate})${differ}`;
      }
      settled.push({ row: r.row, outcome: 'duplicate', reason });
    }
  }
  flush();
  return count;
}

/**
 * The fields (attributes as `attributes.NAME`) in which not all of `customers` agree, in report order: those in which
 * one differs from the first. Undefined when a customer could not be read back, so no reason names the wrong fields.
 */
function differingFields(customers: Iterable<Customer | undefined>): ChangedField[] | undefined {
  let reference: Customer | undefined;
  const differ = new Set<ChangedField>();
  for (const customer of customers) {
    if (!customer) return undefined;
    if (!reference) {
      reference = customer;
      continue;
    }
    for (const field of CUSTOMER_FIELDS) if (reference[field] !== customer[field]) differ.add(field);
    const attributes = attributeValues(reference);
    const theirs = attributeValues(customer);
    for (const name of new Set([...attributes.keys(), ...theirs.keys()])) {
      if (attributes.get(name) !== theirs.get(name)) differ.add(`attributes.${name}`);
    }
  }
  if (differ.size === 0) return undefined;
  // Fields in CUSTOMER_FIELDS order were added first; attributes follow by name.
  const fields = CUSTOMER_FIELDS.filter((field) => differ.has(field));
  const attributes = [...differ].filter((field) => field.startsWith('attributes.')).sort();
  return [...fields, ...attributes];
}

function attributeValues(customer: Customer): Map<string, string> {
  return new Map((customer.attributes ?? []).map((a) => [a.name, `${a.type}:${canonicalJson(a.value)}`]));
}
