import { createHash } from 'node:crypto';
import { CUSTOMER_FIELDS, type Customer } from '../types.js';

/**
 * A stable content hash of a normalised customer: SHA-256 (hex) of the JSON array of its username and every field in
 * CUSTOMER_FIELDS order, an absent field as `null`. JSON keeps `null`, `"null"`, `true` and `"true"` apart and field
 * order is fixed, so differing customers hash differently, and the value is the same on every machine and run — the
 * checkpoint compares it with the hash of what was last applied.
 */
export function hashCustomer(customer: Customer): string {
  const values = CUSTOMER_FIELDS.map((field) => customer[field] ?? null);
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}
