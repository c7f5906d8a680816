import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { StoredCustomer } from './sandboxStoreTypes.js';
import type { SandboxStoredValues } from './sandboxTypes.js';

const TEXT_FIELDS = ['title', 'firstName', 'lastName', 'primaryEmail', 'primaryPhone', 'timezone', 'country'] as const;

/**
 * What an account that does not store every value as sent keeps of a created or updated customer (SPEC §1, verified
 * writes: Fluent's docs do not say that it stores each value as given), for the client's checks of every answer:
 * - `reformatPhone`: primaryPhone kept in international format with spaces (`+61 412 345 678`), as a CRM front end or
 *   a Fluent rule might rewrite it; a number the phone metadata cannot read is kept as sent;
 * - `truncateText`: every text field but the username kept cut to that many characters, as a narrower column than
 *   Fluent documents would (attributes are kept whole).
 * Only the values the mutation set are altered: a value the customer held before is kept as it was.
 *
 * @returns a new customer, or `customer` itself when nothing is altered
 */
export function alterStoredValues(
  customer: StoredCustomer,
  before: StoredCustomer | undefined,
  played: SandboxStoredValues,
): StoredCustomer {
  const { reformatPhone, truncateText } = played;
  if (!reformatPhone && truncateText === undefined) return customer;
  const altered = { ...customer };
  for (const field of TEXT_FIELDS) {
    const value = altered[field];
    if (value === null || value === before?.[field]) continue;
    let kept = value;
    if (field === 'primaryPhone' && reformatPhone)
      kept = parsePhoneNumberFromString(value)?.formatInternational() ?? value;
    if (truncateText !== undefined) kept = [...kept].slice(0, truncateText).join('');
    altered[field] = kept;
  }
  return altered;
}
