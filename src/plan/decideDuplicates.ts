import { canonicalJson } from '../normalise/canonicalJson.js';
import type { OnDuplicate } from '../options/index.js';
import { type ChangedField, CUSTOMER_FIELDS, type Customer } from '../types.js';

/** A row of a group of rows that share a username: its number and the hash of its normalised values. */
export interface GroupRow {
  row: number;
  hash: string;
}

/**
 * What happens to a group of rows that share a username (SPEC §3 `--on-duplicate`). Pure: rows with identical values
 * collapse into the first of them; rows that disagree follow the policy: `reject` rejects them all, `first` / `last`
 * keep one. The reasons name the fields the rows differ in, which the caller reads back (`fields`) only when needed.
 */
export type DuplicateVerdict =
  /** Every row rejected; `reason` takes the fields all the rows differ in (undefined when they cannot be told). */
  | { kind: 'reject all'; rows: readonly GroupRow[]; reason: (fields: readonly ChangedField[] | undefined) => string }
  /**
   * `kept` stays as it is; each of `others` is `duplicate`, with `reason` taking, for a row whose values differ, the
   * fields it differs in from the kept row.
   */
  | {
      kind: 'keep one';
      kept: GroupRow;
      others: readonly GroupRow[];
      reason: (row: GroupRow, fields: readonly ChangedField[] | undefined) => string;
    };

/** Decides a group of two or more rows of one username, in file order. */
export function decideDuplicateGroup(rows: readonly GroupRow[], policy: OnDuplicate): DuplicateVerdict | undefined {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return undefined;
  const identical = rows.every((r) => r.hash === first.hash);
  if (!identical && policy === 'reject') {
    const list = rows.map((r) => r.row).join(', ');
    return {
      kind: 'reject all',
      rows,
      reason: (fields) => {
        const differ = fields ? `, which differ in ${fields.join(', ')}` : ' with different values';
        return `username appears in rows ${list}${differ} (pass --on-duplicate first or last to keep one)`;
      },
    };
  }
  const kept = identical || policy === 'first' ? first : last;
  return {
    kind: 'keep one',
    kept,
    others: rows.filter((r) => r !== kept),
    reason: (row, fields) => {
      if (row.hash === kept.hash) return `same values as row ${kept.row}`;
      const differ = fields ? `; this row differs in ${fields.join(', ')}` : '';
      return `row ${kept.row} is kept (--on-duplicate ${policy})${differ}`;
    },
  };
}

/**
 * The fields (attributes as `attributes.NAME`) in which not all of `customers` agree, in report order: those in which
 * one differs from the first. Undefined when a customer could not be read back, so no reason names the wrong fields.
 */
export function differingFields(customers: Iterable<Customer | undefined>): ChangedField[] | undefined {
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
