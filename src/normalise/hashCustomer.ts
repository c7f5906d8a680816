import { hash } from 'node:crypto';
import { CUSTOMER_FIELDS, type Customer } from '../types.js';
import { canonicalJson } from './canonicalJson.js';

/**
 * A stable content hash of a normalised customer: SHA-256 (hex) over its username and every field in CUSTOMER_FIELDS
 * order, each encoded so that no two customers share an encoding — an absent field as `-`, a flag as `T`/`F`, text
 * as its length, `:` and itself (so `null`, `"null"`, `true` and `"true"` stay apart, and no value can run into the
 * next). Attributes, when the row has any, follow as `A`, their count, and each one's name, type and canonical JSON
 * value in the same length-prefixed form, sorted by name: a customer without attributes hashes as it always has, so
 * checkpoints written before attributes existed still make unchanged rows `unchanged`. The same on every machine and
 * run: the checkpoint compares it with the hash of what was last applied.
 */
export function hashCustomer(customer: Customer): string {
  let encoded = '';
  for (const field of CUSTOMER_FIELDS) {
    const value = customer[field];
    if (value === undefined) encoded += '-';
    else if (typeof value === 'boolean') encoded += value ? 'T' : 'F';
    else encoded += `${value.length}:${value}`;
  }
  const attributes = customer.attributes ?? [];
  if (attributes.length > 0) {
    encoded += `A${attributes.length}:`;
    const sorted = [...attributes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, type, value } of sorted) {
      const json = canonicalJson(value);
      encoded += `${name.length}:${name}${type.length}:${type}${json.length}:${json}`;
    }
  }
  return hash('sha256', encoded, 'hex');
}
