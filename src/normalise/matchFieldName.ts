import { CUSTOMER_FIELDS, type CustomerField } from '../types.js';

/** Fluent field names keyed by their spelling with case, spaces, underscores and hyphens removed. */
const FIELD_BY_KEY: ReadonlyMap<string, CustomerField> = new Map(
  CUSTOMER_FIELDS.map((field) => [field.toLowerCase(), field]),
);

const SEPARATORS = /[\s_-]+/g;

/**
 * The Fluent field a name spells, ignoring case, spaces, underscores and hyphens (`First Name`, `first_name`,
 * `FIRSTNAME` → `firstName`), or undefined. Only Fluent's own names match: `Email` is not guessed to be primaryEmail.
 */
export function matchFieldName(name: string): CustomerField | undefined {
  return FIELD_BY_KEY.get(name.replace(SEPARATORS, '').toLowerCase());
}
