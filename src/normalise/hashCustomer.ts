import { hash } from 'node:crypto';
import { CUSTOMER_FIELDS, type Customer } from '../types.js';

/**
 * A stable content hash of a normalised customer: SHA-256 (hex) over its username and every field in CUSTOMER_FIELDS
 * order, each encoded so that no two customers share an encoding — an absent field as `-`, a flag as `T`/`F`, text
 * as its length, `:` and itself (so `null`, `"null"`, `true` and `"true"` stay apart, and no value can run into the
 * next). The same on every machine and run: the checkpoint compares it with the hash of what was last applied.
 */
export function hashCustomer(customer: Customer): string {
  let encoded = '';
  for (const field of CUSTOMER_FIELDS) {
    const value = customer[field];
    if (value === undefined) encoded += '-';
    else if (typeof value === 'boolean') encoded += value ? 'T' : 'F';
    else encoded += `${value.length}:${value}`;
  }
  return hash('sha256', encoded, 'hex');
}
