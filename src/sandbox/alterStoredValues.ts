import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { StoredCustomer } from './sandboxStoreTypes.js';
import type { SandboxStoredValues } from './sandboxTypes.js';

const ALTERED_FIELDS = ['title', 'firstName', 'lastName', 'primaryPhone'] as const;
const NAMES: ReadonlySet<string> = new Set(['title', 'firstName', 'lastName']);

/**
 * What an account that does not store every value as sent keeps of a created or updated customer (SPEC §1, verified
 * writes: Fluent's docs do not say that it stores each value as given), for the client's checks of every answer:
 * - `reformatPhone`: primaryPhone kept in international format with spaces (`+61 412 345 678`), as a CRM front end or
 *   a Fluent rule might rewrite it; a number the phone metadata cannot read is kept as sent;
 * - `truncateNames`: title, firstName and lastName kept cut to that many characters, as a narrower column than
 *   Fluent documents (50) would.
 * Only the values the mutation set are altered: a value the customer held before is kept as it was.
 *
 * @returns a new customer, or `customer` itself when nothing is altered
 */
export function alterStoredValues(
  customer: StoredCustomer,
  before: StoredCustomer | undefined,
  played: SandboxStoredValues,
): StoredCustomer {
  const { reformatPhone, truncateNames } = played;
  if (!reformatPhone && truncateNames === undefined) return customer;
  const altered = { ...customer };
  for (const field of ALTERED_FIELDS) {
    const value = altered[field];
    if (value === null || value === before?.[field]) continue;
    let kept = value;
    if (field === 'primaryPhone' && reformatPhone)
      kept = parsePhoneNumberFromString(value)?.formatInternational() ?? value;
    if (truncateNames !== undefined && NAMES.has(field)) kept = [...kept].slice(0, truncateNames).join('');
    altered[field] = kept;
  }
  return altered;
}
